import type { SlotName } from '@pitwall/protocol/update';
import type { Logger } from '../ops/logger.js';
import { linkToLauncher, type LauncherLink } from './boot-link.js';
import { BootRecordStore } from './boot-record-store.js';
import { UpdateAgent } from './update-state-runner.js';

export interface RuntimeUpdates {
  readonly agent: UpdateAgent;
  /** Says ready to pitwall-boot and starts the beats (call once the unit is up); null outside the launcher. */
  link(apiUrl: string, gnss: () => { attached: boolean; fixes: number }): LauncherLink | null;
}

/** The runtime's update agent and its link to the launcher that started it. */
export function runtimeUpdates(dataDir: string, log: Logger): RuntimeUpdates {
  const slot = process.env.PITWALL_SLOT;
  let link: LauncherLink | null = null;
  const agent = new UpdateAgent({
    store: new BootRecordStore(dataDir, log),
    log,
    booted: slot === 'A' || slot === 'B' ? (slot as SlotName) : null,
    reboot: () => {
      if (link) link.requestReboot();
      else log.warn('update installed; not started by pitwall-boot, so restart the unit to try it');
    },
  });
  return {
    agent,
    link(apiUrl, gnss) {
      link = linkToLauncher({ apiUrl, gnss });
      if (link) log.info(`booted from slot ${link.slot}${link.trial ? ' (on trial)' : ''}`);
      return link;
    },
  };
}

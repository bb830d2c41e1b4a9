import { join } from 'node:path';
import { BundleError, type UnitConfig } from '@pitwall/protocol';
import type { SlotName } from '@pitwall/protocol/update';
import type { Logger } from '../ops/logger.js';
import { linkToLauncher, type LauncherLink } from './boot-link.js';
import { linkToSystemd } from './systemd-link.js';
import { BootRecordStore } from './boot-record-store.js';
import { KeyListStore, readPinnedKeys } from './key-list-store.js';
import { UpdateAgent, type UpdateSource } from './update-state-runner.js';
import type { UnitFacts } from './verify-policy.js';

/** Time for the answer to a push to reach the companion before the runtime stops for the reboot. */
const REBOOT_GRACE_MS = 1000;

export interface UpdatePushSettings {
  run(source: UpdateSource): Promise<void>;
  keys(): Promise<KeyListStore>;
  unit(): UnitFacts | Promise<UnitFacts>;
  capacityBytes: number;
  deadlineMs: number;
  idleMs: number;
}

export interface RuntimeUpdates {
  readonly agent: UpdateAgent;
  /**
   * Says ready to pitwall-boot and starts the beats (call once the unit is up); started by
   * systemd directly (the recovery system), says ready to systemd and pings its watchdog
   * instead; null under neither.
   */
  link(apiUrl: string, gnss: () => { attached: boolean; fixes: number }): { stop(): void } | null;
  /** What the bundle push route needs, for this unit (its id and model known once it is up). */
  push(config: UnitConfig['update'], unit: () => UnitFacts): UpdatePushSettings;
}

/** The pinned keys (config `update.keysDir`) and the key list held on the data partition, read on the first push. */
function vendorKeys(dataDir: string, keysDir: string): () => Promise<KeyListStore> {
  let store: Promise<KeyListStore> | null = null;
  const load = async () => {
    const pems = await readPinnedKeys(keysDir).catch((err: NodeJS.ErrnoException) => {
      throw new BundleError('bad-key-list', `the unit's pinned vendor keys could not be read from ${keysDir} (${err.code ?? err.message}); no bundle can be verified`);
    });
    if (pems.length === 0) throw new BundleError('bad-key-list', `no pinned vendor keys (*.pem) in ${keysDir}; no bundle can be verified`);
    return KeyListStore.open(join(dataDir, 'update', 'vendor-keys.json'), pems);
  };
  return () => {
    store ??= load().catch((err: unknown) => {
      store = null; // a fixed key directory works on the next push
      throw err;
    });
    return store;
  };
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
      if (link) setTimeout(() => link?.requestReboot(), REBOOT_GRACE_MS).unref();
      else log.warn('update installed; not started by pitwall-boot, so restart the unit to try it');
    },
  });
  return {
    agent,
    link(apiUrl, gnss) {
      link = linkToLauncher({ apiUrl, gnss });
      if (link) {
        log.info(`booted from slot ${link.slot}${link.trial ? ' (on trial)' : ''}`);
        return link;
      }
      const systemd = linkToSystemd({ status: `up, API at ${apiUrl}` });
      if (systemd) log.info(`started by systemd: ready sent${systemd.pingEveryMs ? `, watchdog pinged every ${systemd.pingEveryMs} ms` : ', no watchdog set'}`);
      return systemd;
    },
    push: (config, unit) => pushSettings(agent, dataDir, config, unit),
  };
}

/** What a bundle upload route needs from `agent` and the unit's update settings (the runtime's push, recovery's install). */
export function pushSettings(agent: UpdateAgent, dataDir: string, config: UnitConfig['update'], unit: UpdatePushSettings['unit']): UpdatePushSettings {
  return {
    run: (source) => agent.run(source),
    keys: vendorKeys(dataDir, config.keysDir),
    unit,
    capacityBytes: Math.floor(config.slotMb * 1024 * 1024),
    deadlineMs: config.deadlineS * 1000,
    idleMs: config.idleS * 1000,
  };
}

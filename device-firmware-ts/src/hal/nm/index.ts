import { mkdir } from 'node:fs/promises';
import type { WifiNetwork } from '@pitwall/protocol';
import { nmcliRunner, type Nmcli } from './nmcli-runner.js';
import { NmError } from './nmcli-error.js';
import { profileStore, type ProfileStore } from './wifi-profiles.js';
import { directHandOver, systemdHandOver } from './keyfile-handover.js';
import { scanNetworks } from './wifi-scan.js';
import { readGeneral, readLink, type NmGeneral, type WifiLink } from './wifi-link.js';

export { NmError, type NmErrorKind } from './nmcli-error.js';
export { HOTSPOT_NAME, type NewProfile } from './wifi-profiles.js';
export type { WifiLink, NmGeneral } from './wifi-link.js';
export { validPsk } from './keyfile.js';
export { NM_OUTBOX } from './keyfile-handover.js';

export interface NmOptions {
  /** nmcli executable: `nmcli` on a unit, the recorded-output replayer in a sim. */
  nmcli: string;
  ifname: string;
  /**
   * Where new keyfiles go: NetworkManager's folder, loaded in place; or, with `viaSystemd`, the
   * runtime's outbox, handed over by pitwall-nm-load@UUID.service (a unit's unprivileged runtime).
   */
  connectionsDir: string;
  viaSystemd?: boolean;
  timeoutMs: number;
}

/** The unit's Wi-Fi through NetworkManager: the same interface on a real board and in the sim. */
export interface NetworkManagerHal extends ProfileStore {
  scan(rescan: boolean): Promise<WifiNetwork[]>;
  link(): Promise<WifiLink>;
  general(): Promise<NmGeneral>;
}

/** A board whose Wi-Fi is not managed (a sim given no nmcli): every call says so. */
export function unmanagedNetworkManager(reason: string): NetworkManagerHal {
  const no = () => Promise.reject(new NmError('no-nmcli', reason, null));
  return { list: no, add: no, remove: no, setPriority: no, up: no, down: no, scan: no, link: no, general: no };
}

export async function openNetworkManager(o: NmOptions): Promise<NetworkManagerHal> {
  await mkdir(o.connectionsDir, { recursive: true, mode: 0o700 });
  const nmcli: Nmcli = nmcliRunner({ bin: o.nmcli, timeoutMs: o.timeoutMs });
  const handOver = o.viaSystemd ? systemdHandOver(o.connectionsDir, { timeoutMs: o.timeoutMs }) : directHandOver(nmcli, o.connectionsDir);
  return {
    ...profileStore(nmcli, o.ifname, handOver),
    scan: (rescan) => scanNetworks(nmcli, o.ifname, rescan),
    link: () => readLink(nmcli, o.ifname),
    general: () => readGeneral(nmcli),
  };
}

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { UnitConfig } from '@pitwall/protocol';
import { fsyncDir } from '../identity/atomic-file.js';
import { NM_OUTBOX, openNetworkManager } from '../hal/nm/index.js';
import type { ProfileStore } from '../hal/nm/wifi-profiles.js';

/** Removes the unit's saved Wi-Fi profiles (and with them their secrets); resolves with how many went. */
export type WifiWipe = () => Promise<number>;

/** A folder of keyfiles the runtime writes itself (the sim, or a board with `network.connectionsDir`). */
export function wipeKeyfiles(dir: string): WifiWipe {
  return async () => {
    const profiles = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.nmconnection'));
    for (const f of profiles) await rm(join(dir, f), { force: true });
    if (profiles.length > 0) await fsyncDir(dir).catch(() => undefined);
    return profiles.length;
  };
}

/**
 * A unit's profiles live in NetworkManager's root-owned folder, which the unprivileged runtime
 * cannot touch: each profile Pitwall made is deleted through NetworkManager (polkit allows the
 * `pitwall` user settings.modify.system). Profiles the image brought (kind `other`) stay.
 */
export function wipeThroughNetworkManager(nm: Pick<ProfileStore, 'list' | 'remove'>): WifiWipe {
  return async () => {
    const ours = (await nm.list()).filter((p) => p.kind !== 'other');
    for (const p of ours) await nm.remove(p.uuid);
    return ours.length;
  };
}

/** The wipe that matches how this unit's runtime saves profiles (boot/wifi-boot.ts makes the same choice). */
export async function wifiWipeFor(config: UnitConfig, sim: boolean): Promise<WifiWipe> {
  const n = config.network;
  if (sim || n.connectionsDir !== undefined) return wipeKeyfiles(n.connectionsDir ?? join(config.dataDir, 'nm-connections'));
  const nm = await openNetworkManager({ nmcli: n.nmcli ?? 'nmcli', ifname: n.ifname, connectionsDir: join(config.dataDir, NM_OUTBOX), viaSystemd: true, timeoutMs: n.timeoutS * 1000 });
  return wipeThroughNetworkManager(nm);
}

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../identity/atomic-file.js';
import { identityPaths } from '../identity/unit-identity.js';
import type { WifiWipe } from './wifi-wipe.js';

export interface FactoryResetPaths {
  dataDir: string;
  /** Removes the saved Wi-Fi profiles (wifi-wipe.ts): in NetworkManager's hands on a unit. */
  wipeWifi: WifiWipe;
}

/** The reset could not start as it must (the Wi-Fi wipe failed): nothing was wiped. */
export class FactoryResetError extends Error {}

/** What a factory reset wipes, under DATA_DIR: recorded data, diagnostics, Wi-Fi secrets. */
const WIPED_DIRS = ['sessions', 'logs', 'health', 'crashes', 'state', 'wifi', 'tracks'] as const;

/**
 * Factory reset, run only in recovery mode (no runtime is up to hold these files open): the
 * sessions, logs, health, crash dumps, the unit's own tracks, the saved Wi-Fi profiles and the
 * paired operators go; the identity (unit-id, unit-key.pem), the audit log, the runtime slots and
 * the boot record stay. Returns what was wiped (names, for the answer and the audit).
 */
export async function factoryReset(p: FactoryResetPaths): Promise<string[]> {
  const wiped: string[] = [];
  // The Wi-Fi secrets first: a wipe NetworkManager refuses stops the reset before anything else goes.
  let profiles: number;
  try {
    profiles = await p.wipeWifi();
  } catch (err) {
    throw new FactoryResetError(`the saved Wi-Fi networks could not be removed (${(err as Error).message}); nothing else was wiped`);
  }
  if (profiles > 0) wiped.push('wifi-profiles');
  for (const dir of WIPED_DIRS) {
    const path = join(p.dataDir, dir);
    const had = await readdir(path).then(() => true, () => false);
    await rm(path, { recursive: true, force: true });
    if (had) wiped.push(dir);
  }
  const ids = identityPaths(p.dataDir);
  const hadOperators = await readdir(ids.dir).then((names) => names.includes('operators.json'), () => false);
  await rm(ids.operators, { force: true });
  if (hadOperators) {
    await fsyncDir(ids.dir);
    wiped.push('operators');
  }
  await fsyncDir(p.dataDir).catch(() => undefined);
  return wiped;
}

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../identity/atomic-file.js';
import { identityPaths } from '../identity/unit-identity.js';

export interface FactoryResetPaths {
  dataDir: string;
  /** NetworkManager's keyfile directory (the saved Wi-Fi profiles); its files are removed, the directory kept. */
  wifiConnectionsDir: string;
}

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
  for (const dir of WIPED_DIRS) {
    const path = join(p.dataDir, dir);
    const had = await readdir(path).then(() => true, () => false);
    await rm(path, { recursive: true, force: true });
    if (had) wiped.push(dir);
  }
  const profiles = (await readdir(p.wifiConnectionsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.nmconnection'));
  for (const f of profiles) await rm(join(p.wifiConnectionsDir, f), { force: true });
  if (profiles.length > 0) {
    await fsyncDir(p.wifiConnectionsDir).catch(() => undefined);
    wiped.push('wifi-profiles');
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

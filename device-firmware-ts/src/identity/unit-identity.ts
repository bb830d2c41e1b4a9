import { createPublicKey, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { IdentityState } from '@pitwall/protocol';
import type { Logger } from '../ops/logger.js';
import type { HardwareSerial } from '../hal/hardware-serial.js';
import { removeStaleTemps, writeFileAtomic } from './atomic-file.js';
import { fingerprintOf, generateIdentityKeyPem, parseIdentityKey } from './unit-key.js';
import { uuidV5 } from './uuid-v5.js';

export { writeFileAtomic } from './atomic-file.js';

export interface UnitIdentity {
  id: string;
  /** The id this board's hardware serial gives (differs from `id` when the data partition came from another unit). */
  hardwareId: string;
  name: string;
  model: string;
  /** The identity key; null while it is missing or corrupt (the unit then serves discovery only). */
  key: KeyObject | null;
  fingerprint: string | null;
  state: IdentityState;
  /** Problems found at boot, for the log and the audit log. */
  problems: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function defaultUnitName(id: string): string {
  return `Pitwall-${id.slice(0, 4).toUpperCase()}`;
}

export const identityPaths = (dataDir: string) => {
  const dir = join(dataDir, 'identity');
  return {
    dir,
    id: join(dir, 'unit-id'),
    key: join(dir, 'unit-key.pem'),
    operators: join(dir, 'operators.json'),
    /** The vendor's birth certificate of this key (put there at manufacture; see hub-registrations.ts). */
    birthCertificate: join(dir, 'birth-certificate.json'),
    /** Hubs' signed registration records and the hubs awaited (hub-registrations.ts). */
    hubRegistrations: join(dir, 'hub-registrations.json'),
  };
};

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The unit's identity: id = UUID v5 of the hardware serial (written once to identity/unit-id),
 * and an Ed25519 key made on first boot (identity/unit-key.pem, 0600). First boot writes the
 * key before the id, so a crash leaves either nothing or a whole key. Later problems (key gone
 * or corrupt, id no longer matching the hardware) are reported, never repaired silently.
 */
export async function loadUnitIdentity(
  dataDir: string,
  opts: { name?: string; model: string; log: Logger; hardware: HardwareSerial },
): Promise<UnitIdentity> {
  const hw = opts.hardware;
  const paths = identityPaths(dataDir);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await chmod(paths.dir, 0o700);
  await removeStaleTemps(paths.key);
  await removeStaleTemps(paths.id);
  const problems: string[] = [];
  if (hw.warning) problems.push(hw.warning);
  const hardwareId = uuidV5(hw.serial);

  let storedId: string | null = null;
  const idText = await readIfExists(paths.id);
  if (idText !== null) {
    if (UUID.test(idText.trim())) storedId = idText.trim();
    else {
      const aside = `${paths.id}.invalid-${Date.now()}`;
      await rename(paths.id, aside);
      problems.push(`unit id file held an invalid id; moved it to ${aside}`);
    }
  }

  let key: KeyObject | null = null;
  let keyState: 'ok' | 'key-missing' | 'key-corrupt' = 'ok';
  let keyMessage: string | null = null;
  const keyPem = await readIfExists(paths.key);
  if (keyPem !== null) {
    try {
      key = parseIdentityKey(keyPem);
    } catch (err) {
      keyState = 'key-corrupt';
      keyMessage = `identity key ${paths.key} is corrupt (${(err as Error).message}); the unit keeps it and will not make a new identity by itself — restore the key, or reset the identity deliberately (pitwall-device identity reset) and pair again`;
    }
  } else if (storedId !== null) {
    keyState = 'key-missing';
    keyMessage = `identity key ${paths.key} is missing although unit id ${storedId} exists; the unit will not make a new identity by itself — restore the key, or reset the identity deliberately (pitwall-device identity reset) and pair again`;
  } else {
    const pem = generateIdentityKeyPem();
    await writeFileAtomic(paths.key, pem, 0o600);
    key = parseIdentityKey(pem);
    opts.log.info('first boot: made the identity key');
  }
  if (keyMessage) problems.push(keyMessage);

  if (storedId === null) {
    await writeFileAtomic(paths.id, `${hardwareId}\n`, 0o644);
    opts.log.info(`unit id ${hardwareId} (from the ${hw.source} serial)`);
  }
  const id = storedId ?? hardwareId;
  let mismatch: string | null = null;
  if (storedId !== null && storedId !== hardwareId) {
    mismatch = `stored unit id ${storedId} does not match id ${hardwareId} derived from this hardware (${hw.source} serial); serving as ${storedId} — the data partition may come from another unit`;
    problems.push(mismatch);
  }
  await chmod(paths.key, 0o600).catch(() => {});

  const fingerprint = key ? fingerprintOf(createPublicKey(key)) : null;
  const state: IdentityState = {
    state: keyState !== 'ok' ? keyState : mismatch ? 'id-mismatch' : 'ok',
    fingerprint,
    hardwareSource: hw.source,
    message: [keyMessage, mismatch, hw.warning].filter((m) => m !== null).join('; ') || null,
  };
  for (const p of problems) opts.log.warn(`identity: ${p}`);
  const name = opts.name?.trim() || defaultUnitName(id);
  return { id, hardwareId, name, model: opts.model, key, fingerprint, state, problems };
}

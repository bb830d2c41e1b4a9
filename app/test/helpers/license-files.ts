import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LICENSE_FORMAT,
  LICENSE_PAYLOAD_TYPE,
  REVOCATION_LIST_FORMAT,
  REVOCATION_LIST_PAYLOAD_TYPE,
  type LicensePayload,
  type RevocationList,
} from '@pitwall/protocol';
import { signDsse, signLicense, signRevocationList, type SigningKey } from '@pitwall/protocol/node';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A licence payload for `key`, valid from now for `days` (fields overridable). */
export function licensePayloadFor(key: SigningKey, o: Partial<LicensePayload> & { days?: number } = {}): LicensePayload {
  const now = Date.now();
  const { days = 365, ...rest } = o;
  return {
    format: LICENSE_FORMAT,
    licenseId: 'lic-test-1',
    scope: { model: 'pw-1' },
    features: ['live-timing', 'sectors'],
    issued: iso(now - 60_000),
    starts: iso(now - 60_000),
    expires: iso(now + days * DAY),
    graceDays: 14,
    ttlDays: 30,
    keyId: key.keyId,
    ...rest,
  };
}

/** Signs a licence as `pitwall license issue` does and writes it to `dir/name`. */
export async function writeLicenseFile(dir: string, name: string, key: SigningKey, payload: LicensePayload): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, await signLicense(payload, key));
  return path;
}

/** Signs any payload as a licence, checked or not (for files a vendor tool would never make). */
export async function writeRawLicenseFile(dir: string, name: string, key: SigningKey, payload: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, await signDsse(Buffer.from(JSON.stringify(payload)), LICENSE_PAYLOAD_TYPE, key));
  return path;
}

export function revocationListFor(key: SigningKey, number: number, revoked: string[] = []): RevocationList {
  return { format: REVOCATION_LIST_FORMAT, number, issued: iso(Date.now()), revoked: revoked.map((licenseId) => ({ licenseId, reason: 'test' })), keyId: key.keyId };
}

/** Signs a revocation list (as the vendor tooling does) and writes it to `dir/name`. */
export async function writeRevocationFile(dir: string, name: string, key: SigningKey, list: RevocationList): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, await signRevocationList(list, key));
  return path;
}

/** Signs any payload as a revocation list, checked or not. */
export async function writeRawRevocationFile(dir: string, name: string, key: SigningKey, payload: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, await signDsse(Buffer.from(JSON.stringify(payload)), REVOCATION_LIST_PAYLOAD_TYPE, key));
  return path;
}

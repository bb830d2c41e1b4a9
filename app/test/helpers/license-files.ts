import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LICENSE_PAYLOAD_TYPE, REVOCATION_LIST_PAYLOAD_TYPE, type LicensePayload, type RevocationList } from '@pitwall/protocol';
import { signDsse, signLicense, signRevocationList, type SigningKey } from '@pitwall/protocol/node';
import { DAY_MS, licencePayload, revocationListOf } from '../../../testbed/license-fixtures.js';

/**
 * Licence files and revocation lists on disk, as a dealer is handed them (signed for real by the
 * testbed's fixtures); the raw writers sign what a vendor tool never would (off-schema payloads).
 */

/** A dealer-stock licence (model pw-1, live timing and sectors) valid from now for `days`; any field overridable. */
export function licensePayloadFor(key: SigningKey, o: Partial<LicensePayload> & { days?: number } = {}): LicensePayload {
  const { days = 365, ...rest } = o;
  const now = Date.now();
  return {
    ...licencePayload(key, 'unused', now - 60_000, { licenseId: 'lic-test-1', scope: { model: 'pw-1' }, features: ['live-timing', 'sectors'], expires: new Date(now + days * DAY_MS).toISOString() }),
    ...rest,
  };
}

export const revocationListFor = (key: SigningKey, number: number, revoked: string[] = []): RevocationList => revocationListOf(key, number, revoked);

async function write(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Signs a licence as `pitwall license issue` does and writes it to `dir/name`. */
export const writeLicenseFile = async (dir: string, name: string, key: SigningKey, payload: LicensePayload): Promise<string> => write(dir, name, await signLicense(payload, key));

/** Signs a revocation list as `pitwall license revoke-list` does and writes it to `dir/name`. */
export const writeRevocationFile = async (dir: string, name: string, key: SigningKey, list: RevocationList): Promise<string> => write(dir, name, await signRevocationList(list, key));

/** Signs any payload as a licence, checked or not. */
export const writeRawLicenseFile = async (dir: string, name: string, key: SigningKey, payload: unknown): Promise<string> =>
  write(dir, name, await signDsse(Buffer.from(JSON.stringify(payload)), LICENSE_PAYLOAD_TYPE, key));

/** Signs any payload as a revocation list, checked or not. */
export const writeRawRevocationFile = async (dir: string, name: string, key: SigningKey, payload: unknown): Promise<string> =>
  write(dir, name, await signDsse(Buffer.from(JSON.stringify(payload)), REVOCATION_LIST_PAYLOAD_TYPE, key));

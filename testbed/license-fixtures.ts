import { generateKeyPairSync } from 'node:crypto';
import { LICENSE_FEATURES, type LicensePayload, type RevocationList } from '@pitwall/protocol';
import { loadSigningKey, signLicense, signRevocationList, type SigningKey } from '@pitwall/protocol/node';

/**
 * Licence files and revocation lists for tests, signed for real (as `pitwall license issue` and
 * `revoke-list` sign them) with throw-away vendor keys.
 */

const DAY_MS = 24 * 3600 * 1000;

export function throwAwayVendorKey(): SigningKey {
  return loadSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

/** A licence for `unitId` issued `now`, in force from a day before to a year after, every feature; `over` changes any field. */
export function licencePayload(key: SigningKey, unitId: string, now = Date.now(), over: Partial<LicensePayload> = {}): LicensePayload {
  return {
    format: 1,
    licenseId: 'LIC-TEST-1',
    scope: { unitId },
    features: [...LICENSE_FEATURES],
    issued: new Date(now).toISOString(),
    starts: new Date(now - DAY_MS).toISOString(),
    expires: new Date(now + 365 * DAY_MS).toISOString(),
    graceDays: 14,
    ttlDays: 30,
    keyId: key.keyId,
    ...over,
  };
}

export const issueLicence = (key: SigningKey, unitId: string, now = Date.now(), over: Partial<LicensePayload> = {}): Promise<string> => signLicense(licencePayload(key, unitId, now, over), key);

export function revocationListOf(key: SigningKey, number: number, licenseIds: readonly string[], issued = Date.now()): RevocationList {
  return { format: 1, number, issued: new Date(issued).toISOString(), revoked: licenseIds.map((licenseId) => ({ licenseId, reason: 'test' })), keyId: key.keyId };
}

export const signedRevocationList = (key: SigningKey, number: number, licenseIds: readonly string[]): Promise<string> => signRevocationList(revocationListOf(key, number, licenseIds), key);

export { DAY_MS };

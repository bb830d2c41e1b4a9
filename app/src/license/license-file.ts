import { CompanionError, LICENSE_FILE_MAX_B, LICENSE_PAYLOAD_TYPE, licensePayload, type LicenseFileSummary, type LicensePayload } from '@pitwall/protocol';
import { verifyLicenseFile } from '@pitwall/protocol/node';
import { readSignedFile, type SignedFile } from './signed-file.js';

export interface LicenseFile {
  summary: LicenseFileSummary;
  /** The file as signed: sent to each unit unchanged. */
  file: SignedFile;
  payload: LicensePayload;
}

/**
 * Reads a licence file for the dealer to look at before installing it: licence id, scope,
 * features, period, signer. Anything that is not a licence (bad JSON, too large, another signed
 * type, a payload off the schema) is refused with a sentence; a signature this companion cannot
 * vouch for is shown as not verified (the unit has the last word).
 */
export async function readLicenseFile(path: string, vendorKeysDir: string | null): Promise<LicenseFile> {
  const file = await readSignedFile(path, { payloadType: LICENSE_PAYLOAD_TYPE, maxB: LICENSE_FILE_MAX_B, what: 'licence file', vendorKeysDir, verify: verifyLicenseFile });
  let payload: LicensePayload;
  try {
    payload = licensePayload.parse(file.payload);
  } catch (err) {
    throw new CompanionError('invalid-params', `${path} is not a licence this companion understands: ${(err as Error).message.slice(0, 200)}`);
  }
  const summary: LicenseFileSummary = {
    path,
    sizeB: file.sizeB,
    licenseId: payload.licenseId,
    scope: payload.scope,
    features: payload.features,
    issued: payload.issued,
    starts: payload.starts,
    expires: payload.expires,
    graceDays: payload.graceDays,
    ttlDays: payload.ttlDays,
    signerKeyId: file.signerKeyId,
    verified: file.verified,
    verifyNote: file.verifyNote,
  };
  return { summary, file, payload };
}

/** The scope in words: "unit X", "model pw-1", "model pw-1, fleet F". */
export function describeScope(scope: LicensePayload['scope']): string {
  return 'unitId' in scope ? `unit ${scope.unitId}` : `model ${scope.model}${scope.fleet ? `, fleet ${scope.fleet}` : ''}`;
}

import { BundleError } from '../update/bundle-error.js';
import { LicenseError } from '../license/license-error.js';
import { LICENSE_FILE_MAX_B, LICENSE_PAYLOAD_TYPE, licensePayload, type LicensePayload } from '../license/license-payload.js';
import { REVOCATION_LIST_FILE_MAX_B, REVOCATION_LIST_PAYLOAD_TYPE, revocationList, type RevocationList } from '../license/revocation-list.js';
import { dsseSignerHint, signDsse, verifyDsse, type KeyLookup, type SigningKey } from './dsse-envelope.js';

/**
 * Licence files and revocation lists: the same offline signing stack as update bundles (a
 * sigstore bundle around a DSSE envelope, Ed25519, checked against the unit's vendor key set, so
 * a key list that rotates or revokes a vendor key applies to licences too). Only the signed
 * payload bytes are parsed, and only after the signature checked out.
 */

export interface VerifiedLicense {
  payload: LicensePayload;
  /** The vendor key that signed it (equal to payload.keyId). */
  keyId: string;
}

export interface VerifiedRevocationList {
  list: RevocationList;
  keyId: string;
}

interface SignedKind<T> {
  what: string;
  payloadType: string;
  maxB: number;
  badCode: 'bad-license' | 'bad-revocation-list';
  parse(value: unknown): T;
  keyId(value: T): string;
}

const LICENSE: SignedKind<LicensePayload> = {
  what: 'licence',
  payloadType: LICENSE_PAYLOAD_TYPE,
  maxB: LICENSE_FILE_MAX_B,
  badCode: 'bad-license',
  parse: (v) => licensePayload.parse(v),
  keyId: (p) => p.keyId,
};

const REVOCATIONS: SignedKind<RevocationList> = {
  what: 'revocation list',
  payloadType: REVOCATION_LIST_PAYLOAD_TYPE,
  maxB: REVOCATION_LIST_FILE_MAX_B,
  badCode: 'bad-revocation-list',
  parse: (v) => revocationList.parse(v),
  keyId: (l) => l.keyId,
};

async function sign<T>(kind: SignedKind<T>, value: T, key: SigningKey): Promise<string> {
  const checked = kind.parse(value);
  if (kind.keyId(checked) !== key.keyId) throw new LicenseError('key-mismatch', `the ${kind.what} names key ${kind.keyId(checked).slice(0, 16)}…, not the signing key ${key.keyId.slice(0, 16)}…`);
  const json = await signDsse(Buffer.from(JSON.stringify(checked)), kind.payloadType, key);
  if (Buffer.byteLength(json) > kind.maxB) throw new LicenseError('too-large', `the signed ${kind.what} is ${Buffer.byteLength(json)} bytes, over the ${kind.maxB} a unit takes`);
  return json;
}

async function verify<T>(kind: SignedKind<T>, json: string, lookup: KeyLookup): Promise<{ value: T; keyId: string }> {
  const size = Buffer.byteLength(json);
  if (size > kind.maxB) throw new LicenseError('too-large', `the ${kind.what} file is ${size} bytes, over the ${kind.maxB} allowed`);
  let verified;
  try {
    verified = await verifyDsse(json, kind.payloadType, lookup, kind.what);
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    const code = err.code === 'unknown-key' || err.code === 'revoked-key' || err.code === 'unsigned' ? err.code : 'bad-signature';
    throw new LicenseError(code, err.message);
  }
  let value: T;
  try {
    value = kind.parse(JSON.parse(verified.payload.toString('utf8')));
  } catch (err) {
    throw new LicenseError(kind.badCode, `the signed ${kind.what} is not valid: ${(err as Error).message.slice(0, 200)}`);
  }
  if (kind.keyId(value) !== verified.keyId) {
    throw new LicenseError('key-mismatch', `the ${kind.what} names key ${kind.keyId(value).slice(0, 16)}… but was signed by ${verified.keyId.slice(0, 16)}…`);
  }
  return { value, keyId: verified.keyId };
}

/** Signs a licence with a vendor key (the payload's keyId must be that key's); returns the file's text. */
export const signLicense = (payload: LicensePayload, key: SigningKey): Promise<string> => sign(LICENSE, payload, key);

/** Signs a revocation list with a vendor key; returns the file's text. */
export const signRevocationList = (list: RevocationList, key: SigningKey): Promise<string> => sign(REVOCATIONS, list, key);

/** Checks a licence file against the trusted vendor keys; throws a LicenseError. */
export async function verifyLicenseFile(json: string, lookup: KeyLookup): Promise<VerifiedLicense> {
  const { value, keyId } = await verify(LICENSE, json, lookup);
  return { payload: value, keyId };
}

/** Checks a revocation list file against the trusted vendor keys; throws a LicenseError. */
export async function verifyRevocationListFile(json: string, lookup: KeyLookup): Promise<VerifiedRevocationList> {
  const { value, keyId } = await verify(REVOCATIONS, json, lookup);
  return { list: value, keyId };
}

/**
 * What a licence file claims, unverified (for `pitwall license inspect`): the payload if it
 * parses, and the signer key id the bundle names. Never a basis for trusting it.
 */
export function readLicenseUnverified(json: string): { payload: LicensePayload | null; signerHint: string | null; payloadType: string | null } {
  let payload: LicensePayload | null = null;
  let payloadType: string | null = null;
  try {
    const envelope = (JSON.parse(json) as { dsseEnvelope?: { payload?: unknown; payloadType?: unknown } }).dsseEnvelope;
    payloadType = typeof envelope?.payloadType === 'string' ? envelope.payloadType : null;
    if (typeof envelope?.payload === 'string') payload = licensePayload.parse(JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')));
  } catch {
    payload = null;
  }
  return { payload, signerHint: dsseSignerHint(json), payloadType };
}

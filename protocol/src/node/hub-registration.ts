import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import {
  type BirthCertificate,
  registrationRecordMessage,
  registrationRequestMessage,
  signedRegistration,
  type HubChallenge,
  type RegistrationFields,
  type RegistrationRecord,
  type RegistrationRequest,
} from '../hub/index.js';

/** base64 of an Ed25519 public key's DER SubjectPublicKeyInfo: how the hub names a unit's key. */
export function publicKeyBase64(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' }).toString('base64');
}

/**
 * The unit's side: a registration request signed with its identity key (the key of its HTTPS
 * API, the one companions pin), bound to one hub challenge.
 */
export function signRegistrationRequest(
  identityKey: KeyObject,
  unit: { unitId: string; model: string },
  challenge: Pick<HubChallenge, 'challengeId' | 'nonce'>,
  claimCode?: string,
  birthCertificate?: BirthCertificate,
): RegistrationRequest {
  const fields: RegistrationFields = {
    unitId: unit.unitId,
    publicKey: publicKeyBase64(identityKey),
    model: unit.model,
    challengeId: challenge.challengeId,
    nonce: challenge.nonce,
    ...(claimCode === undefined ? {} : { claimCode }),
    ...(birthCertificate === undefined ? {} : { birthCertificate }),
  };
  return { ...fields, signature: sign(null, registrationRequestMessage(fields), identityKey).toString('base64') };
}

/**
 * Checks a hub's answer against the hub key pinned beforehand (base64 SPKI) and the unit it was
 * asked for; returns the record, or throws saying what is wrong. Whoever carried the answer (a
 * companion, for a unit that is never online) cannot have changed it.
 */
export function verifySignedRegistration(answer: unknown, pinnedHubKey: string, expect: { unitId: string; publicKey: string }): RegistrationRecord {
  const a = signedRegistration.parse(answer);
  const hubKey = createPublicKey({ key: Buffer.from(pinnedHubKey, 'base64'), format: 'der', type: 'spki' });
  if (!verify(null, registrationRecordMessage(a.record), hubKey, Buffer.from(a.signature, 'base64'))) {
    throw new Error('the registration record is not signed by the pinned hub key');
  }
  if (a.record.unitId !== expect.unitId || a.record.publicKey !== expect.publicKey) {
    throw new Error(`the registration record is for unit ${a.record.unitId} with another key, not for this unit`);
  }
  return a.record;
}

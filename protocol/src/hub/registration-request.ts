import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { validator } from '../validate.js';
import { HubNonce } from './hub-challenge.js';
import { HubId } from './hub-ids.js';
import { BirthCertificate } from './birth-certificate.js';
import { Ed25519Signature, UnitModel, UnitPublicKey } from './unit-key-fields.js';

export { Ed25519Signature, UnitModel, UnitPublicKey } from './unit-key-fields.js';
/** A one-time claim code as a person types it: four groups of four from an alphabet without 0/O/1/I. */
export const ClaimCode = Type.String({ pattern: '^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$' });

/**
 * POST /hub/v1/registrations: a unit's request to be registered, signed by its identity key
 * (the key its HTTPS API presents and that companions pin). The signature covers every field
 * but itself, including the hub's challenge, so the request is good once, for this hub, and
 * the claim code a dealer's companion put in cannot be swapped on the way. `birthCertificate`
 * (optional: a hub older than it refuses the field, so a unit sends it only when it holds one)
 * is the vendor's statement that this key was born in this unit; the unit's signature covers
 * the certificate's signature, so it cannot be stripped or swapped either.
 */
export const RegistrationRequest = Type.Object(
  {
    unitId: UnitId,
    publicKey: UnitPublicKey,
    model: UnitModel,
    challengeId: HubId,
    nonce: HubNonce,
    claimCode: Type.Optional(ClaimCode),
    birthCertificate: Type.Optional(BirthCertificate),
    signature: Ed25519Signature,
  },
  { additionalProperties: false },
);
export type RegistrationRequest = Static<typeof RegistrationRequest>;
export const registrationRequest = validator('RegistrationRequest', RegistrationRequest);

export type RegistrationFields = Omit<RegistrationRequest, 'signature'>;

/** The bytes the unit signs: a JSON array (no field can run into the next), behind a domain tag. */
export function registrationRequestMessage(f: RegistrationFields): Uint8Array {
  // A request without a certificate signs the same bytes as before the field existed.
  const cert = f.birthCertificate ? [f.birthCertificate.signature] : [];
  const body = JSON.stringify([f.unitId, f.publicKey, f.model, f.challengeId, f.nonce, f.claimCode ?? null, ...cert]);
  return new TextEncoder().encode(`pitwall-hub-registration-request-v1\n${body}`);
}

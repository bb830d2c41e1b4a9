import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { validator } from '../validate.js';
import { HubNonce } from './hub-challenge.js';
import { HubId } from './hub-ids.js';

/** An Ed25519 public key as base64 of its DER SubjectPublicKeyInfo (44 bytes). */
export const UnitPublicKey = Type.String({ pattern: '^[A-Za-z0-9+/]{59}=$' });
/** 64 bytes, base64. */
export const Ed25519Signature = Type.String({ pattern: '^[A-Za-z0-9+/]{86}==$' });
export const UnitModel = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._()-]*$' });
/** A one-time claim code as a person types it: four groups of four from an alphabet without 0/O/1/I. */
export const ClaimCode = Type.String({ pattern: '^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$' });

/**
 * POST /hub/v1/registrations: a unit's request to be registered, signed by its identity key
 * (the key its HTTPS API presents and that companions pin). The signature covers every field
 * but itself, including the hub's challenge, so the request is good once, for this hub, and
 * the claim code a dealer's companion put in cannot be swapped on the way.
 */
export const RegistrationRequest = Type.Object(
  {
    unitId: UnitId,
    publicKey: UnitPublicKey,
    model: UnitModel,
    challengeId: HubId,
    nonce: HubNonce,
    claimCode: Type.Optional(ClaimCode),
    signature: Ed25519Signature,
  },
  { additionalProperties: false },
);
export type RegistrationRequest = Static<typeof RegistrationRequest>;
export const registrationRequest = validator('RegistrationRequest', RegistrationRequest);

export type RegistrationFields = Omit<RegistrationRequest, 'signature'>;

/** The bytes the unit signs: a JSON array (no field can run into the next), behind a domain tag. */
export function registrationRequestMessage(f: RegistrationFields): Uint8Array {
  const body = JSON.stringify([f.unitId, f.publicKey, f.model, f.challengeId, f.nonce, f.claimCode ?? null]);
  return new TextEncoder().encode(`pitwall-hub-registration-request-v1\n${body}`);
}

import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { Fingerprint } from '../identity/fingerprint.js';
import { validator } from '../validate.js';
import { HubId, HubTime } from './hub-ids.js';
import { Ed25519Signature, UnitModel, UnitPublicKey } from './registration-request.js';

export const OrganisationRef = Type.Object(
  { id: HubId, name: Type.String({ minLength: 1, maxLength: 120 }) },
  { additionalProperties: false },
);
export type OrganisationRef = Static<typeof OrganisationRef>;

/** What the hub states about a registered unit. */
export const RegistrationRecord = Type.Object(
  {
    unitId: UnitId,
    publicKey: UnitPublicKey,
    fingerprint: Fingerprint,
    model: UnitModel,
    registeredAt: HubTime,
    owner: Type.Union([OrganisationRef, Type.Null()]),
  },
  { additionalProperties: false },
);
export type RegistrationRecord = Static<typeof RegistrationRecord>;

/**
 * The answer to a registration: the record signed by the hub's key (`hubKey`: the fingerprint of
 * the key that signed it, which a unit or companion pins). Whoever carries it cannot change it.
 */
export const SignedRegistration = Type.Object(
  { record: RegistrationRecord, hubKey: Fingerprint, signature: Ed25519Signature },
  { additionalProperties: false },
);
export type SignedRegistration = Static<typeof SignedRegistration>;
export const signedRegistration = validator('SignedRegistration', SignedRegistration);

export function registrationRecordMessage(r: RegistrationRecord): Uint8Array {
  const body = JSON.stringify([r.unitId, r.publicKey, r.fingerprint, r.model, r.registeredAt, r.owner?.id ?? null, r.owner?.name ?? null]);
  return new TextEncoder().encode(`pitwall-hub-registration-record-v1\n${body}`);
}

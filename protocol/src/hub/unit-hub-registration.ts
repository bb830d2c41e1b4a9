import { Type, type Static } from '@sinclair/typebox';
import { Fingerprint } from '../identity/fingerprint.js';
import { validator } from '../validate.js';
import { BirthCertificate } from './birth-certificate.js';
import { HubNonce } from './hub-challenge.js';
import { HubId, HubTime } from './hub-ids.js';
import { RegistrationRecord, SignedRegistration } from './registration-record.js';
import { ClaimCode } from './registration-request.js';
import { UnitPublicKey } from './unit-key-fields.js';

/**
 * POST /v1/hub/registration-request (the unit's owner or dealer): the companion hands the unit a
 * hub's challenge and the hub's key it pinned; the unit answers a RegistrationRequest signed
 * with its identity key (and carrying its birth certificate when it holds one). The unit keeps
 * the hub's key: a record it is later brought must be signed by a hub it signed a request for.
 */
export const UnitRegistrationAsk = Type.Object(
  {
    challengeId: HubId,
    nonce: HubNonce,
    hubPublicKey: UnitPublicKey,
    claimCode: Type.Optional(ClaimCode),
  },
  { additionalProperties: false },
);
export type UnitRegistrationAsk = Static<typeof UnitRegistrationAsk>;
export const unitRegistrationAsk = validator('UnitRegistrationAsk', UnitRegistrationAsk);

/** PUT /v1/hub/registration: the hub's signed answer, carried back to the unit with the hub's public key. */
export const UnitRegistrationDelivery = Type.Object(
  { answer: SignedRegistration, hubPublicKey: UnitPublicKey },
  { additionalProperties: false },
);
export type UnitRegistrationDelivery = Static<typeof UnitRegistrationDelivery>;
export const unitRegistrationDelivery = validator('UnitRegistrationDelivery', UnitRegistrationDelivery);

/** One hub's record as the unit keeps it (checked against that hub's key when it arrived). */
export const UnitHubRecord = Type.Object(
  { hubKey: Fingerprint, hubPublicKey: UnitPublicKey, record: RegistrationRecord, signature: SignedRegistration.properties.signature, receivedAt: HubTime },
  { additionalProperties: false },
);
export type UnitHubRecord = Static<typeof UnitHubRecord>;

/**
 * GET /v1/hub/registration: what the unit holds for the hub, for the companion to show
 * ("registered with hub X, owner Y"): each hub's signed record (newest first), the hubs it
 * signed a request for and has no record from yet, and its birth certificate.
 */
export const UnitHubRegistration = Type.Object(
  {
    records: Type.Array(UnitHubRecord, { maxItems: 8 }),
    awaiting: Type.Array(Fingerprint, { maxItems: 8 }),
    birthCertificate: Type.Union([BirthCertificate, Type.Null()]),
  },
  { additionalProperties: false },
);
export type UnitHubRegistration = Static<typeof UnitHubRegistration>;
export const unitHubRegistration = validator('UnitHubRegistration', UnitHubRegistration);

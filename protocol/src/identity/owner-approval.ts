import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { UnitId } from '../device-api/unit-id.js';
import { Fingerprint } from './fingerprint.js';

/**
 * A network request to become an owner of a unit that already has one. It takes the pairing
 * window like any network pairing (one press, one request) but makes no owner by itself: an
 * existing owner approves or denies it over its own authenticated connection
 * (POST /v1/pairing/requests/:id/approve, DELETE /v1/pairing/requests/:id), or the new owner
 * pairs over USB instead. Pending requests live in the unit's memory until they expire.
 */
export const OwnerRequest = Type.Object(
  {
    id: Type.String({ pattern: '^[a-f0-9]{16}$' }),
    operatorFingerprint: Fingerprint,
    operatorName: Type.String({ minLength: 1, maxLength: 63 }),
    requestedAt: Type.String(),
    expiresAt: Type.String(),
  },
  { additionalProperties: false },
);
export type OwnerRequest = Static<typeof OwnerRequest>;
export const ownerRequest = validator('OwnerRequest', OwnerRequest);

/** GET /v1/pairing/requests (owner only): the pending owner requests, oldest first. */
export const OwnerRequestList = Type.Object({ requests: Type.Array(OwnerRequest) }, { additionalProperties: false });
export type OwnerRequestList = Static<typeof OwnerRequestList>;
export const ownerRequestList = validator('OwnerRequestList', OwnerRequestList);

/**
 * POST /v1/pairing answered 202: the request waits for an owner's approval. Both fingerprints are
 * in it so the requester can show them next to what the owner sees; once approved, the same
 * POST /v1/pairing (same key, role owner) answers the PairResult.
 */
export const PairingPending = Type.Object(
  {
    pending: Type.Literal(true),
    request: OwnerRequest,
    unitId: UnitId,
    unitFingerprint: Fingerprint,
  },
  { additionalProperties: false },
);
export type PairingPending = Static<typeof PairingPending>;
export const pairingPending = validator('PairingPending', PairingPending);

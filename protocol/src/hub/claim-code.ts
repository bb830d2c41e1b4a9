import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { HubId, HubTime } from './hub-ids.js';
import { ClaimCode } from './registration-request.js';

/**
 * POST /hub/v1/claim-codes (a dealer's member): a one-time code that puts the unit whose
 * registration request carries it into the academy named here. The code is shown once; the hub
 * keeps only its hash.
 */
export const ClaimCodeRequest = Type.Object(
  { academyId: HubId },
  { additionalProperties: false },
);
export type ClaimCodeRequest = Static<typeof ClaimCodeRequest>;
export const claimCodeRequest = validator('ClaimCodeRequest', ClaimCodeRequest);

export const ClaimCodeIssued = Type.Object(
  { code: ClaimCode, academyId: HubId, expiresAt: HubTime },
  { additionalProperties: false },
);
export type ClaimCodeIssued = Static<typeof ClaimCodeIssued>;
export const claimCodeIssued = validator('ClaimCodeIssued', ClaimCodeIssued);

/** How long a claim code stays good. */
export const CLAIM_CODE_TTL_MS = 30 * 24 * 3_600_000;

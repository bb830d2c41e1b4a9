import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { HubId, HubTime } from './hub-ids.js';

/**
 * POST /hub/v1/challenges: the hub hands out a fresh single-use nonce that a unit's registration
 * request must carry. `live`: a unit online right now (expires in minutes). `forward`: a
 * companion takes it to a unit that is never online and brings the signed request back (store
 * and forward; expires in days; asked for with a member's token). Either is consumed by the
 * first request that uses it.
 */
export const HubChallengePurpose = Type.Union([Type.Literal('live'), Type.Literal('forward')]);
export type HubChallengePurpose = Static<typeof HubChallengePurpose>;

export const HubChallengeRequest = Type.Object({ purpose: HubChallengePurpose }, { additionalProperties: false });
export type HubChallengeRequest = Static<typeof HubChallengeRequest>;
export const hubChallengeRequest = validator('HubChallengeRequest', HubChallengeRequest);

/** 32 random bytes, base64. */
export const HubNonce = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' });

export const HubChallenge = Type.Object(
  { challengeId: HubId, nonce: HubNonce, purpose: HubChallengePurpose, expiresAt: HubTime },
  { additionalProperties: false },
);
export type HubChallenge = Static<typeof HubChallenge>;
export const hubChallenge = validator('HubChallenge', HubChallenge);

/** How long each kind of challenge may wait for its request. */
export const HUB_CHALLENGE_TTL_MS: Record<HubChallengePurpose, number> = { live: 5 * 60_000, forward: 14 * 24 * 3_600_000 };

import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/**
 * POST /v1/identity/challenge: the companion sends a fresh random nonce; the unit signs
 * `challengeMessage(unitId, nonce)` with its identity key. A unit that cannot sign with the
 * pinned key is not the unit that was paired.
 */
const Base64 = (min: number, max: number) => Type.String({ pattern: '^[A-Za-z0-9+/]+={0,2}$', minLength: min, maxLength: max });

export const ChallengeRequest = Type.Object({ nonce: Base64(43, 44) }, { additionalProperties: false });
export type ChallengeRequest = Static<typeof ChallengeRequest>;
export const challengeRequest = validator('ChallengeRequest', ChallengeRequest);

export const ChallengeResponse = Type.Object({ signature: Base64(86, 88) }, { additionalProperties: false });
export type ChallengeResponse = Static<typeof ChallengeResponse>;
export const challengeResponse = validator('ChallengeResponse', ChallengeResponse);

export function challengeMessage(unitId: string, nonce: string): Uint8Array {
  return new TextEncoder().encode(`pitwall-challenge-v1\n${unitId}\n${nonce}`);
}

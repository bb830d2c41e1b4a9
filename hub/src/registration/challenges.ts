import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { HUB_CHALLENGE_TTL_MS, type HubChallenge, type HubChallengePurpose } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { newId, nowIso } from '../db/ids.js';
import { HubRefusal } from '../hub-refusal.js';

/**
 * Forward challenges one member may hold unused at once. Each is kept 14 days: without a bound, a
 * member (or a stolen token, within its allowance a minute) could fill the table for weeks. A
 * dealer preparing a track day's units needs tens.
 */
export const FORWARD_CHALLENGES_PER_MEMBER = 1000;

/** A member's forward challenges not used and not expired. */
async function heldForwardChallenges(db: Kysely<HubTables>, memberId: string, now: number): Promise<number> {
  const { n } = await db
    .selectFrom('challenges')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('member_id', '=', memberId)
    .where('purpose', '=', 'forward')
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso(now))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * A fresh nonce kept in the database (any hub process can check it), good once until it expires.
 * A forward challenge is the member's who asked (`memberId`), within FORWARD_CHALLENGES_PER_MEMBER.
 */
export async function issueChallenge(db: Kysely<HubTables>, purpose: HubChallengePurpose, now: number, memberId: string | null = null): Promise<HubChallenge> {
  if (purpose === 'forward' && memberId !== null && (await heldForwardChallenges(db, memberId, now)) >= FORWARD_CHALLENGES_PER_MEMBER) {
    throw new HubRefusal(409, 'too-many-challenges', `You hold ${FORWARD_CHALLENGES_PER_MEMBER} forward challenges not used yet: send the registrations signed with them, or wait for some to expire (14 days), before asking for more.`);
  }
  const challenge: HubChallenge = {
    challengeId: newId(),
    nonce: randomBytes(32).toString('base64'),
    purpose,
    expiresAt: nowIso(now + HUB_CHALLENGE_TTL_MS[purpose]),
  };
  await db.insertInto('challenges').values({ id: challenge.challengeId, nonce: challenge.nonce, purpose, expires_at: challenge.expiresAt, used_at: null, member_id: memberId }).execute();
  return challenge;
}

/**
 * Spends a challenge: one conditional UPDATE, so of two requests carrying it (two hub processes
 * at once included) exactly one gets it. Refuses an unknown, expired or already used one.
 */
export async function consumeChallenge(db: Kysely<HubTables>, id: string, nonce: string, now: number): Promise<void> {
  const at = nowIso(now);
  const spent = await db
    .updateTable('challenges')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('nonce', '=', nonce)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  if (spent.numUpdatedRows === 1n) return;
  const row = await db.selectFrom('challenges').select(['nonce', 'used_at', 'expires_at']).where('id', '=', id).executeTakeFirst();
  if (!row || row.nonce !== nonce) throw new HubRefusal(400, 'challenge-unknown', 'This request does not carry a challenge this hub issued; ask for a new challenge.');
  if (row.used_at !== null) throw new HubRefusal(409, 'challenge-used', 'This challenge was already used: a registration request is good once. Ask for a new challenge and sign again.');
  throw new HubRefusal(410, 'challenge-expired', `This challenge expired at ${row.expires_at}; ask for a new challenge and sign again.`);
}

/**
 * Forgets expired challenges: a `live` one an hour after it expired, a `forward` one a day after
 * (until then a late request is told "expired" rather than "unknown"). Anyone may ask for a live
 * challenge, so the table holds at most an hour and five minutes of what the rate limit lets through.
 */
export async function purgeExpiredChallenges(db: Kysely<HubTables>, now: number): Promise<void> {
  await db
    .deleteFrom('challenges')
    .where((eb) => eb.or([eb('expires_at', '<', nowIso(now - 24 * 3_600_000)), eb.and([eb('purpose', '=', 'live'), eb('expires_at', '<', nowIso(now - 3_600_000))])]))
    .execute();
}

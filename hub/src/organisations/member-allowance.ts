import type { Kysely } from 'kysely';
import type { HubTables } from '../db/tables.js';
import { HubRefusal } from '../hub-refusal.js';
import type { Member } from './members.js';

const MINUTE_MS = 60_000;

/** How many requests a minute one member token may make to the member routes; 0: no limit. */
export interface MemberAllowance {
  perMinute: number;
  now: () => number;
}

/**
 * The member a token's hash names, with this request counted against their allowance in the same
 * statement: an UPDATE of their own row RETURNING the member, so a member route costs no more
 * round trips than the lookup alone did, and every hub process counts against one allowance. A
 * fixed window, as the public routes' limit: up to twice the allowance across the turn of a minute.
 * Past it, 429 with the seconds until the next minute; a stolen token can then hammer the hub with
 * nothing but this one-row update, refused before any body is read.
 */
export async function authenticateCounted(db: Kysely<HubTables>, tokenHash: string, allowance: MemberAllowance): Promise<Member | null> {
  const now = allowance.now();
  const minute = Math.floor(now / MINUTE_MS);
  const row = await db
    .updateTable('members')
    .set((eb) => ({
      allowance_count: eb.case().when('allowance_minute', '=', minute).then(eb('allowance_count', '+', 1)).else(1).end(),
      allowance_minute: minute,
    }))
    .where('token_hash', '=', tokenHash)
    .returning((eb) => [
      'id',
      'name',
      'role',
      'organisation_id',
      'allowance_count',
      eb.selectFrom('organisations').select('kind').whereRef('organisations.id', '=', 'members.organisation_id').as('kind'),
    ])
    .executeTakeFirst();
  if (!row) return null;
  if (Number(row.allowance_count) > allowance.perMinute) {
    const retryAfterS = Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - now) / 1000));
    throw new HubRefusal(429, 'rate-limited', `Too many requests with this member token (at most ${allowance.perMinute} a minute); try again in ${retryAfterS} s.`, retryAfterS);
  }
  return { id: row.id, name: row.name, role: row.role, organisationId: row.organisation_id, organisationKind: row.kind! };
}

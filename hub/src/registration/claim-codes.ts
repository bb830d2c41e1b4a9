import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { CLAIM_CODE_TTL_MS, type ClaimCodeIssued } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { nowIso, sha256Hex } from '../db/ids.js';
import { HubRefusal } from '../hub-refusal.js';
import type { Member } from '../organisations/members.js';
import { writeAudit } from '../audit.js';

// 32 symbols without 0/O and 1/I: read aloud or typed from a label without doubt.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** 16 symbols of 5 random bits (80 bits), as XXXX-XXXX-XXXX-XXXX. */
export function newClaimCode(): string {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** A dealer's member makes a one-time code for an academy that dealer serves. Only its hash is kept. */
export async function issueClaimCode(db: Kysely<HubTables>, member: Member, academyId: string, now: number): Promise<ClaimCodeIssued> {
  if (member.organisationKind !== 'dealer') throw new HubRefusal(403, 'not-a-dealer', 'Only a dealer makes claim codes.');
  const served = await db
    .selectFrom('dealer_academies')
    .select('academy_id')
    .where('dealer_id', '=', member.organisationId)
    .where('academy_id', '=', academyId)
    .executeTakeFirst();
  if (!served) throw new HubRefusal(403, 'not-your-academy', 'Your dealer does not serve this academy; the academy must be linked to your dealer first.');
  const code = newClaimCode();
  const expiresAt = nowIso(now + CLAIM_CODE_TTL_MS);
  await db
    .insertInto('claim_codes')
    .values({ code_hash: sha256Hex(code), academy_id: academyId, dealer_id: member.organisationId, created_by: member.id, expires_at: expiresAt, used_at: null, unit_id: null })
    .execute();
  await writeAudit(db, now, 'claim-code-issued', null, { academyId, dealerId: member.organisationId, memberId: member.id });
  return { code, academyId, expiresAt };
}

/**
 * Spends a claim code for one unit inside the registration's transaction (one conditional
 * UPDATE: a code is spent once, whichever hub process sees it first). Returns the academy and the dealer.
 */
export async function spendClaimCode(trx: Transaction<HubTables>, code: string, unitId: string, now: number): Promise<{ academyId: string; dealerId: string }> {
  const at = nowIso(now);
  const hash = sha256Hex(code);
  const spent = await trx
    .updateTable('claim_codes')
    .set({ used_at: at, unit_id: unitId })
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .returning(['academy_id', 'dealer_id'])
    .executeTakeFirst();
  if (spent) return { academyId: spent.academy_id, dealerId: spent.dealer_id };
  const row = await trx.selectFrom('claim_codes').select(['used_at', 'expires_at']).where('code_hash', '=', hash).executeTakeFirst();
  if (!row) throw new HubRefusal(400, 'claim-code-unknown', 'This claim code is not one this hub made; check it with the dealer.');
  if (row.used_at !== null) throw new HubRefusal(409, 'claim-code-used', 'This claim code was already used for a unit; a claim code is good once. Ask the dealer for a new one.');
  throw new HubRefusal(410, 'claim-code-expired', `This claim code expired at ${row.expires_at}; ask the dealer for a new one.`);
}

import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HubTables, OrganisationsTable } from '../db/tables.js';
import { newId, nowIso, sha256Hex } from '../db/ids.js';
import { HubRefusal } from '../hub-refusal.js';
import { authenticateCounted, type MemberAllowance } from './member-allowance.js';

export type OrganisationKind = OrganisationsTable['kind'];
export const ORGANISATION_KINDS: readonly OrganisationKind[] = ['vendor', 'dealer', 'academy'];

export interface Member {
  id: string;
  name: string;
  role: string;
  organisationId: string;
  organisationKind: OrganisationKind;
}

export async function createOrganisation(db: Kysely<HubTables>, name: string, kind: OrganisationKind, now = Date.now()): Promise<string> {
  const id = newId();
  await db.insertInto('organisations').values({ id, name, kind, created_at: nowIso(now) }).execute();
  return id;
}

/** Lets a dealer make claim codes for an academy. */
export async function linkDealer(db: Kysely<HubTables>, dealerId: string, academyId: string): Promise<void> {
  const kinds = await db.selectFrom('organisations').select(['id', 'kind']).where('id', 'in', [dealerId, academyId]).execute();
  const kindOf = (id: string) => kinds.find((k) => k.id === id)?.kind;
  if (kindOf(dealerId) !== 'dealer') throw new Error(`${dealerId} is not a dealer organisation`);
  if (kindOf(academyId) !== 'academy') throw new Error(`${academyId} is not an academy organisation`);
  await db.insertInto('dealer_academies').values({ dealer_id: dealerId, academy_id: academyId }).onConflict((oc) => oc.doNothing()).execute();
}

/** A member and their bearer token (shown here once; the hub keeps its SHA-256). */
export async function addMember(db: Kysely<HubTables>, organisationId: string, name: string, role: string, now = Date.now()): Promise<{ memberId: string; token: string }> {
  const token = `pwh_${randomBytes(32).toString('base64url')}`;
  const memberId = newId();
  await db.insertInto('members').values({ id: memberId, organisation_id: organisationId, name, role, token_hash: sha256Hex(token), created_at: nowIso(now) }).execute();
  return { memberId, token };
}

const BEARER = /^Bearer (pwh_[A-Za-z0-9_-]{43})$/;
const TOKEN_LIKE = /pwh_[A-Za-z0-9_-]*/gi;

/** Text the hub answers or logs with anything shaped like a member token cut out (a client may put one anywhere by mistake: a body key, a query). */
export function redactTokens(text: string): string {
  return text.replace(TOKEN_LIKE, 'pwh_…');
}

/**
 * The member an `Authorization: Bearer …` header names; refuses a missing, malformed or unknown
 * token alike. With an allowance, the request is counted against the member's (429 past it).
 */
export async function authenticateMember(db: Kysely<HubTables>, authorization: string | undefined, allowance?: MemberAllowance): Promise<Member> {
  const token = authorization === undefined ? null : BEARER.exec(authorization)?.[1];
  const refuse = () => new HubRefusal(401, 'unauthenticated', 'This needs a member token of an organisation (Authorization: Bearer …).');
  if (!token) throw refuse();
  if (allowance && allowance.perMinute > 0) {
    const member = await authenticateCounted(db, sha256Hex(token), allowance);
    if (!member) throw refuse();
    return member;
  }
  const row = await db
    .selectFrom('members')
    .innerJoin('organisations', 'organisations.id', 'members.organisation_id')
    .select(['members.id', 'members.name', 'members.role', 'members.organisation_id', 'organisations.kind'])
    .where('members.token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row) throw refuse();
  return { id: row.id, name: row.name, role: row.role, organisationId: row.organisation_id, organisationKind: row.kind };
}

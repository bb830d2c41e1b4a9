import { sql, type Kysely } from 'kysely';
import type { GroupRole } from '@pitwall/protocol';
import { isPostgres } from '../db/dialect.js';
import type { HubTables } from '../db/tables.js';
import type { Member } from '../organisations/members.js';

/** What a driver may do with a batch of sessions, as one query found it. */
export interface SharingRights {
  /** The caller's role in each group named that is theirs; a group missing here is, to the caller, no group at all. */
  roles: Map<string, GroupRole>;
  /** The units named that this hub registered to another organisation than the caller's (claimed for another academy). */
  othersUnits: Set<string>;
}

/**
 * The values as one bound JSON array, read back as rows: one statement text whatever their count.
 * The hub prepares each statement text once per connection, and a batch's share embeds this
 * query; an IN list of one placeholder per value would be a text, and a plan kept, per count.
 */
function jsonValues(db: Kysely<HubTables>, values: readonly string[]) {
  const json = JSON.stringify(values);
  return isPostgres(db) ? sql<string>`(SELECT json_array_elements_text(${json}::json))` : sql<string>`(SELECT value FROM json_each(${json}))`;
}

/**
 * The caller's roles in the groups a batch names and the batch's units another organisation owns,
 * in ONE statement (a UNION ALL tagged by kind): sharing sits on the ingest path, where every round
 * trip to PostgreSQL counts. A unit registered without an owner, or not registered here at all
 * (store and forward not done yet, a development hub), is nobody's: it is not refused.
 */
export function sharingRightsQuery(db: Kysely<HubTables>, caller: Member, groupIds: readonly string[], unitIds: readonly string[]) {
  const roles = db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select((eb) => [sql<string>`'role'`.as('kind'), 'group_members.group_id as id', eb.ref('group_members.role').$castTo<string>().as('value')])
    .where('group_members.group_id', 'in', jsonValues(db, groupIds))
    .where('group_members.member_id', '=', caller.id)
    .where('groups.organisation_id', '=', caller.organisationId);
  const units = db
    .selectFrom('units')
    // Whose unit it is stays here: a refusal does not name the owner.
    .select([sql<string>`'unit'`.as('kind'), 'unit_id as id', sql<string>`''`.as('value')])
    .where('unit_id', 'in', jsonValues(db, unitIds))
    .where('owner_id', 'is not', null)
    .where('owner_id', '<>', caller.organisationId);
  return roles.unionAll(units);
}

/** The query of sharingRights: rows of kind `role` (id: a group, value: the role) and `unit` (id: a unit). */
export type SharingRightsQuery = ReturnType<typeof sharingRightsQuery>;

export async function sharingRights(db: Kysely<HubTables>, caller: Member, groupIds: readonly string[], unitIds: readonly string[]): Promise<SharingRights> {
  const rows = await sharingRightsQuery(db, caller, groupIds, unitIds).execute();
  const rights: SharingRights = { roles: new Map(), othersUnits: new Set() };
  for (const r of rows) {
    if (r.kind === 'role') rights.roles.set(r.id, r.value as GroupRole);
    else rights.othersUnits.add(r.id);
  }
  return rights;
}

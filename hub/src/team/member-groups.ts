import type { Kysely } from 'kysely';
import type { MemberGroups } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import type { Member } from '../organisations/members.js';

/** The caller, their organisation and the groups of that organisation they are in (never anyone else's), by name. */
export async function memberGroups(db: Kysely<HubTables>, caller: Member): Promise<MemberGroups> {
  const org = await db.selectFrom('organisations').select(['id', 'name', 'kind']).where('id', '=', caller.organisationId).executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name', 'group_members.role'])
    .where('group_members.member_id', '=', caller.id)
    .where('groups.organisation_id', '=', caller.organisationId)
    .orderBy('groups.name')
    .orderBy('groups.id')
    .execute();
  return {
    memberId: caller.id,
    name: caller.name,
    organisation: { id: org.id, name: org.name, kind: org.kind },
    groups: rows.map((r) => ({ groupId: r.id, name: r.name, role: r.role })),
  };
}

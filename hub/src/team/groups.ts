import type { Kysely } from 'kysely';
import type { Group, GroupMember, GroupRole } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { newId, nowIso } from '../db/ids.js';
import { HubRefusal } from '../hub-refusal.js';
import type { Member } from '../organisations/members.js';
import { editRosterOnline } from './roster-store.js';

const noSuchGroup = () => new HubRefusal(404, 'no-such-group', 'No such group for you.');

/** An academy's admin makes a group in that academy. */
export async function createGroup(db: Kysely<HubTables>, caller: Member, name: string, now: number): Promise<Group> {
  if (caller.organisationKind !== 'academy' || caller.role !== 'admin') throw new HubRefusal(403, 'not-an-academy-admin', "Only an academy's admin makes groups.");
  const group: Group = { groupId: newId(), name, createdAt: nowIso(now) };
  await db.insertInto('groups').values({ id: group.groupId, organisation_id: caller.organisationId, name, created_at: group.createdAt }).execute();
  await editRosterOnline(db, caller.organisationId, group.groupId, { kind: 'rename', name }, now);
  return group;
}

/** The caller's role in a group, or null; a group of another organisation is, to the caller, no group at all. */
export async function roleIn(db: Kysely<HubTables>, caller: Member, groupId: string): Promise<GroupRole | null> {
  const row = await db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select('group_members.role')
    .where('group_members.group_id', '=', groupId)
    .where('group_members.member_id', '=', caller.id)
    .where('groups.organisation_id', '=', caller.organisationId)
    .executeTakeFirst();
  return row?.role ?? null;
}

/** The academy's admin, or a coach of the group, puts a member of the same academy into it (again: changes the role). */
export async function addGroupMember(db: Kysely<HubTables>, caller: Member, groupId: string, memberId: string, role: GroupRole, now = Date.now()): Promise<GroupMember> {
  const g = await db.selectFrom('groups').select('organisation_id').where('id', '=', groupId).executeTakeFirst();
  if (!g || g.organisation_id !== caller.organisationId) throw noSuchGroup();
  if (caller.role !== 'admin' && (await roleIn(db, caller, groupId)) !== 'coach') {
    throw new HubRefusal(403, 'not-a-coach', "Only the academy's admin or a coach of this group adds members to it.");
  }
  const target = await db.selectFrom('members').select('organisation_id').where('id', '=', memberId).executeTakeFirst();
  if (!target || target.organisation_id !== caller.organisationId) throw new HubRefusal(404, 'no-such-member', 'No such member in your academy.');
  // Through the group's roster, stamped by the hub: merged with laptops' offline edits like theirs.
  if (!(await editRosterOnline(db, caller.organisationId, groupId, { kind: 'add', memberId, role }, now))) throw noSuchGroup();
  return { groupId, memberId, role };
}

export { noSuchGroup };

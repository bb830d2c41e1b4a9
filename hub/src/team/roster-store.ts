import { sql, type Kysely, type Transaction } from 'kysely';
import { editRoster, emptyRoster, latestRosterStamp, roster as rosterSchema, rosterMembers, tickHlc, type Hlc, type Roster, type RosterEdit } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { HubRefusal } from '../hub-refusal.js';

type Db = Kysely<HubTables> | Transaction<HubTables>;

/**
 * The node id of the hub's own roster edits (the online routes). A laptop may not push as it: its
 * stamps would collide with the hub's, and an observed-remove tag shared by two adds would let a
 * remove of one take the other.
 */
export const HUB_NODE = 'hub';

/**
 * A roster whose merged state would pass the protocol's bounds no more (a member added and
 * removed a thousand times, a hundred thousand removes): refused, so every laptop can still pull it.
 */
export const rosterFull = (groupId: string) =>
  new HubRefusal(413, 'roster-full', `The roster of group ${groupId} would hold more adds and removes than a roster may; nothing was merged. Make a new group.`);

/** Locks the academy's roster head for this transaction (its roster writes apply one at a time, in every hub process); its version. */
export async function lockRosterHead(trx: Transaction<HubTables>, org: string): Promise<number> {
  await trx.insertInto('roster_heads').values({ organisation_id: org, version: 0 }).onConflict((oc) => oc.column('organisation_id').doNothing()).execute();
  await trx.updateTable('roster_heads').set({ version: sql`version` }).where('organisation_id', '=', org).execute();
  return Number((await trx.selectFrom('roster_heads').select('version').where('organisation_id', '=', org).executeTakeFirstOrThrow()).version);
}

export const setRosterHead = (trx: Transaction<HubTables>, org: string, version: number) =>
  trx.updateTable('roster_heads').set({ version }).where('organisation_id', '=', org).execute();

/** A stamp of the hub's after everything the roster holds (so an online edit wins over what the hub has seen). */
export function hubStamp(r: Roster, nowMs: number): Hlc {
  const last = latestRosterStamp(r);
  return tickHlc({ ms: last?.ms ?? 0, n: last?.n ?? 0, node: HUB_NODE }, nowMs);
}

/**
 * A group's roster, or null when the group is not the organisation's. Members put into
 * group_members without the roster (written before rosters, or by hand) are adopted into it as
 * adds of the hub's, so the roster always holds every member the table does.
 */
export async function readRoster(trx: Db, org: string, groupId: string, nowMs: number): Promise<{ roster: Roster; version: number } | null> {
  const g = await trx
    .selectFrom('groups')
    .leftJoin('group_rosters', 'group_rosters.group_id', 'groups.id')
    .select(['groups.organisation_id', 'group_rosters.state', 'group_rosters.version'])
    .where('groups.id', '=', groupId)
    .executeTakeFirst();
  if (!g || g.organisation_id !== org) return null;
  let roster = g.state ? (JSON.parse(g.state) as Roster) : emptyRoster();
  const held = new Set(rosterMembers(roster).map((m) => m.memberId));
  const rows = await trx.selectFrom('group_members').select(['member_id', 'role']).where('group_id', '=', groupId).orderBy('member_id').execute();
  for (const r of rows) if (!held.has(r.member_id)) roster = editRoster(roster, { kind: 'add', memberId: r.member_id, role: r.role }, hubStamp(roster, nowMs));
  return { roster, version: Number(g.version ?? 0) };
}

/** Stores a roster at `version` and makes group_members (and the group's name) follow it: only what changed is written. */
export async function writeRoster(trx: Transaction<HubTables>, org: string, groupId: string, before: Roster, after: Roster, version: number): Promise<void> {
  const state = JSON.stringify(after);
  await trx
    .insertInto('group_rosters')
    .values({ group_id: groupId, organisation_id: org, state, version })
    .onConflict((oc) => oc.column('group_id').doUpdateSet({ state, version }))
    .execute();
  const was = new Map(rosterMembers(before).map((m) => [m.memberId, m.role]));
  const now = new Map(rosterMembers(after).map((m) => [m.memberId, m.role]));
  const gone = [...was.keys()].filter((m) => !now.has(m));
  if (gone.length) await trx.deleteFrom('group_members').where('group_id', '=', groupId).where('member_id', 'in', gone).execute();
  for (const [memberId, role] of now) {
    if (was.get(memberId) === role) continue;
    await trx
      .insertInto('group_members')
      .values({ group_id: groupId, member_id: memberId, role })
      .onConflict((oc) => oc.columns(['group_id', 'member_id']).doUpdateSet({ role }))
      .execute();
  }
  if (after.name && after.name.value !== before.name?.value) await trx.updateTable('groups').set({ name: after.name.value }).where('id', '=', groupId).execute();
}

/** One edit made online (the hub's routes), stamped by the hub, merged like a laptop's: returns false when the group is not the organisation's. */
export async function editRosterOnline(db: Kysely<HubTables>, org: string, groupId: string, edit: RosterEdit, nowMs: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const head = await lockRosterHead(trx, org);
    const cur = await readRoster(trx, org, groupId, nowMs);
    if (!cur) return false;
    const after = editRoster(cur.roster, edit, hubStamp(cur.roster, nowMs));
    if (!rosterSchema.is(after)) throw rosterFull(groupId);
    await writeRoster(trx, org, groupId, cur.roster, after, head + 1);
    await setRosterHead(trx, org, head + 1);
    return true;
  });
}

import type { Kysely } from 'kysely';
import type { Roster, RosterPull } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import type { Member } from '../organisations/members.js';

export const ROSTER_PULL_PAGE = 50;

/**
 * The rosters the caller may read changed after `after`, oldest change first, one page: every
 * group of the academy for its admin, else the groups the caller is in now. Each with the names of
 * the members it holds (a laptop shows people, not ids).
 */
export async function pullRosters(db: Kysely<HubTables>, member: Member, after: number, limit = ROSTER_PULL_PAGE): Promise<RosterPull> {
  const org = member.organisationId;
  const head = await db.selectFrom('roster_heads').select('version').where('organisation_id', '=', org).executeTakeFirst();
  let q = db
    .selectFrom('group_rosters')
    .select(['group_id', 'state', 'version'])
    .where('organisation_id', '=', org)
    .where('version', '>', after)
    .orderBy('version')
    .limit(limit + 1);
  if (member.role !== 'admin') q = q.where('group_id', 'in', db.selectFrom('group_members').select('group_id').where('member_id', '=', member.id));
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const rosters = page.map((r) => ({ groupId: r.group_id, roster: JSON.parse(r.state) as Roster, version: Number(r.version) }));
  const ids = [...new Set(rosters.flatMap((r) => Object.keys(r.roster.members.adds)))];
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const found = await db.selectFrom('members').select(['id', 'name']).where('organisation_id', '=', org).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const m of found) names.set(m.id, m.name.slice(0, 200));
  }
  return {
    rosters: rosters.map((r) => ({ ...r, names: Object.fromEntries(Object.keys(r.roster.members.adds).filter((m) => names.has(m)).map((m) => [m, names.get(m)!])) })),
    next: rows.length > limit ? Number(page.at(-1)!.version) : null,
    head: Number(head?.version ?? 0),
  };
}

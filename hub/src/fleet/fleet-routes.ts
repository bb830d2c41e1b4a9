import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { fleetDistribution, HubRoutes, type HubFleetDistribution, type HubFleetParams, type HubFleetQuery } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { serveHubRoute } from '../hub-route.js';
import type { Member } from '../organisations/members.js';
import { noSuchGroup, roleIn } from '../team/groups.js';
import { readFleetLapColumns } from './hub-lap-columns.js';

/** Every group of the caller's organisation that the caller is in (any role). */
async function groupsOf(db: Kysely<HubTables>, caller: Member): Promise<string[]> {
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select('group_members.group_id')
    .where('group_members.member_id', '=', caller.id)
    .where('groups.organisation_id', '=', caller.organisationId)
    .orderBy('group_members.group_id')
    .execute();
  return rows.map((r) => r.group_id);
}

/**
 * A track's distributions on the hub: the laps of one group (its members only; anyone else gets
 * the same 404 as for a group that does not exist) or of every group the caller is in, through
 * protocol's fleetDistribution, the code the companion runs offline.
 */
export async function hubFleetDistribution(db: Kysely<HubTables>, caller: Member, p: HubFleetParams, q: HubFleetQuery): Promise<HubFleetDistribution> {
  const started = performance.now();
  let groups: string[];
  if (q.groupId !== undefined) {
    if ((await roleIn(db, caller, q.groupId)) === null) throw noSuchGroup();
    groups = [q.groupId];
  } else groups = await groupsOf(db, caller);
  const cols = await readFleetLapColumns(db, p.trackId, groups);
  const d = fleetDistribution(cols, { groupBy: q.groupBy, mark: q.mark });
  return {
    scope: q.groupId !== undefined ? 'group' : 'organisation',
    groups,
    distribution: { ...d, trackId: p.trackId, trackName: p.trackId, mark: q.mark ?? null, corners: [], computeMs: Math.round((performance.now() - started) * 10) / 10 },
  };
}

export function serveFleetRoutes(app: FastifyInstance, db: Kysely<HubTables>): void {
  serveHubRoute(app, db, HubRoutes.fleetDistribution, async ({ params, query, member }) => ({ status: 200, answer: await hubFleetDistribution(db, member, params, query) }));
}

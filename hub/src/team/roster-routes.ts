import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { HubRoutes } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { serveHubRoute } from '../hub-route.js';
import { ROSTER_PULL_PAGE, pullRosters } from './roster-pull.js';
import { pushRosters } from './roster-push.js';

/** Team rosters edited offline: a laptop pushes what it edited, and pulls what changed. */
export function serveRosterRoutes(app: FastifyInstance, db: Kysely<HubTables>, now: () => number): void {
  serveHubRoute(app, db, HubRoutes.rosterPush, async ({ body, member }) => ({ status: 200, answer: await pushRosters(db, member, body, now()) }));
  serveHubRoute(app, db, HubRoutes.rosterPull, async ({ query, member }) => ({
    status: 200,
    answer: await pullRosters(db, member, Number(query.after ?? 0), query.limit === undefined ? ROSTER_PULL_PAGE : Number(query.limit)),
  }));
}

import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { HubRoutes } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { serveHubRoute } from '../hub-route.js';
import { addGroupMember, createGroup } from './groups.js';
import { groupSessions, readSession, shareSession } from './shared-sessions.js';
import { shareSessions } from './share-sessions.js';

/** Team mode's routes: groups, their members, sessions shared with them. */
export function serveTeamRoutes(app: FastifyInstance, db: Kysely<HubTables>, now: () => number): void {
  serveHubRoute(app, db, HubRoutes.createGroup, async ({ body, member }) => ({ status: 201, answer: await createGroup(db, member, body.name, now()) }));
  serveHubRoute(app, db, HubRoutes.addGroupMember, async ({ params, body, member }) => ({
    status: 200,
    answer: await addGroupMember(db, member, params.groupId, body.memberId, body.role),
  }));
  serveHubRoute(app, db, HubRoutes.shareSession, async ({ params, body, member }) => ({ status: 200, answer: await shareSession(db, member, params, body, now()) }));
  serveHubRoute(app, db, HubRoutes.shareSessionBatch, async ({ body, member }) => {
    const name = (i: number) => `sessions/${i} (unit ${body.sessions[i]!.unitId}, session ${body.sessions[i]!.sessionId})`;
    const rows = await shareSessions(db, member, body.sessions, now(), name);
    return { status: 200, answer: { updatedAt: rows[0]!.updated_at, sessions: rows.map((r, i) => ({ unitId: r.unit_id, sessionId: r.session_id, laps: body.sessions[i]!.laps.length })) } };
  });
  serveHubRoute(app, db, HubRoutes.readSession, async ({ params, member }) => ({ status: 200, answer: await readSession(db, member, params) }));
  serveHubRoute(app, db, HubRoutes.groupSessions, async ({ params, query, member }) => ({
    status: 200,
    answer: await groupSessions(db, member, params.groupId, query.after),
  }));
}

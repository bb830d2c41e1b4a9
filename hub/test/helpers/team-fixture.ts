import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { HubRoutes, type Group, type SharedSessionBatchItem } from '@pitwall/protocol';
import type { HubDatabase } from '../../src/db/open-database.js';
import { addMember } from '../../src/organisations/members.js';

/** A member of an organisation, as a test calls the hub for them. */
export interface Person {
  id: string;
  token: string;
}

export const routePath = (p: string, params: Record<string, string>) => p.replace(/:([A-Za-z]+)/g, (_, k: string) => params[k]!);

export function call(app: FastifyInstance, who: Person, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object | string) {
  return app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${who.token}`, ...(typeof payload === 'string' ? { 'content-type': 'application/json' } : {}) },
    ...(payload === undefined ? {} : { payload }),
  });
}

export async function person(hubDb: HubDatabase, orgId: string, name: string, role = 'member'): Promise<Person> {
  const m = await addMember(hubDb.db, orgId, name, role);
  return { id: m.memberId, token: m.token };
}

export async function newGroup(app: FastifyInstance, admin: Person, name: string): Promise<string> {
  const res = await call(app, admin, 'POST', HubRoutes.createGroup.path, { name });
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as Group).groupId;
}

export async function join(app: FastifyInstance, who: Person, groupId: string, memberId: string, role: string): Promise<void> {
  const res = await call(app, who, 'POST', routePath(HubRoutes.addGroupMember.path, { groupId }), { memberId, role });
  assert.equal(res.statusCode, 200, res.body);
}

/** One session of a batch: `laps` laps of about a minute, three sectors each. */
export function batchItem(unitId: string, sessionId: string, groups: string[], lapMs = 61_000, laps = 3): SharedSessionBatchItem {
  return {
    unitId,
    sessionId,
    startedAt: '2026-05-01T10:00:00.000Z',
    trackId: 'catalog:lydd-international',
    laps: Array.from({ length: laps }, (_, i) => ({ lap: i + 1, timeMs: lapMs + i, sectorsMs: [20_000, 20_000, lapMs + i - 40_000] })),
    groups,
  };
}

export const shareBatch = (app: FastifyInstance, who: Person, sessions: unknown) => call(app, who, 'POST', HubRoutes.shareSessionBatch.path, { sessions });

/** Every shared session and share the hub holds, in key order: what a refused batch must leave as it was. */
export async function sharedState(hubDb: HubDatabase) {
  const sessions = await hubDb.db.selectFrom('shared_sessions').selectAll().orderBy('unit_id').orderBy('session_id').execute();
  const shares = await hubDb.db.selectFrom('session_shares').selectAll().orderBy('group_id').orderBy('unit_id').orderBy('session_id').execute();
  const packed = (await hubDb.db.selectFrom('fleet_lap_columns').selectAll().orderBy('unit_id').orderBy('session_id').execute()).map((r) => ({ ...r, columns: Buffer.from(r.columns).toString('hex') }));
  return { sessions, shares, packed };
}

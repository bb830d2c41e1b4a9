import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { HubRoutes } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { serveHubRoute } from '../hub-route.js';
import { PULL_PAGE_DEFAULT, pullRegistry } from './registry-pull.js';
import { pushBook } from './registry-push.js';

/** The track registry's routes: a member pushes a laptop's book, and pulls the organisation's registry. */
export function serveRegistryRoutes(app: FastifyInstance, db: Kysely<HubTables>, now: () => number): void {
  serveHubRoute(app, db, HubRoutes.registryPush, async ({ body, member }) => ({ status: 200, answer: await pushBook(db, member, body, now()) }));
  serveHubRoute(app, db, HubRoutes.registryPull, async ({ query, member }) => ({
    status: 200,
    answer: await pullRegistry(db, member, Number(query.after ?? 0), query.limit === undefined ? PULL_PAGE_DEFAULT : Number(query.limit)),
  }));
}

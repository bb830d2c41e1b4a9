import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchRoute, Routes, type RouteKey } from '@pitwall/protocol';

/**
 * The routes of the table a fake unit does not serve, each with the reason. A fake answers
 * them 404 like any unknown path; the route contract test checks both halves: every route a
 * fake does not declare here conforms to the table, every route it declares here answers 404.
 */
export type MissingRoutes = Partial<Record<RouteKey, string>>;

const RECOVERY_ONLY = 'served only in recovery mode (the recovery button held at boot), never by a running unit';
/** The recovery routes: no running unit (the sim unit, a fake) serves them. */
export const RECOVERY_ROUTES_MISSING = { recovery: RECOVERY_ONLY, recoveryRollback: RECOVERY_ONLY, recoveryInstall: RECOVERY_ONLY, factoryReset: RECOVERY_ONLY } as const satisfies MissingRoutes;

export interface FakeRequest {
  key: RouteKey;
  params: Record<string, string>;
  url: URL;
}

/** The table route a fake was asked for (paths only ever come from the table), or null. */
export function fakeRoute(req: IncomingMessage): FakeRequest | null {
  const url = new URL(req.url ?? '/', 'https://unit');
  const hit = matchRoute(Routes, req.method ?? 'GET', url.pathname);
  return hit ? { key: hit.key, params: hit.params, url } : null;
}

/** The unit's 404 for a path it does not serve (the ApiError shape). */
export function notFound(res: ServerResponse, what = 'no such endpoint'): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'not-found', message: what } }));
}

/**
 * Wi-Fi provisioning over the HTTPS API: owner and dealer change it, staff may look, support
 * gets nothing. Bodies are checked here (not coerced by the server's validator), every change is
 * an audit record without the secret, and no answer carries a password.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError, WifiNetworkList, WifiProfile, WifiProfileList, WifiStatus, wifiAddRequest, wifiModeRequest, wifiPriorityRequest, type Operator } from '@pitwall/protocol';
import { asWifiError, type WifiActor, type WifiService } from '../ops/network/wifi-service.js';

export interface WifiRoutesDeps {
  wifi: WifiService;
  send(reply: FastifyReply, status: number, code: string, message: string): void;
}

const NoQuery = Type.Object({}, { additionalProperties: false });
const ScanQuery = Type.Object({ rescan: Type.Optional(Type.Union([Type.Literal('yes'), Type.Literal('no')])) }, { additionalProperties: false });
const UuidParams = Type.Object({ uuid: Type.String({ maxLength: 36 }) }, { additionalProperties: false });
const errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 413: ApiError, 500: ApiError, 502: ApiError, 503: ApiError, 504: ApiError };
const BODY_MAX = 4096;

const actor = (op: Operator): WifiActor => ({ fingerprint: op.fingerprint, role: op.role, name: op.name, via: 'network' });

/** The validator's first complaint, never the value (a password field must not come back). */
function bodyProblem(v: { parse(x: unknown): unknown }, body: unknown): string | null {
  try {
    v.parse(body);
    return null;
  } catch (err) {
    return (err as Error).message.replace(/got .*$/s, '').slice(0, 300);
  }
}

export function registerWifiRoutes(app: FastifyInstance, d: WifiRoutesDeps): void {
  const run = async <T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      const e = asWifiError(err);
      d.send(reply, e.status, e.code, e.message);
      return undefined;
    }
  };
  const read = { config: { access: 'wifi-read' as const } };
  const change = { config: { access: 'wifi' as const }, bodyLimit: BODY_MAX };

  app.get('/v1/wifi/status', { ...read, schema: { querystring: NoQuery, response: { 200: WifiStatus, ...errors } } }, () => d.wifi.status());
  app.get<{ Querystring: { rescan?: 'yes' | 'no' } }>('/v1/wifi/networks', { ...read, schema: { querystring: ScanQuery, response: { 200: WifiNetworkList, ...errors } } }, (req, reply) =>
    run(reply, async () => ({ networks: await d.wifi.scan(req.query.rescan === 'yes') })),
  );
  app.get('/v1/wifi/profiles', { ...read, schema: { querystring: NoQuery, response: { 200: WifiProfileList, ...errors } } }, (_req, reply) => run(reply, async () => ({ profiles: await d.wifi.list() })));

  app.post<{ Body: unknown }>('/v1/wifi/profiles', { ...change, schema: { querystring: NoQuery, response: { 200: WifiProfile, ...errors } } }, async (req, reply) => {
    const problem = bodyProblem(wifiAddRequest, req.body);
    if (problem) return d.send(reply, 400, 'bad-wifi-request', `network refused, nothing changed: ${problem}`);
    return run(reply, () => d.wifi.add(wifiAddRequest.parse(req.body), actor(req.operator!)));
  });
  app.delete<{ Params: { uuid: string } }>('/v1/wifi/profiles/:uuid', { ...change, schema: { params: UuidParams, querystring: NoQuery, response: { 200: Type.Object({ removed: Type.String() }), ...errors } } }, (req, reply) =>
    run(reply, async () => {
      await d.wifi.remove(req.params.uuid, actor(req.operator!));
      return { removed: req.params.uuid };
    }),
  );
  app.put<{ Params: { uuid: string }; Body: unknown }>('/v1/wifi/profiles/:uuid/priority', { ...change, schema: { params: UuidParams, querystring: NoQuery, response: { 200: WifiProfileList, ...errors } } }, async (req, reply) => {
    const problem = bodyProblem(wifiPriorityRequest, req.body);
    if (problem) return d.send(reply, 400, 'bad-wifi-request', `priority refused, nothing changed: ${problem} (client networks take -999..998; 999 is the support network's)`);
    return run(reply, async () => {
      await d.wifi.priority(req.params.uuid, wifiPriorityRequest.parse(req.body).priority, actor(req.operator!));
      return { profiles: await d.wifi.list() };
    });
  });
  app.post<{ Params: { uuid: string } }>('/v1/wifi/profiles/:uuid/connect', { ...change, schema: { params: UuidParams, querystring: NoQuery, response: { 200: WifiStatus, ...errors } } }, (req, reply) =>
    run(reply, () => d.wifi.connect(req.params.uuid, actor(req.operator!))),
  );
  // The latch's position takes effect at boot; only the owner may apply a mode at once.
  app.put<{ Body: unknown }>('/v1/wifi/mode', { config: { access: 'admin' }, bodyLimit: BODY_MAX, schema: { querystring: NoQuery, response: { 200: WifiStatus, ...errors } } }, async (req, reply) => {
    const problem = bodyProblem(wifiModeRequest, req.body);
    if (problem) return d.send(reply, 400, 'bad-wifi-request', `mode refused, nothing changed: ${problem}`);
    return run(reply, () => d.wifi.setMode(wifiModeRequest.parse(req.body).mode, actor(req.operator!)));
  });
}

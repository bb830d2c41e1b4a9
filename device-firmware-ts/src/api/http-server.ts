import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { compileSerializersOnUse } from './serializers-on-use.js';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  FIRMWARE_COMMIT_HEADER,
  FIRMWARE_VERSION_HEADER,
  METHOD_CHECKED_PATHS,
  Routes,
  type ApiError,
  type DeviceInfo as DeviceInfoT,
  type DeviceStatus as DeviceStatusT,
} from '@pitwall/protocol';
import { toLiveFix } from '../pipeline/gnss-state.js';
import type { GnssFix } from '../pipeline/nmea-decoder.js';
import type { Logger } from '../ops/logger.js';
import { peerFingerprint, registerAuth, type Auth } from './auth-hook.js';
import { connectionLimitsFor, fileLimit, guardConnections, type ConnectionGuard, type ConnectionLimits } from './connection-guard.js';
import { registerIdentityRoutes } from './identity-routes.js';
import { registerOpsRoutes, type OpsRouteDeps } from './ops-routes.js';
import { answerOnSocket, limitRequestTime } from './request-deadline.js';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, unitServerOptions } from './unit-server-options.js';
import { IdentityError, type PairingService } from '../identity/pairing-service.js';
import type { OperatorStore } from '../identity/operator-store.js';
import type { AuditLog } from '../identity/audit-log.js';
import type { PairingWindow } from '../identity/pairing-window.js';
import { registerSessionRoutes, type SessionRoutesDeps } from './session-routes.js';
import { registerTrackRoutes } from './track-routes.js';
import { registerWifiRoutes } from './wifi-routes.js';
import type { WifiService } from '../ops/network/wifi-service.js';
import { recordRoutes, serve, type RegisteredRoute } from './table-route.js';
import { registerUpdateRoutes, type UpdateRouteDeps } from './update-routes.js';
import { registerSupportRoutes } from './support-routes.js';
import type { SupportMode } from '../ops/support/support-mode.js';
import type { LicenseService } from '../license/license-service.js';
import { registerLicenseRoutes } from './license-routes.js';
import { registerHubRegistrationRoutes } from './hub-registration-routes.js';
import type { HubRegistrations } from '../identity/hub-registrations.js';
import { lapWithoutSectors, registerLicenseGate, timingWithoutSectors } from './license-gate.js';

/** A live event besides fixes: lap timing (throttled by the data path) and completed laps. */
import type { LiveEvent } from '../pipeline/start-data-path.js';
export type { LiveEvent };

const HEARTBEAT_MS = 15_000;
const OTHER_METHODS = ['DELETE', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

export interface HttpServerDeps {
  info: DeviceInfoT;
  status: () => DeviceStatusT;
  /** Subscribes to fixes; returns the unsubscribe function. */
  onFix: (listener: (fix: GnssFix) => void) => () => void;
  /** Subscribes to timing and lap events; returns the unsubscribe function. */
  onLive?: (listener: (e: LiveEvent) => void) => () => void;
  sessions?: Omit<SessionRoutesDeps, 'send'>;
  log: Logger;
  heartbeatMs?: number;
  /** TLS certificate and key (the identity key, or a throw-away key while the identity is broken). */
  tls: { keyPem: string; certPem: string };
  identityOk: boolean;
  operators: OperatorStore;
  audit: AuditLog;
  pairing: PairingService;
  window: PairingWindow;
  /** Logs, health and crash dumps (absent in tests of the bare API). */
  ops?: OpsRouteDeps;
  /** Connection caps (default: from the process's file limit, see connectionLimitsFor). */
  limits?: ConnectionLimits;
  /** Where the own tracks pushed by a companion are kept (absent in tests of the bare API). */
  dataDir?: string;
  /** Wi-Fi provisioning (absent in tests of the bare API). */
  wifi?: WifiService;
  /** The update's state and both slots (absent in tests of the bare API). */
  update?: UpdateRouteDeps;
  /** Support mode (absent in tests of the bare API). */
  support?: SupportMode;
  /** The licence: its routes and the feature gate (absent in tests of the bare API: nothing gated). */
  license?: LicenseService;
  /** Registration with a hub: signed requests, the hubs' records (absent in tests of the bare API). */
  hubRegistrations?: HubRegistrations;
}


export interface HttpServer {
  readonly app: FastifyInstance;
  readonly auth: Auth;
  readonly connections: ConnectionGuard;
  /** Every route the server registered (method and path), HEAD and 405 answers included. */
  readonly routes: readonly RegisteredRoute[];
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

function errorBody(code: string, message: string): ApiError {
  return { error: { code, message } };
}

const requestTimedOut = (): ApiError =>
  errorBody('request-timeout', `the request did not arrive in time (headers within ${HEADERS_TIMEOUT_MS / 1000} s, the whole request within ${REQUEST_TIMEOUT_MS / 1000} s)`);

export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const firmwareHeaders = {
    [FIRMWARE_VERSION_HEADER]: deps.info.firmware.version,
    [FIRMWARE_COMMIT_HEADER]: deps.info.firmware.commit,
  };
  // Precomputed: /v1/info is the hot path of discovery and of the benchmark.
  const infoJson = JSON.stringify(deps.info);
  const streams = new Set<ServerResponse>();

  const app = Fastify({
    ...unitServerOptions(deps.tls),
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    // Unparsable HTTP (after TLS): answer in the API's own error shape, then close.
    clientErrorHandler(err, socket) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_HTTP_REQUEST_TIMEOUT') answerOnSocket(socket as Socket, '408 Request Timeout', requestTimedOut());
      else answerOnSocket(socket as Socket, '400 Bad Request', errorBody('bad-request', `malformed HTTP request (${code ?? 'parse error'})`));
    },
    frameworkErrors(err, _req, reply) {
      void (reply as FastifyReply).code(400).headers(firmwareHeaders).send(errorBody('bad-request', err.message));
    },
  });

  compileSerializersOnUse(app as unknown as FastifyInstance);
  const routes = recordRoutes(app as unknown as FastifyInstance);
  limitRequestTime(app as unknown as FastifyInstance, REQUEST_TIMEOUT_MS, requestTimedOut);
  app.addHook('onRequest', async (_req, reply) => {
    reply.headers(firmwareHeaders);
  });
  // The validator coerces "1e999" to Infinity and lets it past every bound (minimum and
  // maximum alike): a query number must be finite and, where whole, a safe integer.
  app.addHook('preHandler', async (req, reply) => {
    const q = req.query as Record<string, unknown> | undefined;
    if (!q) return;
    for (const k in q) {
      const v = q[k];
      if (typeof v === 'number' && (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v)))) {
        return reply.code(400).send(errorBody('bad-request', `invalid querystring for ${req.url.split('?')[0]}: ${k} is out of range`));
      }
    }
  });
  const send = (reply: FastifyReply, status: number, code: string, message: string) => void reply.code(status).send(errorBody(code, message));
  const connections = guardConnections(app.server, deps.limits ?? connectionLimitsFor(), (tls) => {
    const fp = peerFingerprint(tls);
    const op = fp ? deps.operators.get(fp) : undefined;
    return op !== undefined && op.revokedAt === null;
  });
  const fastify = app as unknown as FastifyInstance;
  const auth: Auth = registerAuth(fastify, { operators: deps.operators, audit: deps.audit, identityOk: deps.identityOk, send });
  if (deps.license) registerLicenseGate(fastify, deps.license, send);
  registerIdentityRoutes(fastify, { pairing: deps.pairing, operators: deps.operators, window: deps.window, auth: () => auth, audit: deps.audit });
  if (deps.ops) registerOpsRoutes(fastify, deps.ops);

  if (deps.sessions) registerSessionRoutes(fastify, { ...deps.sessions, send });
  if (deps.dataDir) registerTrackRoutes(fastify, { dataDir: deps.dataDir, audit: deps.audit, log: deps.log, send });
  if (deps.wifi) registerWifiRoutes(fastify, { wifi: deps.wifi, send });
  if (deps.update) registerUpdateRoutes(fastify, deps.update, { audit: deps.audit, log: deps.log, send });
  if (deps.support) registerSupportRoutes(fastify, { support: deps.support, send });
  if (deps.license) registerLicenseRoutes(fastify, { license: deps.license, send });
  if (deps.hubRegistrations) registerHubRegistrationRoutes(fastify, { registrations: deps.hubRegistrations, send });

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody('not-found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
    reply.headers(firmwareHeaders);
    if (err instanceof IdentityError) return reply.code(err.status).send(errorBody(err.code, err.message));
    if (err.validation) {
      const where = (err as { validationContext?: string }).validationContext ?? 'request';
      return reply.code(400).send(errorBody('bad-request', `invalid ${where} for ${req.url.split('?')[0]}: ${err.message}`));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 413 || status === 415) return reply.code(status).send(errorBody(status === 413 ? 'too-large' : 'unsupported-media-type', err.message));
    if (status === 500) deps.log.error(`${req.method} ${req.url.split('?')[0]}: ${err.message}`, { err });
    return reply.code(status).send(errorBody(status === 500 ? 'internal' : 'bad-request', status === 500 ? 'internal error' : err.message));
  });

  serve(fastify, Routes.info, (_req, reply) => {
    // A string body with a JSON content type is sent as is (no re-serialization).
    void reply.type('application/json; charset=utf-8').send(infoJson);
  });

  serve(fastify, Routes.status, async () => {
    await deps.license?.ready();
    return deps.status();
  });

  serve(fastify, Routes.live, (req, reply) => {
    serveLive(req, reply, req.query.maxHz);
  });

  for (const url of METHOD_CHECKED_PATHS) {
    app.route({
      method: [...OTHER_METHODS],
      url,
      config: url === Routes.info.path ? { access: 'public' } : {},
      handler: (req, reply) => {
        void reply.code(405).header('allow', 'GET, HEAD').send(errorBody('method-not-allowed', `${req.method} is not allowed on ${url}; use GET`));
      },
    });
  }

  function serveLive(req: FastifyRequest, reply: FastifyReply, maxHz: number | undefined): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...firmwareHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write(': pitwall live fixes, timing and laps\nretry: 2000\n\n');
    streams.add(res);
    const minGapMs = maxHz ? 1000 / maxHz : 0;
    let lastSent = -Infinity;
    const unsubscribe = deps.onFix((fix) => {
      const live = toLiveFix(fix);
      // Ended by close() while the unsubscribe (on 'close') is still pending.
      if (!live || res.writableEnded) return;
      const now = performance.now();
      if (now - lastSent < minGapMs - 1) return;
      lastSent = now;
      res.write(`event: fix\ndata: ${JSON.stringify(live)}\n\n`);
    });
    let lastTiming = -Infinity;
    const unsubscribeLive = deps.onLive?.((e) => {
      if (res.writableEnded) return;
      if (e.event === 'timing') {
        const now = performance.now();
        if (now - lastTiming < minGapMs - 1) return;
        lastTiming = now;
      }
      // Sector times are the `sectors` feature: without it the stream carries laps, not splits.
      const sectors = deps.license?.allows('sectors') ?? true;
      const data = sectors ? e.data : e.event === 'timing' ? timingWithoutSectors(e.data) : lapWithoutSectors(e.data);
      res.write(`event: ${e.event}\ndata: ${JSON.stringify(data)}\n\n`);
    });
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': heartbeat\n\n');
    }, deps.heartbeatMs ?? HEARTBEAT_MS);
    const cleanup = () => {
      clearInterval(heartbeat);
      unsubscribe();
      unsubscribeLive?.();
      streams.delete(res);
    };
    req.raw.once('close', cleanup);
    res.once('close', cleanup);
    res.on('error', cleanup);
  }

  return {
    app: fastify,
    auth,
    connections,
    routes,
    async listen(port, host = '0.0.0.0') {
      await app.listen({ port, host });
      deps.log.info(`api: at most ${connections.limits.maxConnections} connections (file limit ${fileLimit()})`);
      // What Fastify registered, for the route contract test (every one must be in the route table).
      deps.log.info(`api: ${routes.length} routes registered`, { routes: routes.map((r) => `${r.method} ${r.url}`) });
      const addr = app.server.address();
      return typeof addr === 'object' && addr ? addr.port : port;
    },
    async close() {
      for (const res of streams) res.end();
      streams.clear();
      await app.close();
    },
  };
}

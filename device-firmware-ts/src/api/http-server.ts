import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Type, type Static } from '@sinclair/typebox';
import {
  ApiError,
  DeviceInfo,
  DeviceStatus,
  FIRMWARE_COMMIT_HEADER,
  FIRMWARE_VERSION_HEADER,
  type DeviceInfo as DeviceInfoT,
  type DeviceStatus as DeviceStatusT,
} from '@pitwall/protocol';
import { toLiveFix } from '../pipeline/gnss-state.js';
import type { GnssFix } from '../pipeline/nmea-decoder.js';
import type { Logger } from '../ops/logger.js';

/** Query of GET /v1/live: cap the event rate (default: every fix). */
export const LiveQuery = Type.Object(
  { maxHz: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'at most this many fix events per second' })) },
  { additionalProperties: false },
);
type LiveQuery = Static<typeof LiveQuery>;

const NoQuery = Type.Object({}, { additionalProperties: false });
const HEARTBEAT_MS = 15_000;
const ROUTES = ['/v1/info', '/v1/status', '/v1/live'];
const OTHER_METHODS = ['DELETE', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

export interface HttpServerDeps {
  info: DeviceInfoT;
  status: () => DeviceStatusT;
  /** Subscribes to fixes; returns the unsubscribe function. */
  onFix: (listener: (fix: GnssFix) => void) => () => void;
  log: Logger;
  heartbeatMs?: number;
}

export interface HttpServer {
  readonly app: FastifyInstance;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

function errorBody(code: string, message: string): ApiError {
  return { error: { code, message } };
}

export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const firmwareHeaders = {
    [FIRMWARE_VERSION_HEADER]: deps.info.firmware.version,
    [FIRMWARE_COMMIT_HEADER]: deps.info.firmware.commit,
  };
  // Precomputed: /v1/info is the hot path of discovery and of the benchmark.
  const infoJson = JSON.stringify(deps.info);
  const streams = new Set<ServerResponse>();

  const app = Fastify({
    logger: false,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    frameworkErrors(err, _req, reply) {
      void (reply as FastifyReply).code(400).headers(firmwareHeaders).send(errorBody('bad-request', err.message));
    },
  });

  app.addHook('onRequest', async (_req, reply) => {
    reply.headers(firmwareHeaders);
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody('not-found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
    reply.headers(firmwareHeaders);
    if (err.validation) {
      const where = (err as { validationContext?: string }).validationContext ?? 'request';
      return reply.code(400).send(errorBody('bad-request', `invalid ${where} for ${req.url.split('?')[0]}: ${err.message}`));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.log.error(`${req.method} ${req.url}: ${err.stack ?? err.message}`);
    return reply.code(status).send(errorBody(status === 500 ? 'internal' : 'bad-request', status === 500 ? 'internal error' : err.message));
  });

  const errors = { 400: ApiError, 404: ApiError };

  app.get('/v1/info', { schema: { querystring: NoQuery, response: { 200: DeviceInfo, ...errors } } }, (_req, reply) => {
    // A string body with a JSON content type is sent as is (no re-serialization).
    void reply.type('application/json; charset=utf-8').send(infoJson);
  });

  app.get('/v1/status', { schema: { querystring: NoQuery, response: { 200: DeviceStatus, ...errors } } }, async () => deps.status());

  app.get<{ Querystring: LiveQuery }>('/v1/live', { schema: { querystring: LiveQuery } }, (req, reply) => {
    serveLive(req, reply, req.query.maxHz);
  });

  for (const url of ROUTES) {
    app.route({
      method: [...OTHER_METHODS],
      url,
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
    res.write(': pitwall live fixes\nretry: 2000\n\n');
    streams.add(res);
    const minGapMs = maxHz ? 1000 / maxHz : 0;
    let lastSent = -Infinity;
    const unsubscribe = deps.onFix((fix) => {
      const live = toLiveFix(fix);
      if (!live) return;
      const now = performance.now();
      if (now - lastSent < minGapMs - 1) return;
      lastSent = now;
      res.write(`event: fix\ndata: ${JSON.stringify(live)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs ?? HEARTBEAT_MS);
    const cleanup = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.raw.once('close', cleanup);
    res.once('close', cleanup);
    res.once('error', cleanup);
  }

  return {
    app,
    async listen(port, host = '0.0.0.0') {
      await app.listen({ port, host });
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

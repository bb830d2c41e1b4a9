import { pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { acceptsGzip, Routes } from '@pitwall/protocol';
import type { HealthStore } from '../ops/health-store.js';
import type { CrashStore } from '../ops/crash-store.js';
import type { CrashReporter } from '../ops/crash-reporter.js';
import type { LogStore } from '../ops/log-store.js';
import { serve } from './table-route.js';

const DEFAULT_LOG_LIMIT = 100_000;

export interface OpsRouteDeps {
  health: HealthStore;
  crashes: CrashStore;
  reporter: CrashReporter;
  logs: LogStore;
}

const bad = (message: string) => ({ error: { code: 'bad-request', message } });

/** Logs, health and crash dumps: authenticated reads; the confirms are control. */
export function registerOpsRoutes(app: FastifyInstance, d: OpsRouteDeps): void {
  serve(app, Routes.health, async (req, reply) => {
    const since = req.query.since === undefined ? null : new Date(req.query.since);
    if (since !== null && (Number.isNaN(since.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(req.query.since!))) {
      return reply.code(400).send(bad(`since must be an ISO 8601 time, got "${req.query.since!.slice(0, 40)}"`));
    }
    return { snapshots: await d.health.since(since) };
  });

  serve(app, Routes.crashes, async () => {
    await d.reporter.ingestReports();
    return { crashes: d.crashes.list() };
  });

  serve(app, Routes.crash, async (req, reply) => {
    const text = d.crashes.read(req.params.id);
    if (text === null) return reply.code(404).send({ error: { code: 'not-found', message: `no crash dump "${req.params.id.slice(0, 80)}"` } });
    // The dump as stored (a string with a JSON content type is sent as is).
    return reply.type('application/json; charset=utf-8').send(text);
  });

  serve(app, Routes.confirmCrashes, async (req) => ({
    confirmed: d.crashes.confirm(req.body.ids),
  }));

  serve(app, Routes.logBoots, async () => ({ boots: await d.logs.boots() }));

  serve(app, Routes.logs, async (req, reply) => {
    const stream = await d.logs.query(req.query.boot, req.query.after ?? 0, req.query.limit ?? DEFAULT_LOG_LIMIT);
    reply.type('application/x-ndjson').header('vary', 'accept-encoding');
    if (!acceptsGzip(req.headers['accept-encoding'])) return reply.send(stream);
    // Level 1: nearly all of the size gain for a fraction of the CPU (zlib runs off the event loop).
    // A read error destroys the gzip stream with it, and the reply is cut short (no clean end).
    return reply.header('content-encoding', 'gzip').send(pipeline(stream, createGzip({ level: 1, chunkSize: 64 * 1024 }), () => undefined));
  });

  serve(app, Routes.confirmLogs, async (req) => {
    await d.logs.confirm(req.body.boot, req.body.seq);
    return { ok: true as const };
  });
}

/**
 * Session API: list, download (HTTP Range, streamed from disk), start/stop recording, confirm
 * (the companion proves it holds the file by its SHA-256) and delete (only once confirmed).
 */
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Routes, routePath, SESSION_SHA256_HEADER, type SessionMeta as SessionMetaT } from '@pitwall/protocol';
import { isSessionId, type SessionStore } from '../pipeline/session-store.js';
import { RecorderError, type SessionRecorder } from '../pipeline/session-recorder.js';
import { serve } from './table-route.js';

export interface SessionRoutesDeps {
  store: SessionStore;
  recorder: SessionRecorder;
  trackId: () => string | null;
  send(reply: FastifyReply, status: number, code: string, message: string): void;
}

const STREAM_CHUNK = 256 * 1024;

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | 'malformed';

/** One `bytes=` range against a file of `size` bytes (RFC 9110 14.1.2); several ranges are not served. */
export function parseRange(header: string, size: number): ByteRange {
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'malformed';
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Number(m[2]);
  if (last < start) return 'malformed';
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}

export function registerSessionRoutes(app: FastifyInstance, deps: SessionRoutesDeps): void {
  const { store, recorder, send } = deps;

  /** The session named by the path, or an answer already sent. */
  const lookup = (id: string, reply: FastifyReply): SessionMetaT | null => {
    if (!isSessionId(id)) {
      send(reply, 400, 'bad-session-id', 'a session id looks like 20240518T020005Z-a1b2c3');
      return null;
    }
    const meta = store.get(id);
    if (!meta) send(reply, 404, 'session-not-found', `no session ${id}`);
    return meta ?? null;
  };
  const recorderError = (reply: FastifyReply, err: unknown) => {
    if (err instanceof RecorderError) return send(reply, 409, err.code, err.message);
    throw err;
  };

  serve(app, Routes.sessions, async () => ({ sessions: store.list() }));

  serve(app, Routes.startSession, async (_req, reply) => {
    try {
      const meta = await recorder.start(true, deps.trackId());
      return reply.code(201).send(meta);
    } catch (err) {
      return recorderError(reply, err);
    }
  });

  serve(app, Routes.stopSession, async (_req, reply) => {
    try {
      return reply.send(await recorder.stop(true));
    } catch (err) {
      return recorderError(reply, err);
    }
  });

  serve(app, Routes.sessionFile, (req, reply) => {
    const meta = lookup(req.params.id, reply);
    if (!meta) return reply;
    // While recording, only what is durable so far: an append-only prefix that never changes.
    const size = meta.sizeB;
    reply.header('accept-ranges', 'bytes').header('content-disposition', `attachment; filename="${meta.id}.pws"`);
    if (meta.sha256) reply.header('etag', `"${meta.sha256}"`).header(SESSION_SHA256_HEADER, meta.sha256);
    let start = 0;
    let end = size - 1;
    const rangeHeader = req.headers.range;
    const ifRange = req.headers['if-range'];
    const rangeApplies = rangeHeader !== undefined && (ifRange === undefined || (meta.sha256 !== null && ifRange === `"${meta.sha256}"`));
    if (rangeApplies) {
      const r = parseRange(rangeHeader, size);
      if (typeof r === 'string') {
        reply.header('content-range', `bytes */${size}`);
        send(reply, 416, 'range-not-satisfiable', r === 'malformed' ? `malformed Range "${rangeHeader.slice(0, 80)}": one range, bytes=FIRST-[LAST] or bytes=-SUFFIX` : `range outside the ${size} bytes of ${meta.id}`);
        return reply;
      }
      ({ start, end } = r);
      reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    }
    reply.type('application/octet-stream').header('content-length', String(end - start + 1));
    if (end < start) return reply.send(Buffer.alloc(0));
    return reply.send(createReadStream(store.path(meta.id), { start, end, highWaterMark: STREAM_CHUNK }));
  });

  serve(app, Routes.confirmSession, async (req, reply) => {
    const meta = lookup(req.params.id, reply);
    if (!meta) return reply;
    if (meta.state !== 'closed' || !meta.sha256) return send(reply, 409, 'recording', `session ${meta.id} is still recording; confirm it once closed`);
    if (req.body.sha256 !== meta.sha256) return send(reply, 409, 'sha256-mismatch', `sha256 does not match session ${meta.id}: fetch it again`);
    return reply.send(await store.confirm(meta.id));
  });

  serve(app, Routes.deleteSession, async (req, reply) => {
    const meta = lookup(req.params.id, reply);
    if (!meta) return reply;
    if (meta.state !== 'closed') return send(reply, 409, 'recording', `session ${meta.id} is recording`);
    if (!meta.confirmed) return send(reply, 409, 'not-confirmed', `session ${meta.id} was not confirmed by a companion (POST ${routePath(Routes.confirmSession, { params: { id: meta.id } })} with its sha256)`);
    await store.remove(meta.id);
    return reply.code(204).send();
  });
}

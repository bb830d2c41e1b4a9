import { createPublicKey, randomUUID, sign, webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { createGzip, Gzip } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { acceptsGzip, type CrashDump, type HealthSnapshot, type LogRecord } from '@pitwall/protocol';
import { createSelfSignedCertificate, generateEd25519 } from '../app/src/identity/operator-certificate.js';
import { fingerprintOfKey } from '../app/src/identity/fingerprint.js';
import { fakeRoute, notFound, RECOVERY_ROUTES_MISSING, type FakeRequest, type MissingRoutes } from './fake-routes.js';

const NOT_DIAGNOSTICS = 'a stand-in for the diagnostics endpoints only (pulls, exports, benchmarks); the sim unit serves the rest';
/** What the fake does not serve; the audit log only when given `audit` lines (else: a firmware without the endpoint). */
export function fakeDiagnosticsMissing(o: Pick<FakeUnitOptions, 'audit'> = {}): MissingRoutes {
  return {
    status: NOT_DIAGNOSTICS,
    live: NOT_DIAGNOSTICS,
    pairingWindow: NOT_DIAGNOSTICS,
    pair: 'the companion pins this fake directly in its store (no pairing)',
    ownerRequests: NOT_DIAGNOSTICS,
    approveOwnerRequest: NOT_DIAGNOSTICS,
    denyOwnerRequest: NOT_DIAGNOSTICS,
    operators: NOT_DIAGNOSTICS,
    revokeOperator: NOT_DIAGNOSTICS,
    ...(o.audit ? {} : { audit: 'started without audit lines: a firmware that has no audit endpoint (the companion must cope)' }),
    sessions: NOT_DIAGNOSTICS,
    startSession: NOT_DIAGNOSTICS,
    stopSession: NOT_DIAGNOSTICS,
    sessionFile: NOT_DIAGNOSTICS,
    confirmSession: NOT_DIAGNOSTICS,
    deleteSession: NOT_DIAGNOSTICS,
    ownTracks: NOT_DIAGNOSTICS,
    pushOwnTracks: NOT_DIAGNOSTICS,
    update: NOT_DIAGNOSTICS,
    pushUpdate: NOT_DIAGNOSTICS,
    supportStatus: NOT_DIAGNOSTICS,
    supportOn: NOT_DIAGNOSTICS,
    supportOff: NOT_DIAGNOSTICS,
    wifiStatus: NOT_DIAGNOSTICS,
    wifiNetworks: NOT_DIAGNOSTICS,
    wifiProfiles: NOT_DIAGNOSTICS,
    addWifiProfile: NOT_DIAGNOSTICS,
    removeWifiProfile: NOT_DIAGNOSTICS,
    wifiPriority: NOT_DIAGNOSTICS,
    connectWifi: NOT_DIAGNOSTICS,
    wifiMode: NOT_DIAGNOSTICS,
    license: NOT_DIAGNOSTICS,
    licenseInstall: NOT_DIAGNOSTICS,
    licenseRevocations: NOT_DIAGNOSTICS,
    hubRegistration: NOT_DIAGNOSTICS,
    hubRegistrationRequest: NOT_DIAGNOSTICS,
    hubRegistrationStore: NOT_DIAGNOSTICS,
    ...RECOVERY_ROUTES_MISSING,
  };
}

/**
 * A stand-in unit for companion diagnostics tests and benchmarks (never shipped): HTTPS with
 * its own Ed25519 identity, the public info + challenge endpoints, and the diagnostics
 * endpoints of the unit contract (logs by boot and seq as NDJSON, confirm, health, crashes).
 * Authenticated endpoints need a client certificate (any: the test pins this unit in the
 * companion's store directly). Streams can be throttled so a test can kill a pull midway.
 */
export interface FakeBoot {
  boot: string;
  startedAt: string;
  /** The NDJSON lines of the boot, index i holding seq firstSeq + i. */
  lines: string[];
  firstSeq: number;
  confirmedSeq: number;
  /** Set by `freezeBoot`: the lines as one buffer, served by byte range as a unit serves its log file. */
  blob?: { buf: Buffer; offsets: number[]; count: number };
}

/**
 * Serves the boot from one buffer from now on (its lines must not change any more): byte ranges
 * of it, as the unit sends ranges of its log files, instead of strings built per request.
 */
export function freezeBoot(b: FakeBoot): void {
  const offsets = new Array<number>(b.lines.length + 1);
  let at = 0;
  for (let i = 0; i < b.lines.length; i++) {
    offsets[i] = at;
    at += Buffer.byteLength(b.lines[i]!) + 1;
  }
  offsets[b.lines.length] = at;
  b.blob = { buf: Buffer.from(b.lines.join('\n') + '\n'), offsets, count: b.lines.length };
}

export interface FakeDiagnosticsUnit {
  id: string;
  port: number;
  target: string;
  fingerprint: string;
  certificate: string;
  boots: FakeBoot[];
  health: HealthSnapshot[];
  crashes: CrashDump[];
  confirmedCrashes: Set<string>;
  requests: string[];
  /** The Content-Encoding of each log stream sent ('gzip' or 'identity'), in order. */
  logEncodings: string[];
  /** Bytes per 10 ms for log streams (0: unthrottled). */
  throttleBytesPer10ms: number;
  close(): Promise<void>;
}

export interface FakeUnitOptions {
  id?: string;
  name?: string;
  port?: number;
  /** Address to listen on (default 127.0.0.1); `target` names it, or the loopback for 0.0.0.0. */
  host?: string;
  /** Serve /v1/audit (NDJSON) with these lines; absent: 404 like a firmware without the endpoint. */
  audit?: string[];
  /**
   * Answers authenticated requests before the built-in endpoints (true: answered). The hostile
   * unit serves its mutated documents through it.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, route: FakeRequest) => boolean;
}

const SUBSYSTEMS = ['boot', 'gnss', 'imu', 'led', 'net', 'api', 'update', 'health', 'pipeline'] as const;
const LEVELS = ['debug', 'info', 'info', 'info', 'warn', 'error'] as const;
const WORDS = ['fix', 'satellites', 'lap', 'sector', 'crossing', 'sample', 'rate', 'latch', 'button', 'session', 'recorder', 'slot', 'watchdog', 'overrun', 'checksum', 'nmea', 'sentence', 'timeout'];

/** A plausible log record of `unit`/`boot` with seq `seq` (deterministic by seq). */
export function makeRecord(unit: string, boot: string, seq: number, t0: number, extra: Record<string, unknown> = {}): LogRecord {
  const w = (k: number) => WORDS[(seq * 7 + k * 13) % WORDS.length];
  return {
    time: new Date(t0 + seq * 10).toISOString(),
    level: LEVELS[seq % LEVELS.length]!,
    subsystem: SUBSYSTEMS[seq % SUBSYSTEMS.length]!,
    msg: `${w(1)} ${w(2)} ${w(3)} ${seq % 97} after ${seq % 13} ms`,
    fw: '0.4.0',
    commit: 'a1b2c3d',
    unit,
    boot,
    seq,
    ...(seq % 5 === 0 ? { durationMs: seq % 1000, stage: w(4) } : {}),
    ...extra,
  };
}

/** A boot of `count` generated records (seq 1..count unless firstSeq is given). */
export function makeBoot(unit: string, count: number, opts: { t0?: number; firstSeq?: number; boot?: string; extra?: (seq: number) => Record<string, unknown> | undefined } = {}): FakeBoot {
  const boot = opts.boot ?? randomUUID();
  const t0 = opts.t0 ?? Date.now() - count * 10 - 60_000;
  const first = opts.firstSeq ?? 1;
  const lines: string[] = new Array(count);
  for (let i = 0; i < count; i++) lines[i] = JSON.stringify(makeRecord(unit, boot, first + i, t0, opts.extra?.(first + i) ?? {}));
  return { boot, startedAt: new Date(t0).toISOString(), lines, firstSeq: first, confirmedSeq: 0 };
}

export function makeHealth(unit: string, boot: string, time: Date, over: Partial<HealthSnapshot> = {}): HealthSnapshot {
  const m = time.getTime() / 60_000;
  return {
    time: time.toISOString(),
    unit,
    boot,
    fw: '0.4.0',
    commit: 'a1b2c3d',
    uptimeS: 3600,
    cpuPct: 22 + 12 * Math.sin(m / 190) + 4 * Math.sin(m / 23),
    load: [0.4, 0.3, 0.2],
    memory: { totalB: 1_000_000_000, availableB: 600_000_000 },
    socTempC: 55 + 6 * Math.sin(m / 240),
    dataPartition: { totalB: 32e9, freeB: 20e9, usedPct: 37.5 },
    gnss: { timeToFirstFixS: 28, start: 'cold', satellites: 11 + Math.round(3 * Math.sin(m / 150)), hdop: 0.9, fixRateHz: 10 },
    imu: { sampleRateHz: 100 },
    clockSource: 'gnss',
    warnings: [],
    ...over,
  };
}

export function makeCrash(unit: string, boot: string, id: string, kind: CrashDump['kind'], message: string, lastLogs: LogRecord[], state: Record<string, unknown> = {}): CrashDump {
  return {
    id,
    time: new Date().toISOString(),
    unit,
    boot,
    fw: '0.4.0',
    commit: 'a1b2c3d',
    kind,
    error: { name: 'Error', message, stack: `Error: ${message}\n    at tick (file:///opt/pitwall/dist/pipeline/lap-timer.js:120:11)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)` },
    lastLogs,
    state: { fix: '3d', recording: true, slot: 'a', configHash: 'c0ffee', ...state },
    report: { header: { nodejsVersion: process.version, osName: 'Linux', event: kind }, javascriptStack: { message } },
  };
}

export async function startFakeDiagnosticsUnit(opts: FakeUnitOptions = {}): Promise<FakeDiagnosticsUnit> {
  const id = opts.id ?? randomUUID();
  const keys = await generateEd25519();
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const { createPrivateKey } = await import('node:crypto');
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const certificate = await createSelfSignedCertificate(keys, id);
  const fingerprint = fingerprintOfKey(createPublicKey(key));
  const info = { id, name: opts.name ?? 'Fake Diag', model: 'PW-1 (fake)', firmware: { version: '0.4.0', commit: 'a1b2c3d' }, apiVersion: 1, fingerprint };

  const unit: FakeDiagnosticsUnit = {
    id,
    port: 0,
    target: '',
    fingerprint,
    certificate,
    boots: [],
    health: [],
    crashes: [],
    confirmedCrashes: new Set(),
    requests: [],
    logEncodings: [],
    throttleBytesPer10ms: 0,
    close: async () => undefined,
  };

  const server: Server = createServer({ key: key.export({ type: 'pkcs8', format: 'pem' }), cert: certificate, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://unit');
    unit.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const readBody = (fn: (body: Record<string, unknown>) => void): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          fn(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        } catch {
          send(400, { error: { code: 'bad-request', message: 'body is not JSON' } });
        }
      });
    };
    const route = fakeRoute(req);
    if (route?.key === 'info') return send(200, info);
    const peer = (req.socket as TLSSocket).getPeerCertificate?.();
    if (!peer || Object.keys(peer).length === 0) return send(401, { error: { code: 'unauthenticated', message: 'a paired operator certificate is required' } });
    if (!route) return notFound(res);
    if (route.key === 'challenge') {
      return readBody(({ nonce }) => {
        const message = new TextEncoder().encode(`pitwall-challenge-v1\n${id}\n${String(nonce)}`);
        send(200, { signature: sign(null, message, key).toString('base64') });
      });
    }
    if (opts.routes?.(req, res, route)) return;
    if (route.key === 'logBoots') {
      return send(200, {
        boots: unit.boots.map((b) => ({ boot: b.boot, startedAt: b.startedAt, firstSeq: b.firstSeq, lastSeq: b.firstSeq + b.lines.length - 1, confirmedSeq: b.confirmedSeq })),
      });
    }
    if (route.key === 'logs') {
      const b = unit.boots.find((x) => x.boot === url.searchParams.get('boot'));
      if (!b) return send(404, { error: { code: 'not-found', message: 'no such boot' } });
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 1e9);
      const start = Math.max(0, after + 1 - b.firstSeq);
      const end = Math.min(b.lines.length, start + limit);
      // Compressed when asked, as the unit does (gzip level 1); a throttle limits the bytes before compression.
      const out = acceptsGzip(req.headers['accept-encoding']) ? gzipTo(res) : res;
      unit.logEncodings.push(out === res ? 'identity' : 'gzip');
      if (b.blob && b.blob.count === b.lines.length && unit.throttleBytesPer10ms === 0) {
        const body = b.blob.buf.subarray(b.blob.offsets[Math.min(start, end)], b.blob.offsets[end]);
        res.writeHead(200, { 'content-type': 'application/x-ndjson', ...(out === res ? { 'content-length': body.length } : { 'content-encoding': 'gzip' }) });
        return void streamBytes(res, out, body);
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson', ...(out === res ? {} : { 'content-encoding': 'gzip' }) });
      return void streamLines(res, out, b.lines, start, end, () => unit.throttleBytesPer10ms);
    }
    if (route.key === 'confirmLogs') {
      return readBody(({ boot, seq }) => {
        const b = unit.boots.find((x) => x.boot === boot);
        if (!b || typeof seq !== 'number') return send(400, { error: { code: 'bad-request', message: 'unknown boot' } });
        b.confirmedSeq = Math.max(b.confirmedSeq, seq);
        send(200, { ok: true });
      });
    }
    if (route.key === 'health') {
      const since = url.searchParams.get('since');
      const sinceMs = since ? Date.parse(since) : 0;
      return send(200, { snapshots: unit.health.filter((h) => Date.parse(h.time) > sinceMs) });
    }
    if (route.key === 'crashes') {
      return send(200, {
        crashes: unit.crashes.map((c) => ({
          id: c.id, time: c.time, kind: c.kind, message: c.error.message, fw: c.fw, commit: c.commit, boot: c.boot, sizeB: JSON.stringify(c).length, confirmed: unit.confirmedCrashes.has(c.id),
        })),
      });
    }
    if (route.key === 'crash') {
      const c = unit.crashes.find((x) => x.id === route.params.id);
      return c ? send(200, c) : send(404, { error: { code: 'not-found', message: 'no such crash' } });
    }
    if (route.key === 'confirmCrashes') {
      return readBody(({ ids }) => {
        for (const i of (ids as string[]) ?? []) unit.confirmedCrashes.add(i);
        send(200, { confirmed: (ids as string[]).length });
      });
    }
    if (route.key === 'audit' && opts.audit) {
      // Paged like the unit: lines with a seq above `after`, at most `limit`; lines without a
      // readable seq are served as they are (tests of what a companion does with them).
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 10_000);
      const seqOf = (l: string): number | null => {
        try {
          const v = (JSON.parse(l) as { seq?: unknown }).seq;
          return typeof v === 'number' ? v : null;
        } catch {
          return null;
        }
      };
      const lines = opts.audit.filter((l) => (seqOf(l) ?? Infinity) > after).slice(0, limit);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      return void res.end(lines.map((l) => `${l}\n`).join(''));
    }
    notFound(res);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  unit.port = (server.address() as AddressInfo).port;
  unit.target = `${host === '0.0.0.0' ? '127.0.0.1' : host}:${unit.port}`;
  unit.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return unit;
}

/**
 * Writes `body` in 256 KiB pieces with backpressure, as a file stream would: over TLS each piece
 * is encrypted while the companion reads the one before (one write of it all would be encrypted
 * whole before the first byte leaves).
 */
function streamBytes(res: ServerResponse, out: Writable, body: Buffer): void {
  let at = 0;
  const next = (): void => {
    while (at < body.length) {
      const piece = body.subarray(at, (at += 256 * 1024));
      if (!out.write(piece)) return void out.once('drain', next);
    }
    out.end();
  };
  res.on('close', () => (at = body.length));
  next();
}

/** Writes lines [start, end) with backpressure, in 256 KiB pieces, throttled when asked. */
async function streamLines(res: ServerResponse, out: Writable, lines: string[], start: number, end: number, throttle: () => number): Promise<void> {
  let i = start;
  let closed = false;
  res.on('close', () => (closed = true));
  while (i < end && !closed) {
    const t = throttle();
    const budget = t > 0 ? t : 256 * 1024;
    let piece = '';
    while (i < end && piece.length < budget) piece += `${lines[i++]}\n`;
    const ok = out.write(piece);
    if (t > 0) {
      if (out instanceof Gzip) out.flush();
      await new Promise((r) => setTimeout(r, 10));
    } else if (!ok) await new Promise((r) => out.once('drain', r));
  }
  out.end();
}

/** A gzip stream into `res`, ended or dropped with it. */
function gzipTo(res: ServerResponse): Gzip {
  const z = createGzip({ level: 1, chunkSize: 64 * 1024 });
  z.pipe(res);
  res.on('close', () => z.destroy());
  return z;
}

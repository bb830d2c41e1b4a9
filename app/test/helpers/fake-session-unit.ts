import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createServer, Agent, type Server } from 'node:https';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createSelfSignedCertificate } from '../../src/identity/operator-certificate.js';
import type { SyncSource } from '../../src/sessions/session-sync.js';
import { routePath, Routes, type RouteKey, type SessionMeta } from '@pitwall/protocol';
import { fakeRoute, notFound, RECOVERY_ROUTES_MISSING, type MissingRoutes } from '../../../testbed/fake-routes.js';
import type { MadeSession } from './session-files.js';

/**
 * A stand-in for a unit's session API (list, Range download with If-Range on the sha256 ETag,
 * confirm, delete after confirm), for tests only. Plain server TLS: the pinning and the
 * challenge are tested elsewhere.
 */
/** The session API only: what a sync needs. */
const NOT_SESSIONS = 'a stand-in for the session API only (sync tests): discovery, pairing, diagnostics and tracks are served by the other fakes';
export const FAKE_SESSION_UNIT_MISSING: MissingRoutes = Object.fromEntries(
  (['info', 'status', 'live', 'pairingWindow', 'pair', 'ownerRequests', 'approveOwnerRequest', 'denyOwnerRequest', 'operators', 'revokeOperator', 'audit', 'challenge', 'health', 'crashes', 'crash', 'confirmCrashes', 'logBoots', 'logs', 'confirmLogs', 'ownTracks', 'pushOwnTracks', 'update', 'pushUpdate', 'supportStatus', 'supportOn', 'supportOff', 'wifiStatus', 'wifiNetworks', 'wifiProfiles', 'addWifiProfile', 'removeWifiProfile', 'wifiPriority', 'connectWifi', 'wifiMode', 'license', 'licenseInstall', 'licenseRevocations', 'hubRegistration', 'hubRegistrationRequest', 'hubRegistrationStore'] satisfies RouteKey[]).map((k) => [k, NOT_SESSIONS]),
);
Object.assign(FAKE_SESSION_UNIT_MISSING, RECOVERY_ROUTES_MISSING, {
  startSession: 'its sessions are made by the test (session-files.ts); it records nothing',
  stopSession: 'its sessions are made by the test (session-files.ts); it records nothing',
} satisfies MissingRoutes);

export interface FakeSessionUnit {
  port: number;
  confirmed: Set<string>;
  gets: number;
  close(): Promise<void>;
}

export async function startFakeSessionUnit(unitId: string, sessions: MadeSession[], o: { corruptFirstGetAt?: number; host?: string; port?: number } = {}): Promise<FakeSessionUnit> {
  const key = generateKeyPairSync('ed25519').privateKey;
  const alg = { name: 'Ed25519' };
  const privateKey = await webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), alg, true, ['sign']);
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  const publicKey = await webcrypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, alg, true, ['verify']);
  const cert = await createSelfSignedCertificate({ privateKey, publicKey }, unitId);
  const confirmed = new Set<string>();
  const files = new Map(sessions.map((s) => [s.sessionId, { ...s, bytes: readFileSync(s.path) }]));
  const state = { gets: 0 };
  const server: Server = createServer({ key: key.export({ type: 'pkcs8', format: 'pem' }), cert, minVersion: 'TLSv1.3' }, (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const route = fakeRoute(req);
    if (!route || !['sessions', 'sessionFile', 'confirmSession', 'deleteSession'].includes(route.key)) return notFound(res);
    if (route.key === 'sessions') {
      const list: SessionMeta[] = [...files.values()].map((f) => ({
        id: f.sessionId,
        track: null,
        start: new Date().toISOString(),
        durationS: 0,
        laps: f.unitLapsMs.length,
        bestLapMs: null,
        sizeB: f.sizeB,
        sha256: f.sha256,
        state: 'closed',
        confirmed: confirmed.has(f.sessionId),
      }));
      return json(200, { sessions: list });
    }
    const f = files.get(route.params.id!);
    if (!f) return json(404, { error: { code: 'session-not-found', message: 'no such session' } });
    if (route.key === 'confirmSession') {
      confirmed.add(f.sessionId);
      return json(200, { id: f.sessionId, track: null, start: new Date().toISOString(), durationS: 0, laps: 0, bestLapMs: null, sizeB: f.sizeB, sha256: f.sha256, state: 'closed', confirmed: true });
    }
    if (route.key === 'deleteSession') {
      if (!confirmed.has(f.sessionId)) return json(409, { error: { code: 'not-confirmed', message: 'confirm first' } });
      files.delete(f.sessionId);
      res.writeHead(204);
      return res.end();
    }
    state.gets++;
    // A byte flipped before encryption (bad storage read, or a link without TLS): only the CRC can catch it.
    const body = (from: number) => {
      const out = Buffer.from(f.bytes.subarray(from));
      const at = o.corruptFirstGetAt;
      if (state.gets === 1 && at !== undefined && at >= from && at < f.bytes.length) out[at - from] = out[at - from]! ^ 0xff;
      return out;
    };
    // In pieces, as the unit's route streams the file (256 KB reads): the first bytes leave at once.
    const stream = (bytes: Buffer) => {
      const pieces = function* () {
        for (let at = 0; at < bytes.length; at += 256 * 1024) yield bytes.subarray(at, at + 256 * 1024);
      };
      Readable.from(pieces()).pipe(res);
    };
    const etag = `"${f.sha256}"`;
    const common = { etag, 'pitwall-session-sha256': f.sha256, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const ifRange = req.headers['if-range'];
    if (range && (!ifRange || ifRange === etag)) {
      const from = Number(range[1]);
      if (from >= f.bytes.length) {
        res.writeHead(416, { 'content-range': `bytes */${f.bytes.length}`, 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 'range-not-satisfiable', message: `range outside the ${f.bytes.length} bytes` } }));
      }
      res.writeHead(206, { ...common, 'content-range': `bytes ${from}-${f.bytes.length - 1}/${f.bytes.length}`, 'content-length': f.bytes.length - from });
      return stream(body(from));
    }
    res.writeHead(200, { ...common, 'content-length': f.bytes.length });
    stream(body(0));
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    confirmed,
    get gets() {
      return state.gets;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A TCP proxy that cuts each of the first `cuts` connections after `cutAfter` bytes from the unit, and flips one byte once. */
export async function startCuttingProxy(targetPort: number, o: { cuts: number; cutAfter: number; flipAt?: number }): Promise<{ port: number; cutsDone: () => number; flipped: () => boolean; close(): Promise<void> }> {
  let cutsDone = 0;
  let flipped = false;
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const cutThis = cutsDone < o.cuts;
    let seen = 0;
    client.pipe(upstream);
    upstream.on('data', (c: Buffer) => {
      if (o.flipAt !== undefined && !flipped && seen + c.length > o.flipAt + 4096 && c.length > 64) {
        c = Buffer.from(c);
        c[c.length >> 1] = c[c.length >> 1]! ^ 0x5a; // inside TLS this is an AEAD failure: the connection dies, like a cut
        flipped = true;
      }
      seen += c.length;
      if (cutThis && seen > o.cutAfter) {
        cutsDone++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(c);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    cutsDone: () => cutsDone,
    flipped: () => flipped,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * A sync source talking to a fake unit at `port` (no pin: test only). Connections as the
 * companion holds them: one kept-alive connection for calls (list, confirm), downloads on
 * their own kept-alive connections.
 */
export function fakeSource(unitId: string, unitName: string, port: number, host = '127.0.0.1'): SyncSource & { agent: Agent } {
  const calls = new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 1 });
  const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });
  const call = async (method: string, path: string): Promise<unknown> => {
    const res = await fetchJson(host, port, method, path, calls);
    return res;
  };
  return {
    unitId,
    unitName,
    agent,
    connect: async () => ({ target: `${host}:${port}`, agent }),
    list: async () => ((await call('GET', routePath(Routes.sessions))) as { sessions: SessionMeta[] }).sessions,
    confirm: async (id) => void (await call('POST', routePath(Routes.confirmSession, { params: { id } }))),
    close: () => {
      calls.destroy();
      agent.destroy();
    },
  };
}

async function fetchJson(host: string, port: number, method: string, path: string, agent: Agent): Promise<unknown> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { seededRandom } from '../device-firmware-ts/src/hal/sim/seeded-random.js';
import { makeBoot, makeCrash, makeHealth, startFakeDiagnosticsUnit, type FakeDiagnosticsUnit } from './fake-diagnostics-unit.js';
import { RECOVERY_ROUTES_MISSING, type FakeRequest, type MissingRoutes } from './fake-routes.js';
import { hostileJson, hostileLines, hostileSession, pick, POISONED_SESSIONS, SESSION_MUTATIONS, type HostileSession, type Rand, type SessionMutation } from './hostile-documents.js';

/**
 * A paired unit turned hostile (tests only): the real API over mutual TLS with its own key (it
 * proves it like a unit), serving seeded mutations of sessions, logs, crash dumps, health and
 * audit records — invalid UTF-8 behind valid checksums, bit flips with recomputed CRCs, torn
 * and cut files, oversize bodies, wrong types, huge numbers, a slow drip. `round(n)` serves a
 * fresh set; what the companion confirmed is recorded, so a test can check that it never
 * confirmed anything it had to refuse.
 */
export interface HostileUnit {
  unit: FakeDiagnosticsUnit;
  /** Serves round `n`'s documents from now on (deterministic by seed and n), its sessions drawn from `mutations` if given. */
  round(n: number, mutations?: readonly SessionMutation[]): void;
  sessions: HostileSession[];
  /** Every session and crash id served that must be refused, over all rounds. */
  poisoned: Set<string>;
  /** Confirmed by the companion: session ids and crash ids. */
  confirmed: Set<string>;
  /** Responses served by the hostile routes. */
  readonly served: number;
  close(): Promise<void>;
}

export interface HostileOptions {
  seed: number;
  /** The session mutations to draw from (default all; `cut` and `oversize` are drawn rarely, each costs the companion its retries). */
  sessionMutations?: readonly SessionMutation[];
  sessionsPerRound?: number;
  /** Serve diagnostics (logs, health, crashes, audit) hostile too (default true). */
  diagnostics?: boolean;
  /** Serve this many sound crash dumps in each round instead of a few hostile ones, sound health and no logs (a unit crashing in a loop). */
  crashFlood?: number;
  /** The `drip` mutation's pace: `dripBytes` every `dripEveryMs` (default 256 bytes every ms). */
  dripEveryMs?: number;
  dripBytes?: number;
  /** Page /v1/audit without end: every page full, seq always higher. */
  auditFlood?: boolean;
}

const NOT_HOSTILE = 'the hostile unit attacks what a companion pulls (sessions, diagnostics); it serves nothing else';
/** What the hostile unit does not serve (its bodies are hostile on purpose: only paths and statuses are the contract's). */
export const HOSTILE_UNIT_MISSING: MissingRoutes = {
  status: NOT_HOSTILE,
  live: NOT_HOSTILE,
  pairingWindow: NOT_HOSTILE,
  pair: 'the companion pins it directly in its store (no pairing)',
  ownerRequests: NOT_HOSTILE,
  approveOwnerRequest: NOT_HOSTILE,
  denyOwnerRequest: NOT_HOSTILE,
  operators: NOT_HOSTILE,
  revokeOperator: NOT_HOSTILE,
  startSession: NOT_HOSTILE,
  stopSession: NOT_HOSTILE,
  deleteSession: 'a sync deletes nothing on a unit; the hostile sessions stay for the next round',
  ownTracks: NOT_HOSTILE,
  pushOwnTracks: NOT_HOSTILE,
  update: NOT_HOSTILE,
  pushUpdate: NOT_HOSTILE,
  supportStatus: NOT_HOSTILE,
  supportOn: NOT_HOSTILE,
  supportOff: NOT_HOSTILE,
  wifiStatus: NOT_HOSTILE,
  wifiNetworks: NOT_HOSTILE,
  wifiProfiles: NOT_HOSTILE,
  addWifiProfile: NOT_HOSTILE,
  removeWifiProfile: NOT_HOSTILE,
  wifiPriority: NOT_HOSTILE,
  connectWifi: NOT_HOSTILE,
  wifiMode: NOT_HOSTILE,
  license: NOT_HOSTILE,
  licenseInstall: NOT_HOSTILE,
  licenseRevocations: NOT_HOSTILE,
  hubRegistration: NOT_HOSTILE,
  hubRegistrationRequest: NOT_HOSTILE,
  hubRegistrationStore: NOT_HOSTILE,
  ...RECOVERY_ROUTES_MISSING,
};

const SLOW = new Set<SessionMutation>(['cut', 'oversize']);

export async function startHostileUnit(o: HostileOptions): Promise<HostileUnit> {
  let rand: Rand = seededRandom(o.seed);
  const state = {
    sessions: [] as HostileSession[],
    boot: makeBoot('x', 1),
    bootLines: Buffer.alloc(0) as Buffer,
    health: Buffer.alloc(0) as Buffer,
    crashes: [] as { id: string; body: Buffer; sizeB: number }[],
    audit: Buffer.alloc(0) as Buffer,
  };
  const poisoned = new Set<string>();
  const confirmed = new Set<string>();
  let served = 0;
  const routes = (req: IncomingMessage, res: ServerResponse, route: FakeRequest): boolean => {
    served++;
    const raw = (status: number, body: Buffer | string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
      return true;
    };
    const { key, url } = route;
    if (key === 'sessions') {
      const list = state.sessions.map((s) => ({ id: s.id, track: null, start: new Date().toISOString(), durationS: 2, laps: 0, bestLapMs: null, sizeB: s.sizeB, sha256: s.sha256, state: 'closed', confirmed: confirmed.has(s.id) }));
      return raw(200, JSON.stringify({ sessions: list }));
    }
    if (key === 'sessionFile' || key === 'confirmSession') {
      const s = state.sessions.find((x) => x.id === route.params.id);
      if (!s) return raw(404, JSON.stringify({ error: { code: 'not-found', message: 'no such session' } }));
      if (key === 'confirmSession') {
        confirmed.add(s.id);
        req.resume();
        return raw(200, JSON.stringify({ id: s.id, track: null, start: new Date().toISOString(), durationS: 2, laps: 0, bestLapMs: null, sizeB: s.sizeB, sha256: s.sha256, state: 'closed', confirmed: true }));
      }
      const from = Number(/^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''))?.[1] ?? 0);
      res.writeHead(from > 0 ? 206 : 200, { etag: `"${s.sha256}"`, 'pitwall-session-sha256': s.sha256, 'content-type': 'application/octet-stream' });
      return drip(res, s.bytes.subarray(from), s.mutation === 'drip' ? (o.dripEveryMs ?? 1) : 0, o.dripBytes ?? 256), true;
    }
    if (o.diagnostics === false) return false;
    const b = state.boot;
    if (key === 'logBoots' && o.crashFlood) return raw(200, JSON.stringify({ boots: [] }));
    if (key === 'logBoots') return raw(200, JSON.stringify({ boots: [{ boot: b.boot, startedAt: b.startedAt, firstSeq: 1, lastSeq: b.lines.length, confirmedSeq: 0 }] }));
    if (key === 'logs') return raw(200, state.bootLines, 'application/x-ndjson');
    if (key === 'health') return raw(200, state.health);
    if (key === 'crashes') {
      return raw(200, JSON.stringify({ crashes: state.crashes.map((c) => ({ id: c.id, time: new Date().toISOString(), kind: 'uncaught-exception', message: 'boom', fw: '0.4.0', commit: 'a1b2c3d', boot: b.boot, sizeB: c.sizeB, confirmed: false })) }));
    }
    if (key === 'crash') {
      const c = state.crashes.find((x) => x.id === route.params.id);
      return c ? raw(200, c.body) : raw(404, JSON.stringify({ error: { code: 'not-found', message: 'no such crash' } }));
    }
    if (key === 'confirmCrashes' || key === 'confirmLogs') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { ids?: string[]; seq?: number };
        for (const id of body.ids ?? []) confirmed.add(id);
        raw(200, JSON.stringify(body.ids ? { confirmed: body.ids.length } : { ok: true }));
      });
      return true;
    }
    if (key === 'audit' && o.auditFlood) {
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 1000), 100_000);
      const time = new Date().toISOString();
      let body = '';
      for (let seq = after + 1; seq <= after + limit; seq++) body += `{"time":"${time}","seq":${seq},"event":"refuse","outcome":"refused","operatorFingerprint":null,"role":null,"via":"network","detail":"flood"}\n`;
      return raw(200, body, 'application/x-ndjson');
    }
    if (key === 'audit') return raw(200, url.searchParams.get('after') === '0' ? state.audit : '', 'application/x-ndjson');
    return false;
  };
  const unit = await startFakeDiagnosticsUnit({ name: 'Hostile', routes });

  const round = (n: number, only?: readonly SessionMutation[]): void => {
    rand = seededRandom(o.seed * 100_003 + n);
    const mutations = only ?? o.sessionMutations ?? SESSION_MUTATIONS;
    state.sessions = Array.from({ length: o.sessionsPerRound ?? 2 }, () => {
      let m = pick(rand, mutations);
      if (SLOW.has(m) && mutations === SESSION_MUTATIONS && rand() > 0.05) m = 'clean';
      return hostileSession(unit.id, m, rand);
    });
    for (const s of state.sessions) if (POISONED_SESSIONS.has(s.mutation)) poisoned.add(s.id);
    if (o.diagnostics === false) return;
    const boot = makeBoot(unit.id, 5 + Math.floor(rand() * 40));
    state.boot = boot;
    state.bootLines = hostileLines(boot.lines, rand);
    state.health = hostileJson({ snapshots: [makeHealth(unit.id, boot.boot, new Date(Date.now() - 60_000 + n))] }, rand).body;
    if (o.crashFlood) {
      state.health = Buffer.from(JSON.stringify({ snapshots: [] }));
      state.crashes = Array.from({ length: o.crashFlood }, (_, i) => {
        const body = Buffer.from(JSON.stringify(makeCrash(unit.id, boot.boot, `r${n}-f${i}`, 'uncaught-exception', `loop ${i}`, [])));
        return { id: `r${n}-f${i}`, body, sizeB: body.length };
      });
      return;
    }
    state.crashes = Array.from({ length: Math.floor(rand() * 3) }, (_, i) => {
      const id = `r${n}-c${i}`;
      const dump = hostileJson(makeCrash(unit.id, boot.boot, id, 'uncaught-exception', `boom ${n}`, []), rand);
      if (dump.kind === 'bad-utf8' || dump.kind === 'truncated' || dump.kind === 'wrong-types') poisoned.add(id);
      return { id, body: dump.body, sizeB: pick(rand, [dump.body.length, dump.body.length, 2 ** 53, 1e300]) };
    });
    state.audit = hostileLines(
      Array.from({ length: 3 + Math.floor(rand() * 10) }, (_, i) => JSON.stringify({ time: new Date().toISOString(), seq: i + 1, event: 'pair', outcome: 'ok', operatorFingerprint: null, role: 'owner', via: 'usb', detail: `round ${n}` })),
      rand,
    );
  };
  round(0);
  return {
    unit,
    round,
    get sessions() {
      return state.sessions;
    },
    get served() {
      return served;
    },
    poisoned,
    confirmed,
    close: () => unit.close(),
  };
}

/** Writes `body` whole, or in `pieceBytes` pieces `everyMs` apart (a slow unit). */
function drip(res: ServerResponse, body: Buffer, everyMs: number, pieceBytes: number): void {
  if (everyMs === 0) return void res.end(body);
  let at = 0;
  const timer = setInterval(() => {
    if (at >= body.length || res.destroyed) {
      clearInterval(timer);
      return void res.end();
    }
    res.write(body.subarray(at, (at += pieceBytes)));
  }, everyMs);
}

// npm run bench -- hub-fleet (and part of -- hub): the fleet distribution of one track with
// 100,000 laps on the hub (shared sessions of 30 laps with 3 sectors, 40 drivers in one group,
// a tenth more sessions on another track), through the real route (GET /hub/v1/fleet/:trackId)
// of a `pitwall-hub serve` process, on SQLite and on PostgreSQL. Baselines in the same run,
// rounds alternating so load on a shared machine hits each: the bare SQL fetch of the rows the
// route reads through the same driver (better-sqlite3, pg) in this process, the bare fetch of
// the same sessions' laps JSON, and the hub's HTTP floor (GET /hub/v1/key). Wall time is the
// client's; CPU is the hub process's (and PostgreSQL's backends') for the route, this
// process's for the bare fetch. HUB_FLEET_LAPS=N for a smaller run. Goal: < 200 ms.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { HubRoutes, type HubFleetDistribution, type SharedSessionUpload } from '@pitwall/protocol';
import { HubClient } from '@pitwall/protocol/node';
import { openDatabase, type DatabaseTarget } from '../hub/src/db/open-database.js';
import { addMember, createOrganisation } from '../hub/src/organisations/members.js';
import { addGroupMember, createGroup } from '../hub/src/team/groups.js';
import { startHubProcess } from '../hub/test/helpers/hub-process.js';
import { startPostgresCluster, type PostgresCluster } from '../hub/test/helpers/postgres-cluster.js';
import { seededRandom } from '../protocol/test/seeded-random.js';
import { childPids, processCpuMs } from './process-cpu.js';

const LAPS = Number(process.env.HUB_FLEET_LAPS ?? 100_000);
const LAPS_PER_SESSION = 30;
const DRIVERS = 40;
const ROUNDS = 9;
const WARM_UP = 2;
const PUSHERS = 8;
const TRACK = 'catalog:lydd-international';
const OTHER_TRACK = 'catalog:brands-hatch-indy';
const MARK = 'Driver 7';
export const HUB_FLEET_GOAL_MS = 200;

interface Seeded {
  coachToken: string;
  groupId: string;
  drivers: { token: string; unitId: string }[];
}

/** The academy: an admin, one group, 40 drivers in it and a coach who reads the distribution. */
async function seedMembers(target: DatabaseTarget): Promise<Seeded> {
  const hubDb = await openDatabase(target);
  try {
    const db = hubDb.db;
    const orgId = await createOrganisation(db, 'Bench Academy', 'academy');
    const admin = await addMember(db, orgId, 'Admin', 'admin');
    const adminMember = { id: admin.memberId, name: 'Admin', role: 'admin', organisationId: orgId, organisationKind: 'academy' as const };
    const group = await createGroup(db, adminMember, 'Season', Date.now());
    const coach = await addMember(db, orgId, 'Coach', 'member');
    await addGroupMember(db, adminMember, group.groupId, coach.memberId, 'coach');
    const drivers: Seeded['drivers'] = [];
    for (let d = 0; d < DRIVERS; d++) {
      const m = await addMember(db, orgId, `Driver ${d + 1}`, 'member');
      await addGroupMember(db, adminMember, group.groupId, m.memberId, 'driver');
      drivers.push({ token: m.token, unitId: `00000000-0000-4000-8000-${String(d + 1).padStart(12, '0')}` });
    }
    return { coachToken: coach.token, groupId: group.groupId, drivers };
  } finally {
    await hubDb.close();
  }
}

/** Session s: its driver, and 30 laps of a driver of some pace who improves over a 120-day season. */
function sessionOf(rnd: () => number, pace: number[], s: number, groupId: string): { driver: number; upload: SharedSessionUpload } {
  const driver = s % DRIVERS;
  const day = Math.floor(rnd() * 120);
  const startedAt = new Date(Date.UTC(2026, 2, 1 + day, 9) + Math.floor(rnd() * 8) * 3_600_000).toISOString();
  const laps: SharedSessionUpload['laps'] = [];
  for (let lap = 1; lap <= LAPS_PER_SESSION; lap++) {
    const form = pace[driver]! * (1 - day * 0.0002) * (1 + (rnd() - 0.3) * 0.03);
    const sectorsMs = [21_000, 17_000, 24_000].map((ms) => Math.round(ms * form * (1 + (rnd() - 0.5) * 0.01)));
    laps.push({ lap, timeMs: sectorsMs.reduce((a, b) => a + b, 0), sectorsMs });
  }
  // A tenth of the sessions are on another track: the route reads one track's, not the table.
  return { driver, upload: { startedAt, trackId: s % 10 === 9 ? OTHER_TRACK : TRACK, laps, groups: [groupId] } };
}

/** Every session pushed through the hub's own share route, PUSHERS at once, with progress lines. */
async function pushSessions(url: string, seeded: Seeded): Promise<void> {
  const rnd = seededRandom(2026);
  const pace = Array.from({ length: DRIVERS }, () => 0.97 + rnd() * 0.12);
  const sessions: ReturnType<typeof sessionOf>[] = [];
  for (let onTrack = 0; onTrack * LAPS_PER_SESSION < LAPS; ) {
    sessions.push(sessionOf(rnd, pace, sessions.length, seeded.groupId));
    if (sessions.at(-1)!.upload.trackId === TRACK) onTrack++;
  }
  const clients = seeded.drivers.map((d) => new HubClient(url, { token: d.token, timeoutMs: 60_000 }));
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: PUSHERS }, async () => {
      while (next < sessions.length) {
        const s = next++;
        const { driver, upload } = sessions[s]!;
        await clients[driver]!.shareSession(seeded.drivers[driver]!.unitId, `s-${s}`, upload);
        if (++done % 500 === 0 || done === sessions.length) console.log(`  pushed ${done}/${sessions.length} sessions (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
    }),
  );
}

/** The rows the route reads (a track's packed laps shared with the group), and the laps JSON it read before fleet_lap_columns. */
const WHERE_SHARED = (t: string) => `${t}.track_id = $1 AND EXISTS (SELECT 1 FROM session_shares g WHERE g.unit_id = ${t}.unit_id AND g.session_id = ${t}.session_id AND g.group_id IN ($2))`;
const BARE_SQL = {
  packed: `SELECT m.name, f.unit_id, f.session_id, f.laps, f.sectors, f.columns FROM fleet_lap_columns f JOIN members m ON m.id = f.driver_id WHERE ${WHERE_SHARED('f')}`,
  json: `SELECT m.name, s.unit_id, s.started_at, s.laps FROM shared_sessions s JOIN members m ON m.id = s.driver_id WHERE ${WHERE_SHARED('s')}`,
};
type Fetch = (what: keyof typeof BARE_SQL) => Promise<number>;

/** The bare fetch, unparsed, through the driver the hub uses: better-sqlite3 (a second, read-only connection) or pg. */
function bareFetcher(target: DatabaseTarget, groupId: string): { fetch: Fetch; close(): Promise<void> } {
  if (target.kind === 'sqlite') {
    const db = new Database(target.file, { readonly: true });
    const stmts = { packed: db.prepare(BARE_SQL.packed.replace(/\$\d/g, '?')).raw(), json: db.prepare(BARE_SQL.json.replace(/\$\d/g, '?')).raw() };
    return { fetch: async (what) => stmts[what].all(TRACK, groupId).length, close: async () => void db.close() };
  }
  const client = new pg.Client({ connectionString: target.url });
  const connected = client.connect();
  return {
    fetch: async (what) => {
      await connected;
      return (await client.query({ text: BARE_SQL[what], values: [TRACK, groupId], rowMode: 'array' })).rows.length;
    },
    close: () => client.end(),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export interface HubFleetFigures {
  kind: DatabaseTarget['kind'];
  laps: number;
  /** The route, as the client waits for it, and the CPU the hub process (and PostgreSQL's backends) spent on it. */
  wallMs: number;
  cpuMs: number;
  /** The fastest round: the nearest this shared machine comes to an idle one. */
  fastestMs: number;
  /** The bare fetch of the rows the route reads, wall and this process's CPU. */
  bareMs: number;
  bareCpuMs: number;
  /** The bare fetch of the same sessions' laps JSON (what the route read before fleet_lap_columns). */
  jsonMs: number;
  floorMs: number;
  responseB: number;
}

/** One database kind: seed, then rounds of the route, the bare fetches and the HTTP floor, alternating. */
async function measure(target: DatabaseTarget, dir: string, dbPids: () => number[]): Promise<HubFleetFigures> {
  const t0 = performance.now();
  const seeded = await seedMembers(target);
  const hub = await startHubProcess(target, dir, join(dir, 'hub-key.pem'));
  const bare = bareFetcher(target, seeded.groupId);
  try {
    await pushSessions(hub.url, seeded);
    console.log(`  seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${WARM_UP} + ${ROUNDS} rounds…`);
    const coach = new HubClient(hub.url, { token: seeded.coachToken });
    const url = new URL(HubRoutes.fleetDistribution.path.replace(':trackId', encodeURIComponent(TRACK)), hub.url);
    url.searchParams.set('groupId', seeded.groupId);
    url.searchParams.set('mark', MARK);
    const serverCpu = () => processCpuMs(hub.child.pid!) + dbPids().reduce((a, p) => a + processCpuMs(p), 0);
    const runs = { wall: [] as number[], cpu: [] as number[], bare: [] as number[], bareCpu: [] as number[], json: [] as number[], floor: [] as number[] };
    let responseB = 0;
    let laps = 0;
    for (let round = 0; round < WARM_UP + ROUNDS; round++) {
      const c0 = serverCpu();
      const a = performance.now();
      const res = await fetch(url, { headers: { authorization: `Bearer ${seeded.coachToken}` } });
      const text = await res.text();
      const b = performance.now();
      const c1 = serverCpu();
      if (res.status !== 200) throw new Error(`the fleet route answered ${res.status}: ${text.slice(0, 300)}`);
      responseB = Buffer.byteLength(text);
      laps = (JSON.parse(text) as HubFleetDistribution).distribution.laps;
      const u0 = process.cpuUsage();
      const c = performance.now();
      const rows = await bare.fetch('packed');
      const d = performance.now();
      const u = process.cpuUsage(u0);
      const jsonRows = await bare.fetch('json');
      const e = performance.now();
      await coach.key();
      const f = performance.now();
      if (laps !== rows * LAPS_PER_SESSION || rows !== jsonRows || laps < LAPS) throw new Error(`the route read ${laps} laps, the bare fetches ${rows} and ${jsonRows} sessions`);
      if (round < WARM_UP) continue;
      runs.wall.push(b - a);
      runs.cpu.push(c1 - c0);
      runs.bare.push(d - c);
      runs.bareCpu.push((u.user + u.system) / 1000);
      runs.json.push(e - d);
      runs.floor.push(f - e);
      console.log(`  round ${round - WARM_UP + 1}/${ROUNDS}: route ${(b - a).toFixed(0)} ms, bare fetch ${(d - c).toFixed(0)} ms`);
    }
    return {
      kind: target.kind,
      laps,
      wallMs: median(runs.wall),
      fastestMs: Math.min(...runs.wall),
      cpuMs: median(runs.cpu),
      bareMs: median(runs.bare),
      bareCpuMs: median(runs.bareCpu),
      jsonMs: median(runs.json),
      floorMs: median(runs.floor),
      responseB,
    };
  } finally {
    await bare.close();
    await hub.stop();
  }
}

export function printHubFleetFigures(figures: readonly HubFleetFigures[]): void {
  console.log('database      laps   route ms (CPU)   fastest ms   bare fetch ms (CPU)   ratio   laps JSON fetch ms   HTTP floor ms   answer KiB');
  for (const f of figures) {
    console.log(
      `${f.kind.padEnd(10)} ${f.laps.toString().padStart(7)}   ${f.wallMs.toFixed(1).padStart(6)} (${f.cpuMs.toFixed(0).padStart(4)})   ${f.fastestMs.toFixed(1).padStart(10)}   ${f.bareMs.toFixed(1).padStart(11)} (${f.bareCpuMs.toFixed(0).padStart(4)})   ` +
        `${(f.wallMs / f.bareMs).toFixed(2).padStart(5)}   ${f.jsonMs.toFixed(1).padStart(18)}   ${f.floorMs.toFixed(1).padStart(13)}   ${(f.responseB / 1024).toFixed(1).padStart(10)}   ` +
        `goal < ${HUB_FLEET_GOAL_MS} ms ${f.wallMs < HUB_FLEET_GOAL_MS ? 'OK' : 'OVER GOAL'}`,
    );
  }
}

export async function runHubFleetBench(): Promise<HubFleetFigures[]> {
  console.log(
    `fleet distribution on the hub: one track with ${LAPS.toLocaleString('en')} laps (sessions of ${LAPS_PER_SESSION} laps, 3 sectors, ${DRIVERS} drivers in one group, ` +
      `a tenth more sessions on another track), GET ${HubRoutes.fleetDistribution.path} as the group's coach, ${MARK} marked; medians of ${ROUNDS} rounds`,
  );
  console.log(
    'baseline: the bare SQL fetch (unparsed) of the rows the route reads (the track\'s packed laps shared with the group), through the same driver, in this process; ' +
      'also the bare fetch of the same sessions\' laps JSON (what the route read before) and the HTTP floor (GET /hub/v1/key)',
  );
  let cluster: PostgresCluster | null = null;
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-hub-fleet-'));
  const out: HubFleetFigures[] = [];
  try {
    for (const kind of ['sqlite', 'postgres'] as const) {
      console.log(`${kind}: seeding through the hub's share route…`);
      let target: DatabaseTarget;
      if (kind === 'sqlite') target = { kind, file: join(dir, 'hub.sqlite') };
      else {
        cluster ??= await startPostgresCluster();
        console.log(`  (a PostgreSQL cluster of its own: postmaster pid ${cluster.pid})`);
        target = { kind, url: await cluster.createDatabase() };
      }
      const postmaster = (cluster as PostgresCluster | null)?.pid;
      out.push(await measure(target, dir, () => (kind === 'postgres' && postmaster ? childPids(postmaster) : [])));
    }
  } finally {
    await (cluster as PostgresCluster | null)?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  printHubFleetFigures(out);
  console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs; CPU: the hub process's and, on PostgreSQL, its backends' (counted in 10 ms ticks)`);
  return out;
}

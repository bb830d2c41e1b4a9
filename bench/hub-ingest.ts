// npm run bench -- hub-ingest: 100 companions each pushing a day of sessions (10 × 30 min) to
// one `pitwall-hub serve` process on PostgreSQL at once, against a bare bulk load of the same
// rows into a database of the same cluster with the same schema (COPY FROM STDIN), in the same
// run. What the hub stores of a session is its laps and sector times (one shared_sessions row,
// laps as JSON, and a session_shares row per group), not its traces: that is what both sides
// write. It runs twice: against one hub process, then against two on the same database with the
// companions spread over them as a load balancer would (the hub keeps no state in a process, so
// that is how it scales). HUB_INGEST_COMPANIONS=N for a smaller run; HUB_INGEST_PROCESSES=1,2 the
// process counts to run.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { packSharedLaps, type SharedSessionBatchItem, type SharedSessionUpload } from '@pitwall/protocol';
import { HubClient } from '@pitwall/protocol/node';
import { openDatabase } from '../hub/src/db/open-database.js';
import type { HubTables } from '../hub/src/db/tables.js';
import { addMember, createOrganisation } from '../hub/src/organisations/members.js';
import { addGroupMember, createGroup } from '../hub/src/team/groups.js';
import { startHubProcess } from '../hub/test/helpers/hub-process.js';
import { startPostgresCluster, type PostgresCluster } from '../hub/test/helpers/postgres-cluster.js';
import { seededRandom } from '../protocol/test/seeded-random.js';

const COMPANIONS = Number(process.env.HUB_INGEST_COMPANIONS ?? 100);
/** Companions whose days warm the hub up before the clock (its JIT, validators and database pool: the sustained state). */
const WARM_UP = Math.max(10, Math.round(COMPANIONS / 2));
const SESSIONS_A_DAY = 10;
const SESSION_MS = 30 * 60_000;
const TRACK = 'catalog:lydd-international';

interface Companion {
  token: string;
  driverId: string;
  unitId: string;
  sessions: { sessionId: string; upload: SharedSessionUpload }[];
}

/** A day of one driver on one unit: 10 sessions of 30 minutes, laps of about a minute, three sectors each. */
function aDay(rand: () => number, groupId: string, day: number): Companion['sessions'] {
  return Array.from({ length: SESSIONS_A_DAY }, (_, s) => {
    const laps: SharedSessionUpload['laps'] = [];
    for (let t = 0, lap = 1; t < SESSION_MS; lap++) {
      const sectorsMs = [0, 1, 2].map(() => 19_000 + Math.round(rand() * 3_000));
      const timeMs = sectorsMs.reduce((a, b) => a + b, 0);
      laps.push({ lap, timeMs, sectorsMs });
      t += timeMs;
    }
    const startedAt = new Date(Date.UTC(2026, 4, 1 + day, 9) + s * 40 * 60_000).toISOString();
    return { sessionId: `s${s + 1}`, upload: { startedAt, trackId: TRACK, laps, groups: [groupId] } };
  });
}

/** An academy, its admin, one group, a driver per companion in it; each companion a unit and a day of sessions. */
async function seed(db: Kysely<HubTables>, count: number): Promise<Companion[]> {
  const rand = seededRandom(0x16_16);
  const orgId = await createOrganisation(db, 'Bench Academy', 'academy');
  const admin = await addMember(db, orgId, 'Admin', 'admin');
  const adminMember = { id: admin.memberId, name: 'Admin', role: 'admin', organisationId: orgId, organisationKind: 'academy' as const };
  const group = await createGroup(db, adminMember, 'Everyone', Date.now());
  const out: Companion[] = [];
  for (let i = 0; i < count; i++) {
    const d = await addMember(db, orgId, `Driver ${i + 1}`, 'member');
    await addGroupMember(db, adminMember, group.groupId, d.memberId, 'driver');
    out.push({ token: d.token, driverId: d.memberId, unitId: randomUUID(), sessions: aDay(rand, group.groupId, i % 7) });
  }
  return out;
}

/** The baseline database gets the same organisation, members and group (the rows the sessions' keys point at). */
async function copySeed(from: Kysely<HubTables>, to: Kysely<HubTables>): Promise<void> {
  await to.insertInto('organisations').values(await from.selectFrom('organisations').selectAll().execute()).execute();
  await to.insertInto('members').values(await from.selectFrom('members').selectAll().execute()).execute();
  await to.insertInto('groups').values(await from.selectFrom('groups').selectAll().execute()).execute();
  await to.insertInto('group_members').values(await from.selectFrom('group_members').selectAll().execute()).execute();
}

/** COPY's text format: a tab between fields, a row a line; backslash, tab and line breaks escaped. */
const copyField = (v: string) => v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
const copyRows = (rows: string[][]) => rows.map((r) => r.map(copyField).join('\t')).join('\n') + '\n';

async function copyIn(client: pg.Client, statement: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), client.query(copyFrom(statement)));
}

/**
 * The bare bulk load: the rows the hub writes for these sessions, made and COPYed in one go; its
 * seconds, and PostgreSQL's CPU seconds meanwhile (read while its backend is alive).
 */
async function bulkCopy(url: string, companions: Companion[], pgCpu: () => number): Promise<{ seconds: number; pgCpuS: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [t0, cpu0] = [performance.now(), pgCpu()];
    const at = new Date().toISOString();
    const sessions: string[][] = [];
    const shares: string[][] = [];
    const lapColumns: string[][] = [];
    for (const c of companions) {
      for (const s of c.sessions) {
        sessions.push([c.unitId, s.sessionId, c.driverId, s.upload.startedAt, TRACK, JSON.stringify(s.upload.laps), at]);
        for (const g of s.upload.groups) shares.push([g, c.unitId, s.sessionId]);
        const packed = packSharedLaps(s.upload.startedAt, s.upload.laps);
        const hex = Buffer.from(new Uint8Array(packed.columns.buffer)).toString('hex');
        lapColumns.push([c.unitId, s.sessionId, TRACK, c.driverId, String(packed.laps), String(packed.sectors), `\\x${hex}`]);
      }
    }
    await copyIn(client, 'COPY shared_sessions (unit_id, session_id, driver_id, started_at, track_id, laps, updated_at) FROM STDIN', copyRows(sessions));
    await copyIn(client, 'COPY session_shares (group_id, unit_id, session_id) FROM STDIN', copyRows(shares));
    await copyIn(client, 'COPY fleet_lap_columns (unit_id, session_id, track_id, driver_id, laps, sectors, columns) FROM STDIN', copyRows(lapColumns));
    return { seconds: (performance.now() - t0) / 1000, pgCpuS: pgCpu() - cpu0 };
  } finally {
    await client.end();
  }
}

type Day = { hub: HubClient; items: SharedSessionBatchItem[] };

/** Each companion's client with its connection to its hub process open (companion i to process i mod n), as COPY's client is connected before its clock. */
async function connect(urls: readonly string[], companions: Companion[]): Promise<Day[]> {
  const days = companions.map((c, i) => ({ hub: new HubClient(urls[i % urls.length]!, { token: c.token, timeoutMs: 120_000 }), items: c.sessions.map((s) => ({ unitId: c.unitId, sessionId: s.sessionId, ...s.upload })) }));
  await Promise.all(days.map((d) => d.hub.key()));
  return days;
}

/** Every companion at once, each pushing its day as the companion does (`pitwall hub sync --share`): one batch request. */
async function push(days: Day[]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(days.map((d) => d.hub.shareSessions(d.items)));
  return (performance.now() - t0) / 1000;
}

const statFields = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');

/** CPU seconds a process has used (user + system), from /proc: where the hub's time goes. */
function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * CPU seconds PostgreSQL has used: its postmaster, the backends it has reaped (their time is
 * added to the postmaster's children fields) and the backends alive now.
 */
function postgresCpuSeconds(postmaster: number): number {
  const f = statFields(postmaster);
  let ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const c = statFields(Number(pid));
      if (Number(c[1]) === postmaster) ticks += Number(c[11]) + Number(c[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

async function postmasterPid(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    return Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${backend}/status`, 'utf8'))![1]);
  } finally {
    await client.end();
  }
}

async function counts(db: Kysely<HubTables>) {
  const rows = await db.selectFrom('shared_sessions').select('laps').execute();
  const packed = await db.selectFrom('fleet_lap_columns').select(['laps', 'columns']).execute();
  return {
    sessions: rows.length,
    laps: rows.reduce((a, r) => a + (JSON.parse(r.laps) as unknown[]).length, 0),
    packedLaps: packed.reduce((a, r) => a + r.laps, 0),
    packedBytes: packed.reduce((a, r) => a + r.columns.length, 0),
  };
}

/** The ratio hub / COPY of each run, by number of hub processes. */
export async function runHubIngestBench(): Promise<Map<number, number>> {
  const counts = (process.env.HUB_INGEST_PROCESSES ?? '1,2').split(',').map(Number);
  const ratios = new Map<number, number>();
  for (const n of counts) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`HUB_INGEST_PROCESSES: ${n} is not a count of processes`);
    console.log(`\n${n} hub process${n > 1 ? 'es' : ''}:`);
    ratios.set(n, await runOnce(n));
  }
  return ratios;
}

async function runOnce(processCount: number): Promise<number> {
  let cluster: PostgresCluster | null = null;
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-hub-ingest-'));
  try {
    cluster = await startPostgresCluster();
    const hubTarget = { kind: 'postgres' as const, url: await cluster.createDatabase() };
    const bareTarget = { kind: 'postgres' as const, url: await cluster.createDatabase() };
    const hubDb = await openDatabase(hubTarget);
    const bareDb = await openDatabase(bareTarget);
    try {
      const everyone = await seed(hubDb.db, COMPANIONS + WARM_UP);
      const [companions, warmUp] = [everyone.slice(0, COMPANIONS), everyone.slice(COMPANIONS)];
      await copySeed(hubDb.db, bareDb.db);
      const sessions = companions.length * SESSIONS_A_DAY;
      const laps = companions.reduce((a, c) => a + c.sessions.reduce((b, s) => b + s.upload.laps.length, 0), 0);
      console.log(`${companions.length} companions × ${SESSIONS_A_DAY} sessions of 30 min (${sessions} sessions, ${laps} laps with 3 sectors), all at once, to ${processCount === 1 ? 'one hub process' : `${processCount} hub processes (companion i to process i mod ${processCount})`} on PostgreSQL`);
      console.log('baseline: the same rows (shared_sessions, session_shares and the fleet distributions\' fleet_lap_columns, packed by the same function) by COPY FROM STDIN into a fresh database of the same cluster and schema');
      console.log(`before either clock: connections open, and ${WARM_UP} other companions' days pushed through the hub (warm) and COPYed into the baseline (same rows on both sides)`);
      const postmaster = await postmasterPid(hubTarget.url);
      const hubs = await Promise.all(Array.from({ length: processCount }, () => startHubProcess(hubTarget, dir, join(dir, 'hub-key.pem'))));
      const urls = hubs.map((h) => h.url);
      const hubCpu = () => hubs.reduce((a, h) => a + cpuSeconds(h.child.pid!), 0);
      let hubS: number;
      const cpu = { hub: 0, pg: 0, bench: 0, copyPg: 0, copyBench: 0 };
      const floor = { s: 0, hubCpu: 0, benchCpu: 0 };
      try {
        await push(await connect(urls, warmUp));
        const days = await connect(urls, companions);
        // The HTTP floor: every companion asks for the hub's key (no body, no database) once, at once.
        const [f0, fb0, ft0] = [hubCpu(), process.cpuUsage(), performance.now()];
        await Promise.all(days.map((d) => d.hub.key()));
        const fb1 = process.cpuUsage(fb0);
        Object.assign(floor, { s: (performance.now() - ft0) / 1000, hubCpu: hubCpu() - f0, benchCpu: (fb1.user + fb1.system) / 1e6 });
        const [hub0, pg0, bench0] = [hubCpu(), postgresCpuSeconds(postmaster), process.cpuUsage()];
        hubS = await push(days);
        const bench1 = process.cpuUsage(bench0);
        Object.assign(cpu, { hub: hubCpu() - hub0, pg: postgresCpuSeconds(postmaster) - pg0, bench: (bench1.user + bench1.system) / 1e6 });
      } finally {
        await Promise.all(hubs.map((h) => h.stop()));
      }
      const pgCpu = () => postgresCpuSeconds(postmaster);
      await bulkCopy(bareTarget.url, warmUp, pgCpu);
      const bench2 = process.cpuUsage();
      const { seconds: copyS, pgCpuS: copyPg } = await bulkCopy(bareTarget.url, companions, pgCpu);
      const bench3 = process.cpuUsage(bench2);
      Object.assign(cpu, { copyPg, copyBench: (bench3.user + bench3.system) / 1e6 });
      const [stored, copied] = [await counts(hubDb.db), await counts(bareDb.db)];
      const [allSessions, allLaps] = [everyone.length * SESSIONS_A_DAY, everyone.reduce((a, c) => a + c.sessions.reduce((b, s) => b + s.upload.laps.length, 0), 0)];
      if (stored.sessions !== allSessions || copied.sessions !== allSessions || stored.laps !== allLaps || copied.laps !== allLaps || stored.packedLaps !== allLaps || copied.packedLaps !== allLaps || stored.packedBytes !== copied.packedBytes) {
        throw new Error(`rows written do not match: hub ${JSON.stringify(stored)}, COPY ${JSON.stringify(copied)}, expected ${allSessions} sessions ${allLaps} laps`);
      }
      console.log('                 seconds   sessions/s     laps/s');
      const line = (name: string, s: number) => console.log(`${name.padEnd(16)} ${s.toFixed(3).padStart(7)}   ${(sessions / s).toFixed(0).padStart(10)}   ${(laps / s).toFixed(0).padStart(8)}`);
      line('hub (batch)', hubS);
      line('COPY', copyS);
      console.log(`CPU seconds (2 cores, shared with whatever else runs): hub push: hub process${processCount > 1 ? 'es' : ''} ${cpu.hub.toFixed(2)}, PostgreSQL ${cpu.pg.toFixed(2)}, companions (this process) ${cpu.bench.toFixed(2)}; COPY: PostgreSQL ${cpu.copyPg.toFixed(2)}, this process ${cpu.copyBench.toFixed(2)}`);
      console.log(`HTTP floor (each companion GET /hub/v1/key once, at once): ${floor.s.toFixed(3)} s, CPU: hub process ${floor.hubCpu.toFixed(2)}, companions ${floor.benchCpu.toFixed(2)}`);
      console.log(`ratio hub / COPY: ${(copyS / hubS).toFixed(3)}× (goal ≥ 0.5×), ${processCount} hub process${processCount > 1 ? 'es' : ''}`);
      return copyS / hubS;
    } finally {
      await hubDb.close();
      await bareDb.close();
    }
  } finally {
    await (cluster as PostgresCluster | null)?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// npm run bench -- hub-ingest: 100 companions each pushing a day of sessions (10 × 30 min) to
// one `pitwall-hub serve` process on PostgreSQL at once, against a bare bulk load of the same
// rows into a database of the same cluster with the same schema (COPY FROM STDIN), in the same
// run. What the hub stores of a session is its laps and sector times (one shared_sessions row,
// laps as JSON, and a session_shares row per group), not its traces: that is what both sides
// write. HUB_INGEST_COMPANIONS=N for a smaller run.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SharedSessionUpload } from '@pitwall/protocol';
import { HubClient } from '@pitwall/protocol/node';
import { openDatabase } from '../hub/src/db/open-database.js';
import type { HubTables } from '../hub/src/db/tables.js';
import { addMember, createOrganisation } from '../hub/src/organisations/members.js';
import { addGroupMember, createGroup } from '../hub/src/team/groups.js';
import { startHubProcess } from '../hub/test/helpers/hub-process.js';
import { startPostgresCluster, type PostgresCluster } from '../hub/test/helpers/postgres-cluster.js';
import { seededRandom } from '../protocol/test/seeded-random.js';

const COMPANIONS = Number(process.env.HUB_INGEST_COMPANIONS ?? 100);
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
async function seed(db: Kysely<HubTables>): Promise<Companion[]> {
  const rand = seededRandom(0x16_16);
  const orgId = await createOrganisation(db, 'Bench Academy', 'academy');
  const admin = await addMember(db, orgId, 'Admin', 'admin');
  const adminMember = { id: admin.memberId, name: 'Admin', role: 'admin', organisationId: orgId, organisationKind: 'academy' as const };
  const group = await createGroup(db, adminMember, 'Everyone', Date.now());
  const out: Companion[] = [];
  for (let i = 0; i < COMPANIONS; i++) {
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

/** The bare bulk load: the rows the hub writes for these sessions, made and COPYed in one go. */
async function bulkCopy(url: string, companions: Companion[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t0 = performance.now();
    const at = new Date().toISOString();
    const sessions: string[][] = [];
    const shares: string[][] = [];
    for (const c of companions) {
      for (const s of c.sessions) {
        sessions.push([c.unitId, s.sessionId, c.driverId, s.upload.startedAt, TRACK, JSON.stringify(s.upload.laps), at]);
        for (const g of s.upload.groups) shares.push([g, c.unitId, s.sessionId]);
      }
    }
    await copyIn(client, 'COPY shared_sessions (unit_id, session_id, driver_id, started_at, track_id, laps, updated_at) FROM STDIN', copyRows(sessions));
    await copyIn(client, 'COPY session_shares (group_id, unit_id, session_id) FROM STDIN', copyRows(shares));
    return (performance.now() - t0) / 1000;
  } finally {
    await client.end();
  }
}

/** Every companion at once, each pushing its sessions one after another, as a companion catching up does. */
async function pushThroughHub(url: string, companions: Companion[]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    companions.map(async (c) => {
      const hub = new HubClient(url, { token: c.token, timeoutMs: 120_000 });
      for (const s of c.sessions) await hub.shareSession(c.unitId, s.sessionId, s.upload);
    }),
  );
  return (performance.now() - t0) / 1000;
}

/** CPU seconds a process has used (user + system), from /proc: where the hub's time goes. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function counts(db: Kysely<HubTables>) {
  const rows = await db.selectFrom('shared_sessions').select('laps').execute();
  return { sessions: rows.length, laps: rows.reduce((a, r) => a + (JSON.parse(r.laps) as unknown[]).length, 0) };
}

export async function runHubIngestBench(): Promise<void> {
  let cluster: PostgresCluster | null = null;
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-hub-ingest-'));
  try {
    cluster = await startPostgresCluster();
    const hubTarget = { kind: 'postgres' as const, url: await cluster.createDatabase() };
    const bareTarget = { kind: 'postgres' as const, url: await cluster.createDatabase() };
    const hubDb = await openDatabase(hubTarget);
    const bareDb = await openDatabase(bareTarget);
    try {
      const companions = await seed(hubDb.db);
      await copySeed(hubDb.db, bareDb.db);
      const sessions = companions.length * SESSIONS_A_DAY;
      const laps = companions.reduce((a, c) => a + c.sessions.reduce((b, s) => b + s.upload.laps.length, 0), 0);
      console.log(`${companions.length} companions × ${SESSIONS_A_DAY} sessions of 30 min (${sessions} sessions, ${laps} laps with 3 sectors), all at once, to one hub process on PostgreSQL`);
      console.log('baseline: the same rows (shared_sessions + session_shares) by COPY FROM STDIN into a fresh database of the same cluster and schema');
      const hub = await startHubProcess(hubTarget, dir, join(dir, 'hub-key.pem'));
      let hubS: number;
      let hubCpuS: number;
      try {
        const cpu0 = cpuSeconds(hub.child.pid!);
        hubS = await pushThroughHub(hub.url, companions);
        hubCpuS = cpuSeconds(hub.child.pid!) - cpu0;
      } finally {
        await hub.stop();
      }
      const copyS = await bulkCopy(bareTarget.url, companions);
      const [stored, copied] = [await counts(hubDb.db), await counts(bareDb.db)];
      if (stored.sessions !== sessions || copied.sessions !== sessions || stored.laps !== laps || copied.laps !== laps) {
        throw new Error(`rows written do not match: hub ${JSON.stringify(stored)}, COPY ${JSON.stringify(copied)}, expected ${sessions} sessions ${laps} laps`);
      }
      console.log('                 seconds   sessions/s     laps/s');
      const line = (name: string, s: number) => console.log(`${name.padEnd(16)} ${s.toFixed(3).padStart(7)}   ${(sessions / s).toFixed(0).padStart(10)}   ${(laps / s).toFixed(0).padStart(8)}`);
      line('hub (HTTP PUT)', hubS);
      line('COPY', copyS);
      console.log(`the hub process used ${hubCpuS.toFixed(1)} s of CPU in its ${hubS.toFixed(1)} s (2 cores shared with PostgreSQL and this process)`);
      console.log(`ratio hub / COPY: ${(copyS / hubS).toFixed(3)}× (goal ≥ 0.5×)`);
    } finally {
      await hubDb.close();
      await bareDb.close();
    }
  } finally {
    await (cluster as PostgresCluster | null)?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

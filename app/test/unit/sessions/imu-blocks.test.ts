// IMU samples stored as blocks (app/src/sessions/imu-blocks.ts): the same samples come back as the
// row-per-sample table gave them (in time order, each time once, the first stored kept), and the
// migration moves rows stored by an older companion into blocks without changing one value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionHeader } from '@pitwall/protocol';
import { migrate, openDatabaseFile } from '../../../src/store/database.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { PartialSessions } from '../../../src/sessions/partial-sessions.js';
import { SessionStore } from '../../../src/sessions/session-store.js';
import { BLOCK_SAMPLES, distinctByTime } from '../../../src/sessions/imu-blocks.js';
import { IMU_COLUMNS } from '../../../src/sessions/sample-rows.js';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';

const W = IMU_COLUMNS.length;

function randomRows(n: number, seed: number, t0 = 1_700_000_000_000): Float64Array {
  const rnd = seededRandom(seed);
  const rows = new Float64Array(n * W);
  for (let i = 0; i < n; i++) {
    rows[i * W] = t0 + i * 10 + Math.round(rnd() * 4) / 8;
    for (let j = 1; j < W; j++) rows[i * W + j] = Math.round((rnd() - 0.5) * 40000) / 100;
  }
  return rows;
}

const header = (sessionId: string): SessionHeader =>
  ({ unitId: 'unit-1', sessionId, startedAt: '2026-06-13T09:00:00.000Z', driver: null, trackId: null, gnssRateHz: 25 }) as unknown as SessionHeader;

const asRows = (samples: ReturnType<SessionStore['imu']>) => samples.flatMap((s) => [s.t, ...s.accelMps2, ...s.gyroDps]);

test('samples in time order go into blocks and come back unchanged, whole and by time range', () => {
  const db = openDatabaseFile(null);
  const sessions = new PartialSessions(db);
  const id = sessions.begin(header('s1'), { sha256: 'x', unitName: 'Car 1', sizeB: 1 })!;
  const rows = randomRows(3 * BLOCK_SAMPLES + 123, 1);
  // As a sync appends them: pieces of a few thousand samples.
  for (let o = 0; o < rows.length; o += 3999 * W) sessions.append(id, new Float64Array(0), rows.slice(o, o + 3999 * W));
  sessions.complete(id, { header: header('s1'), events: [], summary: null, chunks: 1, fixes: 0, imu: 0, firstFixT: null, lastFixT: null, lastImuT: null }, { trackId: null, laps: [] } as never);
  const store = new SessionStore(db, () => []);
  assert.equal(store.list()[0]!.imuSamples, rows.length / W);
  assert.deepEqual(asRows(store.imu(id)), [...rows]);
  const from = rows[5000 * W]!;
  const to = rows[9000 * W]!;
  assert.deepEqual(asRows(store.imu(id, from, to)), [...rows.slice(5000 * W, 9001 * W)], 'a range across blocks');
  assert.deepEqual(store.imu(id, 0, 1), [], 'a range before the session');
  db.close();
});

test('samples out of order or repeating a time are stored as the primary key (session, t) stored them: sorted, first one kept', () => {
  const db = openDatabaseFile(null);
  const sessions = new PartialSessions(db);
  const id = sessions.begin(header('s2'), { sha256: 'x', unitName: 'Car 1', sizeB: 1 })!;
  const a = randomRows(6000, 2);
  const b = randomRows(3000, 3, a[100 * W]!); // overlaps a's times, different values
  sessions.append(id, new Float64Array(0), b);
  sessions.append(id, new Float64Array(0), a);
  sessions.append(id, new Float64Array(0), a.slice(0, 10 * W)); // a repeat of stored times
  sessions.complete(id, { header: header('s2'), events: [], summary: null, chunks: 1, fixes: 0, imu: 0, firstFixT: null, lastFixT: null, lastImuT: null }, { trackId: null, laps: [] } as never);
  const all = new Float64Array([...b, ...a]);
  const expected = distinctByTime(all);
  // The rule itself: each time once, the first stored of it, in time order.
  const seen = new Map<number, number[]>();
  for (let o = 0; o < all.length; o += W) if (!seen.has(all[o]!)) seen.set(all[o]!, [...all.slice(o, o + W)]);
  assert.deepEqual([...expected], [...seen.keys()].sort((x, y) => x - y).flatMap((t) => seen.get(t)!));
  const store = new SessionStore(db, () => []);
  assert.deepEqual(asRows(store.imu(id)), [...expected]);
  assert.equal(store.list()[0]!.imuSamples, expected.length / W);
  const blocks = db.prepare('SELECT t0, t1 FROM session_imu_blocks WHERE session = ? ORDER BY t0').all(id) as { t0: number; t1: number }[];
  blocks.slice(1).forEach((blk, i) => assert.ok(blk.t0 > blocks[i]!.t1, 'blocks of a complete session do not overlap'));
  db.close();
});

test('migration 7 moves the rows of an older companion into blocks: every value the same, the old table gone', () => {
  const db = openDatabaseFile(null, MIGRATIONS.filter((m) => m.version <= 6));
  const insertSession = db.prepare(
    `INSERT INTO sessions (unit_id, session_id, sha256, unit_name, started_at, ended_at, gnss_hz, fixes, imu_samples, size_b, header, unit_laps, synced_at) VALUES ('u', ?, 'x', 'Car', 0, 0, 25, 0, ?, 1, '{}', '[]', 0)`,
  );
  const insertImu = db.prepare('INSERT INTO session_imu (session, t, ax, ay, az, gx, gy, gz) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const stored = new Map<number, number[]>();
  db.transaction(() => {
    for (const [k, n] of [[1, 2 * BLOCK_SAMPLES + 5], [2, 17], [3, 0]] as const) {
      const id = Number(insertSession.run(`s${k}`, n).lastInsertRowid);
      const rows = randomRows(n, 10 + k);
      // Inserted out of time order: the blocks are made in time order all the same.
      for (let i = n - 1; i >= 0; i--) insertImu.run(id, ...rows.slice(i * W, i * W + W));
    }
  })();
  // What the row-per-sample reader gave (SQLite keeps -0 as 0, for one).
  for (const id of [1, 2, 3]) stored.set(id, (db.prepare('SELECT t, ax, ay, az, gx, gy, gz FROM session_imu WHERE session = ? ORDER BY t').raw().all(id) as number[][]).flat());
  assert.equal(stored.get(1)!.length, (2 * BLOCK_SAMPLES + 5) * W);
  migrate(db, MIGRATIONS);
  const store = new SessionStore(db, () => []);
  for (const [id, rows] of stored) assert.deepEqual(asRows(store.imu(id)), rows, `session ${id}`);
  assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'session_imu%' ORDER BY name").pluck().all(), ['session_imu_blocks', 'session_imu_blocks_session']);
  assert.deepEqual(
    db.prepare('SELECT session, count(*) AS blocks, sum(n) AS samples FROM session_imu_blocks GROUP BY session ORDER BY session').all(),
    [
      { session: 1, blocks: 3, samples: 2 * BLOCK_SAMPLES + 5 },
      { session: 2, blocks: 1, samples: 17 },
    ],
  );
  db.close();
});

test('a sample repeating the time of the one before it is dropped, the first kept', () => {
  const db = openDatabaseFile(null);
  const sessions = new PartialSessions(db);
  const id = sessions.begin(header('s4'), { sha256: 'x', unitName: 'Car 1', sizeB: 1 })!;
  const times = [1, 1, 2, 3, 3, 3, 4];
  const rows = new Float64Array(times.flatMap((t, i) => [t, i, i, i, i, i, i]));
  sessions.append(id, new Float64Array(0), rows);
  sessions.append(id, new Float64Array(0), new Float64Array([4, 9, 9, 9, 9, 9, 9, 5, 7, 7, 7, 7, 7, 7]));
  sessions.complete(id, { header: header('s4'), events: [], summary: null, chunks: 1, fixes: 0, imu: 0, firstFixT: null, lastFixT: null, lastImuT: null }, { trackId: null, laps: [] } as never);
  const store = new SessionStore(db, () => []);
  assert.deepEqual(
    store.imu(id).map((s) => [s.t, s.accelMps2[0]]),
    [[1, 0], [2, 2], [3, 3], [4, 6], [5, 7]],
  );
  assert.equal(store.list()[0]!.imuSamples, 5);
  db.close();
});

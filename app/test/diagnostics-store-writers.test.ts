import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { DiagnosticsStore } from '../src/diagnostics/diagnostics-store.js';
import { DATABASE_FILE, openDatabase } from '../src/store/database.js';
import { scratchDir } from './helpers/units.js';

/**
 * The log ingest (a worker's connection) and the main thread (health, dumps, confirms) write
 * to one database file. Each ingest transaction reads before it writes; it must wait for the
 * other writer, never fail with "database is locked" because that one committed in between.
 */
const scratch = scratchDir('diag-writers');
after(() => scratch.cleanup());

test('ingest transactions wait for another connection that keeps committing, and none fails', async () => {
  const dir = join(scratch.dir, 'db');
  const db = openDatabase(dir);
  const store = new DiagnosticsStore(db);
  // The other writer: a thread committing health rows one by one for a while, on its own connection.
  const other = new Worker(
    `const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
     const { parentPort, workerData } = require('node:worker_threads');
     const db = new Database(workerData.file);
     db.pragma('busy_timeout = 2000');
     const insert = db.prepare('INSERT INTO health_snapshots (unit_id, time_ms, boot, time, snapshot) VALUES (?, ?, ?, ?, ?)');
     let n = 0;
     const until = Date.now() + 1500;
     while (Date.now() < until) insert.run('other-unit', n++, 'b', 't', '{}');
     db.close();
     parentPort.postMessage(n);`,
    { eval: true, workerData: { file: join(dir, DATABASE_FILE) } },
  );
  const written = new Promise<number>((resolve, reject) => {
    other.once('message', resolve);
    other.once('error', reject);
  });
  const unit = randomUUID();
  const boot = randomUUID();
  const cursor = { boot, startedAt: new Date().toISOString(), storedSeq: 0, confirmedSeq: 0, unitLastSeq: 0 };
  const failures: string[] = [];
  let seq = 0;
  let done = false;
  void written.then(() => (done = true));
  while (!done) {
    const batch = Array.from({ length: 20 }, () => ({ boot, seq: ++seq, timeMs: Date.now(), level: 30, subsystem: 'gnss', msg: `fix ${seq}`, fw: '0.4.0', commit: 'a1b2c3d', extra: '{}' }));
    cursor.storedSeq = seq;
    cursor.unitLastSeq = seq;
    try {
      store.ingest(unit, cursor, batch, []);
    } catch (err) {
      failures.push((err as Error).message);
    }
    await new Promise((r) => setImmediate(r));
  }
  const theirs = await written;
  try {
    assert.ok(theirs > 100, `the other connection committed ${theirs} rows meanwhile`);
    assert.ok(seq > 200, `ingest ran ${seq / 20} transactions meanwhile`);
    assert.deepEqual(failures.slice(0, 3), [], `${failures.length} ingest transaction(s) failed`);
    assert.equal(store.countRecords(), seq);
  } finally {
    db.close();
  }
});

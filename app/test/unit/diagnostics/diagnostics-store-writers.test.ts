import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DiagnosticsStore } from '../../../src/diagnostics/diagnostics-store.js';
import { WorkerIngester } from '../../../src/diagnostics/ingester.js';
import { pullUnit } from '../../../src/diagnostics/unit-pull.js';
import { openDatabase } from '../../../src/store/database.js';
import { storeWriter } from '../../../src/store/store-writer.js';
import { ArraySource, type FakeBootData } from '../../helpers/staged-source.js';
import { makeRecord } from '../../../../testbed/fake-diagnostics-unit.js';
import { scratchDir } from '../../helpers/units.js';

/**
 * One writer: the store's writer thread owns the only write connection to the database file.
 * The main thread's connection reads; its small writes (health, dumps, pulls) go to the writer
 * and run between the log ingest's transactions.
 */
const scratch = scratchDir('diag-writers');
after(() => scratch.cleanup());

test("the main thread's connection cannot write to the database file", () => {
  const db = openDatabase(join(scratch.dir, 'readonly-main'));
  try {
    assert.throws(() => db.prepare("INSERT INTO diagnostics_pulls (unit_id, last_pull) VALUES ('u', 1)").run(), /readonly|read-only|query_only/i);
    new DiagnosticsStore(db).pulls.note('u', null);
    assert.ok(new DiagnosticsStore(db).pulls.last('u'), 'the same write through the store writer is stored');
  } finally {
    db.close();
  }
});

test('small writes from the main thread while the writer thread ingests a long pull: none fails, every row is there', async () => {
  const dir = join(scratch.dir, 'db');
  const db = openDatabase(dir);
  const store = new DiagnosticsStore(db);
  const unit = randomUUID();
  const boot = randomUUID();
  const T0 = Date.parse('2026-05-01T10:00:00Z');
  const lines = Array.from({ length: 40_000 }, (_, i) => ({ seq: i + 1, text: JSON.stringify(makeRecord(unit, boot, i + 1, T0)) }));
  const data: FakeBootData = { boot, startedAt: new Date(T0).toISOString(), lines, confirmedSeq: 0 };
  const ingester = new WorkerIngester(storeWriter(db));
  const failures: string[] = [];
  let health = 0;
  let ingesting = true;
  try {
    const pull = pullUnit(store, { dir: join(dir, 'staging'), ingester }, new ArraySource([data]), unit, { frameBytes: 16 * 1024 }).finally(() => (ingesting = false));
    while (ingesting) {
      try {
        health += store.health.add('other-unit', [{ time: new Date(T0 + health * 1000).toISOString(), boot: 'b' } as never]);
      } catch (err) {
        failures.push((err as Error).message);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const result = await pull;
    assert.equal(result.logs, 40_000);
    assert.deepEqual(failures.slice(0, 3), [], `${failures.length} small write(s) failed`);
    assert.ok(health > 5, `the main thread wrote ${health} health rows during the ingest`);
    assert.equal(store.health.list('other-unit', null, null).length, health);
    assert.equal(store.logs.count(unit), 40_000);
  } finally {
    await ingester.close();
    db.close();
  }
});

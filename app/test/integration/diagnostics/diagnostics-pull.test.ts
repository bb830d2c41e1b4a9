import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { EventName, SyncProgress } from '@pitwall/protocol';
import type { Companion } from '../../../src/companion.js';
import { makeBoot, makeCrash, makeHealth, makeRecord, startFakeDiagnosticsUnit, type FakeDiagnosticsUnit } from '../../../../testbed/fake-diagnostics-unit.js';
import { pairedCompanion } from '../../helpers/diagnostics-fixtures.js';
import { scratchDir } from '../../helpers/units.js';

/** Pulling logs, health and crash dumps from (fake HTTPS) units into the companion store. */
const scratch = scratchDir('diag-pull');
const dataDir = join(scratch.dir, 'companion');
const events: { event: EventName; payload: unknown }[] = [];
let a: FakeDiagnosticsUnit;
let b: FakeDiagnosticsUnit;
let companion: Companion;

before(async () => {
  a = await startFakeDiagnosticsUnit({ name: 'Diag A' });
  b = await startFakeDiagnosticsUnit({ name: 'Diag B' });
  const t0 = Date.now() - 3600_000;
  a.boots.push(makeBoot(a.id, 20_000, { t0 }), makeBoot(a.id, 5_000, { t0: t0 + 400_000 }));
  // B's first boot lost its first 100 records to rotation before any pull: a gap to report.
  b.boots.push(makeBoot(b.id, 15_000, { t0, firstSeq: 101 }));
  for (const u of [a, b]) for (let i = 0; i < 30; i++) u.health.push(makeHealth(u.id, u.boots[0]!.boot, new Date(t0 + i * 60_000)));
  const last = [1, 2, 3].map((s) => makeRecord(a.id, a.boots[0]!.boot, s, t0));
  a.crashes.push(makeCrash(a.id, a.boots[0]!.boot, 'crash-1', 'uncaught-exception', 'lap timer exploded', last));
  companion = await pairedCompanion(dataDir, [a, b], events);
});

after(async () => {
  await companion?.close();
  await a?.close();
  await b?.close();
  scratch.cleanup();
});

const count = (sql: string, ...args: unknown[]): number => {
  const db = new Database(join(dataDir, 'companion.sqlite'), { readonly: true });
  try {
    return (db.prepare(sql).get(...args) as { n: number }).n;
  } finally {
    db.close();
  }
};

test('two units pulled at once: every record once, gaps reported, health and dumps stored, then confirmed', async () => {
  const results = await companion.handlers['sync:diagnostics']({});
  assert.equal(results.length, 2);
  const ra = results.find((r) => r.unitId === a.id)!;
  const rb = results.find((r) => r.unitId === b.id)!;
  assert.ok(ra.ok && rb.ok, JSON.stringify(results.map((r) => r.error)));
  assert.deepEqual([ra.logs, ra.health, ra.crashes], [25_000, 30, 1]);
  assert.deepEqual([rb.logs, rb.health, rb.crashes], [15_000, 30, 0]);
  assert.deepEqual(rb.gaps.map((g) => [g.fromSeq, g.toSeq]), [[1, 100]]);
  assert.equal(count('SELECT count(*) AS n FROM log_records'), 40_000);
  assert.equal(count('SELECT count(*) AS n FROM (SELECT unit_id, boot, seq FROM log_records GROUP BY 1, 2, 3 HAVING count(*) > 1)'), 0);
  assert.deepEqual(a.boots.map((x) => x.confirmedSeq), [20_000, 5_000], 'confirmed up to the stored seq');
  assert.equal(b.boots[0]!.confirmedSeq, 15_100);
  assert.ok(a.confirmedCrashes.has('crash-1'));
  assert.ok(a.logEncodings.length > 0 && a.logEncodings.every((e) => e === 'gzip'), `the companion asks for gzip: ${a.logEncodings.join(',')}`);
  const progress = events.filter((e) => e.event === 'sync:progress').map((e) => e.payload as SyncProgress);
  assert.ok(progress.some((p) => p.unitId === a.id && p.phase === 'logs' && p.done > 0 && p.done < p.total), 'intermediate progress');
  assert.ok(progress.some((p) => p.unitId === b.id && p.phase === 'done'));
  const page = await companion.handlers['logs:query']({ unitId: b.id, limit: 1 });
  assert.deepEqual([page.total, page.capped], [10_000, true], 'counts stop at 10,000');
  assert.equal(page.rows[0]!.seq, 15_100, 'newest first');
});

test('a second pull is incremental: nothing again, then only the new records', async () => {
  a.requests.length = 0;
  const again = await companion.handlers['sync:diagnostics']({ ids: [a.id] });
  assert.deepEqual([again[0]!.logs, again[0]!.health, again[0]!.crashes], [0, 0, 0]);
  assert.ok(!a.requests.some((r) => r.startsWith('GET /v1/logs?')), `no log stream asked: ${a.requests.join(', ')}`);
  const boot = a.boots[1]!;
  for (let s = 5_001; s <= 5_500; s++) boot.lines.push(JSON.stringify(makeRecord(a.id, boot.boot, s, Date.parse(boot.startedAt))));
  const more = await companion.handlers['sync:diagnostics']({ ids: [a.id] });
  assert.equal(more[0]!.logs, 500);
  assert.ok(a.requests.some((r) => r.includes(`boot=${boot.boot}&after=5000`)), a.requests.join(', '));
  assert.equal(count('SELECT count(*) AS n FROM log_records WHERE unit_id = ?', a.id), 25_500);
});

test('records of another unit, malformed lines and a torn last line are not stored', async () => {
  const boot = a.boots[1]!;
  const t = Date.parse(boot.startedAt);
  boot.lines.push(JSON.stringify(makeRecord(b.id, boot.boot, 5_501, t))); // another unit's id
  boot.lines.push('{"not": "a record"}');
  boot.lines.push(JSON.stringify(makeRecord(a.id, boot.boot, 5_503, t)));
  const r = await companion.handlers['sync:diagnostics']({ ids: [a.id] });
  assert.equal(r[0]!.logs, 1);
  assert.deepEqual(r[0]!.gaps.map((g) => [g.fromSeq, g.toSeq]), [[5_501, 5_502]], 'the skipped seqs are a reported gap');
});

test('fleet overview and health series come from the stored snapshots', async () => {
  const fleet = await companion.handlers['health:fleet']({});
  assert.equal(fleet.length, 2);
  const rowA = fleet.find((f) => f.unitId === a.id)!;
  assert.ok(rowA.flags.includes('crashed'), JSON.stringify(rowA));
  const series = await companion.handlers['health:series']({ id: a.id });
  assert.equal(series.points.length, 30);
  const crashes = await companion.handlers['crashes:list']({});
  assert.deepEqual(crashes.map((c) => c.crashId), ['crash-1']);
  const detail = await companion.handlers['crashes:get']({ unitId: a.id, crashId: 'crash-1' });
  assert.equal(detail.lastLogs.length, 3);
  assert.match(detail.stack ?? '', /lap-timer/);
});

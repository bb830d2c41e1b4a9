import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { makeBoot, startFakeDiagnosticsUnit, type FakeDiagnosticsUnit } from '../../../../testbed/fake-diagnostics-unit.js';
import { pinUnits } from '../../helpers/diagnostics-fixtures.js';
import { scratchDir, waitFor } from '../../helpers/units.js';

/** The companion SIGKILLed in mid-pull and restarted: complete, no duplicates, integrity ok. */
const CHILD = fileURLToPath(new URL('../../helpers/pull-child.ts', import.meta.url));
const TOTAL = 120_000;
const scratch = scratchDir('diag-kill');
const dataDir = join(scratch.dir, 'companion');
const dbFile = join(dataDir, 'companion.sqlite');
let unit: FakeDiagnosticsUnit;

before(async () => {
  unit = await startFakeDiagnosticsUnit({ name: 'Kill Target' });
  unit.boots.push(makeBoot(unit.id, 20_000), makeBoot(unit.id, TOTAL - 20_000));
  await pinUnits(dataDir, [unit]);
});
after(async () => {
  await unit?.close();
  scratch.cleanup();
});

function runChild(): { child: ReturnType<typeof spawn>; out: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, unit.id], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => out.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => out.push(d));
  return { child, out };
}

function stored(): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM log_records').get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

test('SIGKILL during the pull, then a restart: every record exactly once, nothing confirmed before it is durably staged', { timeout: 90_000 }, async () => {
  unit.throttleBytesPer10ms = 48 * 1024; // ~5 MB/s: the pull takes seconds, the kill lands in the middle
  const first = runChild();
  // The larger boot is pulled first (boots go oldest first); its records are staged as they
  // arrive and ingested once its transfer is over. The kill lands mid-transfer: over 12 MB
  // (three 4 MiB frames, ~48,000 records) staged, nothing confirmed to the unit yet.
  const staged = (): number => {
    try {
      const dir = join(dataDir, 'diagnostics-staging');
      return readdirSync(dir).reduce((n, f) => n + (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
    } catch {
      return 0; // not made yet
    }
  };
  await waitFor('12 MB staged by the first pull', () => staged() > 12 * 1024 * 1024, 40_000, 20);
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  const atKill = stored();
  assert.ok(atKill < TOTAL, `killed mid-pull (${atKill} of ${TOTAL} stored)`);
  assert.ok(readdirSync(join(dataDir, 'diagnostics-staging')).length > 0, 'a staging file was left by the kill');
  const confirmedAtKill = unit.boots.map((b) => b.confirmedSeq);
  assert.deepEqual(confirmedAtKill, [0, 0], 'nothing confirmed before its transfer was over');

  unit.throttleBytesPer10ms = 0;
  unit.requests.length = 0;
  const second = runChild();
  const [code] = (await once(second.child, 'exit')) as [number];
  assert.equal(code, 0, second.out.join(''));
  const done = JSON.parse(second.out.join('').split('\n').find((l) => l.includes('"done"'))!) as { results: { ok: boolean; logs: number; gaps: unknown[] }[] };
  assert.ok(done.results[0]!.ok, JSON.stringify(done.results));
  // Records staged before the kill went in first (at start-up, or before the pull asked for more);
  // the unit was then asked only for what neither the store nor the staging file held.
  assert.ok(done.results[0]!.logs <= TOTAL - atKill, `${done.results[0]!.logs} stored by the pull, ${atKill} before the kill`);
  assert.deepEqual(done.results[0]!.gaps, []);
  const asked = unit.requests.filter((r) => r.startsWith('GET /v1/logs?')).map((r) => new URLSearchParams(r.slice(r.indexOf('?') + 1)));
  const sent = asked.reduce((n, q) => {
    const b = unit.boots.find((x) => x.boot === q.get('boot'))!;
    return n + Math.max(0, b.firstSeq + b.lines.length - 1 - Number(q.get('after')));
  }, 0);
  assert.ok(sent <= TOTAL - Math.max(atKill, 40_000), `the restart asked for ${sent} records, at most ${TOTAL - 40_000} were neither stored nor staged: ${unit.requests.join(', ')}`);
  assert.deepEqual(readdirSync(join(dataDir, 'diagnostics-staging')), [], 'no staging file left');

  assert.equal(stored(), TOTAL);
  const db = new Database(dbFile, { readonly: true });
  const dups = (db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM log_records GROUP BY unit_id, boot, seq HAVING count(*) > 1)').get() as { n: number }).n;
  const fts = (db.prepare("SELECT count(*) AS n FROM log_fts WHERE log_fts MATCH 'satellites'").get() as { n: number }).n;
  const direct = (db.prepare("SELECT count(*) AS n FROM log_records WHERE msg LIKE '%satellites%' OR extra LIKE '%satellites%'").get() as { n: number }).n;
  db.close();
  assert.equal(dups, 0);
  assert.equal(fts, direct, 'the full-text index matches the table');
  assert.deepEqual(unit.boots.map((b) => b.confirmedSeq), [20_000, TOTAL - 20_000]);
  // The sqlite3 command-line tool agrees: the file is sound.
  const check = execFileSync('sqlite3', [dbFile, 'PRAGMA integrity_check;', "INSERT INTO log_fts(log_fts, rank) VALUES('integrity-check', 1);", 'SELECT count(*) FROM log_records;'], { encoding: 'utf8' });
  assert.deepEqual(check.trim().split('\n'), ['ok', String(TOTAL)]);
});

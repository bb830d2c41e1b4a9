import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { startHostileUnit, type HostileUnit } from '../../../../testbed/hostile-unit.js';
import type { Companion } from '../../../src/companion.js';
import { pairedCompanion } from '../../helpers/diagnostics-fixtures.js';
import { scratchDir } from '../../helpers/units.js';

/** Wires and input: mutated documents from a paired unit, against the real companion core. */
const scratch = scratchDir('hostile-unit');
const open: { companion?: Companion; unit?: HostileUnit }[] = [];
after(async () => {
  for (const o of open) {
    await o.companion?.close();
    await o.unit?.close();
  }
  scratch.cleanup();
});

async function setUp(tag: string, o: Parameters<typeof startHostileUnit>[0]) {
  const unit = await startHostileUnit(o);
  const dataDir = join(scratch.dir, tag);
  const companion = await pairedCompanion(dataDir, [unit.unit]);
  open.push({ companion, unit });
  const db = () => new Database(join(dataDir, 'companion.sqlite'), { readonly: true });
  return { unit, companion, dataDir, db };
}

function query<T>(open: () => Database.Database, sql: string): T[] {
  const db = open();
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

test('a session chunk with a valid checksum and invalid UTF-8 fails that session only: the companion stays up, stores and confirms nothing of it', async () => {
  const { unit, companion, db } = await setUp('bad-utf8', { seed: 1, sessionMutations: ['bad-utf8-events', 'bad-utf8-summary', 'bad-utf8-header'], sessionsPerRound: 3, diagnostics: false });
  const report = await companion.handlers['sync:start']({});
  assert.equal(report.fetched, 0);
  assert.equal(report.units[0]!.failed, 3);
  assert.match(report.units[0]!.error ?? '', /not valid UTF-8|do not decode/, 'a clear reason');
  assert.deepEqual([...unit.confirmed], [], 'nothing confirmed');
  assert.deepEqual(query(db, 'SELECT session_id FROM sessions'), [], 'nothing stored, not even incomplete');
  assert.deepEqual(query(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
  // And the next sync, of sound sessions, still works.
  unit.round(1, ['clean']);
  const again = await companion.handlers['sync:start']({});
  assert.deepEqual([again.fetched, again.units[0]!.error], [3, null]);
  assert.equal(unit.confirmed.size, 3);
});

test('a hostile unit, round after round: the companion stays up, refuses what it must, and its database stays sound', async () => {
  const { unit, companion, db } = await setUp('soak', { seed: 7, sessionsPerRound: 8 });
  const budgetMs = Number(process.env.PITWALL_SOAK_MS ?? 30_000);
  const maxRounds = Number(process.env.PITWALL_SOAK_ROUNDS ?? 2000);
  // At least this many rounds however slow the machine is, then more until the time is up.
  const minRounds = Math.min(maxRounds, 10);
  const started = Date.now();
  const errors = new Map<string, number>();
  const failed = (e: string | null) => e !== null && errors.set(e.replace(/[0-9a-f-]{8,}|\d+/g, '#').slice(0, 100), (errors.get(e) ?? 0) + 1);
  let rounds = 0;
  let fetched = 0;
  for (; rounds < maxRounds && (rounds < minRounds || Date.now() - started < budgetMs); rounds++) {
    unit.round(rounds + 1);
    const report = await companion.handlers['sync:start']({});
    fetched += report.fetched;
    failed(report.units[0]!.error);
    const [pull] = await companion.handlers['sync:diagnostics']({});
    failed(pull!.error);
    if (rounds % 40 === 0) await companion.handlers['diagnostics:export']({ id: unit.unit.id });
  }
  process.stderr.write(`hostile soak: ${rounds} rounds, ${unit.served} hostile responses, ${fetched} sessions fetched, in ${Date.now() - started} ms\n${[...errors.keys()].join('\n')}\n`);
  const ours = [...errors.keys()].filter((e) => /\bE[A-Z]{3,}\b|SQLITE|ingest|TypeError|undefined/.test(e));
  assert.deepEqual(ours, [], 'every failure is the unit\'s, with its reason: none is the companion\'s own');
  const wrongly = [...unit.confirmed].filter((id) => unit.poisoned.has(id));
  assert.deepEqual(wrongly, [], 'nothing the companion had to refuse was confirmed');
  const stored = query<{ session_id: string; complete: number }>(db, 'SELECT session_id, complete FROM sessions');
  assert.deepEqual(stored.filter((s) => unit.poisoned.has(s.session_id) || s.complete !== 1), [], 'no refused or partial session stored');
  const crashes = query<{ crash_id: string }>(db, 'SELECT crash_id FROM crash_dumps');
  assert.deepEqual(crashes.filter((c) => unit.poisoned.has(c.crash_id)), [], 'no refused crash dump stored');
  assert.ok(fetched > 0 && stored.length === fetched, `sound sessions still came through (${fetched} fetched, ${stored.length} stored)`);
  assert.deepEqual(query(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
  assert.ok((await companion.handlers['devices:list']({})).some((e) => e.id === unit.unit.id), 'still answering');
});

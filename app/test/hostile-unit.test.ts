import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { startHostileUnit, type HostileUnit } from '../../testbed/hostile-unit.js';
import type { Companion } from '../src/companion.js';
import { pairedCompanion } from './helpers/diagnostics-fixtures.js';
import { scratchDir } from './helpers/units.js';

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

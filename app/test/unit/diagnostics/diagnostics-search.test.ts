import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { CompanionError } from '@pitwall/protocol';
import { openDatabase } from '../../../src/store/database.js';
import { LogStore } from '../../../src/diagnostics/log-store.js';
import { LogWriter } from '../../../src/diagnostics/log-writer.js';
import { ftsQuery } from '../../../src/diagnostics/log-search.js';

/** Full-text search: user input is never FTS5 syntax, whatever it holds. */
function seeded(): LogStore {
  const db = openDatabase(null);
  const store = new LogStore(db);
  const unit = randomUUID();
  const boot = randomUUID();
  const msgs = ['GNSS fix lost after tunnel', 'lap 12 crossed start/finish', 'NEAR the pit "exit" (slow)', 'disk at 91% used', 'checksum mismatch in NMEA sentence *47', 'AND OR NOT are words here'];
  new LogWriter(db).ingest(unit, { boot, startedAt: new Date().toISOString(), storedSeq: msgs.length, confirmedSeq: 0, unitLastSeq: msgs.length },
    msgs.map((msg, i) => ({ boot, seq: i + 1, timeMs: Date.now() + i, level: 30, subsystem: 'gnss', msg, fw: '1', commit: 'c', extra: i === 0 ? '{"stage":"reacquire"}' : '{}' })), []);
  return store;
}

test('words, phrases and prefixes find what a person expects', () => {
  const store = seeded();
  const find = (text: string) => store.query({ text, limit: 50 }).rows.map((r) => r.msg);
  assert.deepEqual(find('gnss lost'), ['GNSS fix lost after tunnel']);
  assert.deepEqual(find('"fix lost"'), ['GNSS fix lost after tunnel']);
  assert.deepEqual(find('tun*'), ['GNSS fix lost after tunnel']);
  assert.deepEqual(find('reacquire'), ['GNSS fix lost after tunnel'], 'extra fields are searched too');
  assert.deepEqual(find('NEAR'), ['NEAR the pit "exit" (slow)']);
  assert.deepEqual(find('"exit"'), ['NEAR the pit "exit" (slow)']);
  assert.deepEqual(find('AND OR NOT'), ['AND OR NOT are words here']);
  assert.equal(find('***').length, 6, 'nothing searchable: no text filter');
  assert.equal(ftsQuery('a"b'), '"a""b"', 'a quote inside a word is doubled inside one FTS5 string');
});

test('fuzzed search strings never reach the UI as an SQLite syntax error', () => {
  const store = seeded();
  const parts = ['"', "'", '*', '(', ')', 'NEAR', 'NEAR(', 'AND', 'OR', 'NOT', '^', ':', 'msg:', '-', '+', '{', '}', '[', ']', ',', 'gnss', 'lap', '\\', '\u0000', '\u200b', 'é', '🏁', ' ', '  ', 'NEAR/3', '"gnss', 'lap"', '*gnss', 'extra:', '%', '_'];
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let i = 0; i < 3000; i++) {
    let text = '';
    const len = 1 + rnd(8);
    for (let k = 0; k < len; k++) text += parts[rnd(parts.length)]!;
    try {
      store.query({ text: text.slice(0, 500), limit: 20 });
    } catch (err) {
      assert.fail(`search ${JSON.stringify(text)} threw ${(err as Error).message}`);
    }
  }
  for (let i = 0; i < 500; i++) {
    const text = Array.from({ length: 1 + rnd(40) }, () => String.fromCharCode(rnd(0x3000))).join('');
    assert.doesNotThrow(() => store.query({ text, limit: 5 }), `search ${JSON.stringify(text)}`);
  }
});

test('the contract refuses oversized or malformed queries before SQL', async () => {
  const { createCompanion } = await import('../../../src/companion.js');
  const c = createCompanion({ dataDir: null, mdns: false, serial: false, hotplug: false, events: () => undefined });
  try {
    for (const bad of [{ limit: 0 }, { limit: 5000 }, { text: 'x'.repeat(501), limit: 5 }, { level: 'loud', limit: 5 }, { before: -1, limit: 5 }, { subsystem: 'GNSS; DROP TABLE', limit: 5 }, {}]) {
      await assert.rejects((c.handlers['logs:query'] as (p: unknown) => Promise<unknown>)(bad), (err: unknown) => err instanceof CompanionError && err.code === 'invalid-params');
    }
    const ok = await c.handlers['logs:query']({ text: '") OR 1=1 --', limit: 5 });
    assert.equal(ok.total, 0);
  } finally {
    await c.close();
  }
});

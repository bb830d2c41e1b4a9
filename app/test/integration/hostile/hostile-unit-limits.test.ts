import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { AUDIT_PAGE_MAX } from '@pitwall/protocol';
import { startHostileUnit, type HostileUnit } from '../../../../testbed/hostile-unit.js';
import type { Companion } from '../../../src/companion.js';
import { CRASH_LIMITS } from '../../../src/diagnostics/crash-pull.js';
import { DiagnosticsStore } from '../../../src/diagnostics/diagnostics-store.js';
import { InlineIngester } from '../../../src/diagnostics/ingester.js';
import { LogWriter } from '../../../src/diagnostics/log-writer.js';
import { pullUnit } from '../../../src/diagnostics/unit-pull.js';
import { AUDIT_READ_MAX, HttpsDiagnosticsSource } from '../../../src/diagnostics/unit-source.js';
import { downloadSession } from '../../../src/sessions/session-download.js';
import { openDatabase } from '../../../src/store/database.js';
import { pairedCompanion } from '../../helpers/diagnostics-fixtures.js';
import { pinnedChannels } from '../../helpers/pinned-channels.js';
import { scratchDir } from '../../helpers/units.js';

/** Oversized input: a paired unit that sends without end is cut at the companion's limits. */
const scratch = scratchDir('hostile-limits');
const open: { companion?: Companion; unit?: HostileUnit }[] = [];
after(async () => {
  for (const o of open) {
    await o.companion?.close();
    await o.unit?.close();
  }
  scratch.cleanup();
});

test('a unit crashing in a loop: a pull takes a few dumps, the store at most its quota per unit, and only stored dumps are confirmed', async () => {
  const unit = await startHostileUnit({ seed: 3, sessionsPerRound: 0, crashFlood: 40 });
  const dataDir = join(scratch.dir, 'flood');
  const companion = await pairedCompanion(dataDir, [unit.unit]);
  open.push({ companion, unit });
  const stored = () => {
    const db = new Database(join(dataDir, 'companion.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT crash_id AS id FROM crash_dumps').all() as { id: string }[]).map((r) => r.id);
    } finally {
      db.close();
    }
  };
  const [first] = await companion.handlers['sync:diagnostics']({});
  assert.ok(first!.ok, first!.error ?? '');
  assert.equal(first!.crashes, CRASH_LIMITS.perPull, 'one pull takes at most perPull dumps');
  assert.deepEqual([...unit.confirmed].sort(), stored().sort(), 'exactly the stored dumps are confirmed');
  // Round after round of new dumps: the store stops at the per-unit quota.
  for (let r = 1; stored().length < CRASH_LIMITS.perUnit && r < 40; r++) {
    unit.round(r);
    await companion.handlers['sync:diagnostics']({});
  }
  assert.equal(stored().length, CRASH_LIMITS.perUnit);
  unit.round(99);
  const [full] = await companion.handlers['sync:diagnostics']({});
  assert.deepEqual([full!.ok, full!.crashes], [true, 0], 'the pull goes on without the dumps');
  assert.equal(stored().length, CRASH_LIMITS.perUnit);
  assert.ok(![...unit.confirmed].some((id) => id.startsWith('r99-')), 'dumps left on the unit are not confirmed');
});

test("a unit's crash dumps and health stop at the companion's disk reserve: nothing of them stored or confirmed", async () => {
  const unit = await startHostileUnit({ seed: 4, sessionsPerRound: 0, crashFlood: 5 });
  open.push({ unit });
  const db = openDatabase(null);
  const store = new DiagnosticsStore(db);
  const trust = pinnedChannels(unit.unit);
  const source = new HttpsDiagnosticsSource(trust.channels, unit.unit.id);
  let free = 64 * 1024 * 1024 + 1024 * 1024;
  const disk = { minFreeBytes: 64 * 1024 * 1024, freeBytes: async () => free };
  try {
    const staging = { dir: scratch.dir, ingester: new InlineIngester(new LogWriter(db)) };
    const ok = await pullUnit(store, staging, source, unit.unit.id, { disk });
    assert.equal(ok.crashes, 5, 'with room: stored');
    unit.round(1);
    free = 64 * 1024 * 1024 + 100; // room for the (empty) health answer, not for a dump
    await assert.rejects(pullUnit(store, staging, source, unit.unit.id, { disk }), /disk is too full for crash dump r1-f0/);
    assert.equal(store.crashes.usage(unit.unit.id).count, 5, 'no dump of the full-disk pull stored');
    assert.ok(![...unit.confirmed].some((id) => id.startsWith('r1-')), 'none of them confirmed');
  } finally {
    source.close();
    trust.close();
    db.close();
  }
});

test('a slow drip (a byte every 200 ms, never idle long enough to time out) ends at the transfer deadline scaled to the size, with its reason', async () => {
  const unit = await startHostileUnit({ seed: 5, sessionMutations: ['drip'], sessionsPerRound: 1, diagnostics: false, dripEveryMs: 200, dripBytes: 1 });
  open.push({ unit });
  const trust = pinnedChannels(unit.unit);
  const s = unit.sessions[0]!;
  const agent = await trust.channels.streamAgent(unit.unit.id);
  mkdirSync(join(scratch.dir, 'drip'));
  const started = Date.now();
  try {
    const download = downloadSession({
      link: { connect: async () => ({ target: unit.unit.target, agent }) },
      sessionId: s.id,
      sha256: s.sha256,
      sizeB: s.sizeB,
      partialDir: join(scratch.dir, 'drip'),
      idleTimeoutMs: 5_000,
      retryDelayMs: 10,
      deadline: { baseMs: 1_500, minBytesPerS: 1024 * 1024 },
    });
    const cap = new Promise((_, reject) => setTimeout(() => reject(new Error('still downloading after 15 s')), 15_000).unref());
    await assert.rejects(Promise.race([download, cap]), /not downloaded within 2 s .*sends too slowly/);
    assert.ok(Date.now() - started < 10_000, `ended after ${Date.now() - started} ms`);
  } finally {
    agent.destroy();
    trust.close();
  }
});

test('a unit paging its audit log without end: the export stops reading at a bound and says why', async () => {
  const unit = await startHostileUnit({ seed: 6, sessionsPerRound: 0, auditFlood: true });
  open.push({ unit });
  const trust = pinnedChannels(unit.unit);
  const source = new HttpsDiagnosticsSource(trust.channels, unit.unit.id);
  try {
    const cap = new Promise((_, reject) => setTimeout(() => reject(new Error('still paging after 120 s')), 120_000).unref());
    await assert.rejects(Promise.race([source.auditLog(), cap]), /more than 200,000 audit records/);
    assert.ok(unit.served <= AUDIT_READ_MAX / AUDIT_PAGE_MAX + 2, `${unit.served} pages asked`);
  } finally {
    source.close();
    trust.close();
  }
});

test('a unit that sends more bytes than it listed is refused at once, not asked again 40 times', async () => {
  const unit = await startHostileUnit({ seed: 8, sessionMutations: ['oversize'], sessionsPerRound: 1, diagnostics: false });
  open.push({ unit });
  const trust = pinnedChannels(unit.unit);
  const s = unit.sessions[0]!;
  const agent = await trust.channels.streamAgent(unit.unit.id);
  mkdirSync(join(scratch.dir, 'oversize'));
  try {
    const link = { connect: async () => ({ target: unit.unit.target, agent }) };
    await assert.rejects(downloadSession({ link, sessionId: s.id, sha256: s.sha256, sizeB: s.sizeB, partialDir: join(scratch.dir, 'oversize'), retryDelayMs: 10 }), /sent more bytes than the \d+ it listed/);
    assert.equal(unit.served, 1, 'one request');
  } finally {
    agent.destroy();
    trust.close();
  }
});

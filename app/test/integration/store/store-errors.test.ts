import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { needsRoot } from '../../../../testbed/require-root.js';
import { HealthStore } from '../../../src/diagnostics/health-store.js';
import { DATABASE_FILE, integrityCheck, openDatabase } from '../../../src/store/database.js';
import { DeviceRepo } from '../../../src/store/device-repo.js';
import { STORE_ERROR_SENTENCES, StoreError, type StoreErrorKind } from '../../../src/store/store-errors.js';
import { scratchDir } from '../../helpers/units.js';
import { SessionStore } from '../../../src/sessions/session-store.js';
import { syncSessions } from '../../../src/sessions/session-sync.js';
import { fakeSource, startFakeSessionUnit } from '../../helpers/fake-session-unit.js';
import { makeSession, SYNTH_TRACK } from '../../helpers/session-files.js';

/**
 * The database's failures reach the user as one sentence per kind, made for real: a file
 * overwritten with junk, a file system mounted read-only, a full disk (a small tmpfs).
 */
const scratch = scratchDir('store-errors');
const mounts: string[] = [];
after(() => {
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
  scratch.cleanup();
});

const UNIT = { id: '0b6f2d0e-6f6a-4d4e-9a43-1b2c3d4e5f60', name: 'Kart 7', model: 'PW-1', firmware: '0.1.0', commit: 'abc1234' };
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function storeError(fn: () => unknown, kind: StoreErrorKind): StoreError {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof StoreError, `a StoreError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, `${caught.kind}: ${caught.detail}`);
  assert.equal(caught.message, STORE_ERROR_SENTENCES[kind], 'the user is told the sentence of its kind');
  return caught;
}

/** A tmpfs of `size` at a new folder (root only). */
function tmpfs(t: TestContext, name: string, size: string): string | null {
  if (!needsRoot(t)) return null;
  const dir = join(scratch.dir, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

test('every kind has its own sentence', () => {
  const sentences = Object.values(STORE_ERROR_SENTENCES);
  assert.equal(new Set(sentences).size, sentences.length);
  for (const s of sentences) assert.match(s, /^The .{20,}\.$/);
});

test('a database file overwritten with junk: "damaged", and the file is left as it was', () => {
  const dir = join(scratch.dir, 'corrupt');
  const db = openDatabase(dir);
  new DeviceRepo(db).recordSighting({ ...UNIT, lastSeen: 1 }, null);
  db.close();
  const file = join(dir, DATABASE_FILE);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 0);
  closeSync(fd);
  const before = sha(file);
  const e = storeError(() => openDatabase(dir), 'corrupt');
  assert.match(e.detail, /not a database|malformed/i);
  assert.equal(sha(file), before, 'nothing was written to the damaged file');
});

test('a damaged table page: reads and writes that touch it say "damaged"', () => {
  const dir = join(scratch.dir, 'corrupt-page');
  const db = openDatabase(dir);
  const health = new HealthStore(db);
  for (let i = 0; i < 200; i++) health.add('u', [{ time: new Date(1e12 + i * 1000).toISOString(), boot: 'b', pad: 'x'.repeat(500) } as never]);
  const page = db.pragma('page_size', { simple: true }) as number;
  const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'health_snapshots'").get() as { rootpage: number }).rootpage;
  db.close();
  const fd = openSync(join(dir, DATABASE_FILE), 'r+');
  writeSync(fd, Buffer.alloc(page, 0xa5), 0, page, (root - 1) * page);
  closeSync(fd);
  const again = openDatabase(dir);
  try {
    storeError(() => new HealthStore(again).add('u', [{ time: new Date(2e12).toISOString(), boot: 'b' } as never]), 'corrupt');
  } finally {
    again.close();
  }
});

test('a file system mounted read-only: "read-only", and nothing changes', (t) => {
  const dir = tmpfs(t, 'ro', '8m');
  if (!dir) return;
  const db = openDatabase(dir);
  new DeviceRepo(db).recordSighting({ ...UNIT, lastSeen: 1 }, null);
  db.close();
  const before = sha(join(dir, DATABASE_FILE));
  execFileSync('mount', ['-o', 'remount,ro', dir]);
  storeError(() => openDatabase(dir), 'read-only');
  assert.equal(sha(join(dir, DATABASE_FILE)), before);
});

/** Fills the file system of `dir` to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  try {
    for (;;) writeSync(fd, block, 0, 512);
  } catch {
    /* full */
  }
  closeSync(fd);
  return filler;
}

test('a session synced onto a full disk: the sync reports the sentence, nothing is confirmed or half-stored', async (t) => {
  const dir = tmpfs(t, 'full-sync', '6m');
  if (!dir) return;
  const made = await makeSession(scratch.dir, { unitId: 'unit-f', sessionId: 's-f1', durationS: 300, seed: 5 });
  const unit = await startFakeSessionUnit('unit-f', [made]);
  const db = openDatabase(dir);
  try {
    const store = new SessionStore(db, () => [SYNTH_TRACK]);
    const filler = fill(dir);
    const report = await syncSessions([fakeSource('unit-f', 'Car F', unit.port)], { store, partialDir: join(scratch.dir, 'full-sync-partial') });
    assert.equal(report.fetched, 0, JSON.stringify(report));
    assert.ok(report.units[0]!.error?.includes(STORE_ERROR_SENTENCES['disk-full']), report.units[0]!.error ?? 'no error');
    assert.equal(unit.confirmed.size, 0, 'not confirmed to the unit');
    assert.equal(store.list().length, 0);
    rmSync(filler);
    const again = await syncSessions([fakeSource('unit-f', 'Car F', unit.port)], { store, partialDir: join(scratch.dir, 'full-sync-partial') });
    assert.equal(again.fetched, 1, JSON.stringify(again));
  } finally {
    await unit.close();
    db.close();
  }
});

test('a full disk: "full", the rows before it stay whole, and the same write succeeds once there is room', (t) => {
  const dir = tmpfs(t, 'full', '4m');
  if (!dir) return;
  const db = openDatabase(dir);
  const repo = new DeviceRepo(db);
  const health = new HealthStore(db);
  try {
    repo.recordSighting({ ...UNIT, lastSeen: 1 }, null);
    const filler = fill(dir);
    const big = Array.from({ length: 50 }, (_, i) => ({ time: new Date(1e12 + i * 1000).toISOString(), boot: 'b', pad: 'y'.repeat(8000) }) as never);
    storeError(() => health.add('u', big), 'disk-full');
    assert.deepEqual(health.list('u', null, null), [], 'the failed transaction left nothing');
    assert.equal(repo.listUnits().length, 1);
    rmSync(filler);
    assert.equal(health.add('u', big), 50);
    assert.deepEqual(integrityCheck(db), ['ok']);
  } finally {
    db.close();
  }
});

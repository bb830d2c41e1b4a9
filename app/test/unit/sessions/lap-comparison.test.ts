import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { CompanionError, decodeSession } from '@pitwall/protocol';
import { compareStoredLaps } from '../../../src/sessions/lap-comparison.js';
import { SessionStore } from '../../../src/sessions/session-store.js';
import { openDatabase } from '../../../src/store/database.js';
import { makeSession, SYNTH_TRACK } from '../../helpers/session-files.js';
import { scratchDir } from '../../helpers/units.js';

/** Two drivers' sessions in one store, compared lap against lap through the core. */
const scratch = scratchDir('lap-comparison');
const db = openDatabase(null);
const store = new SessionStore(db, () => [SYNTH_TRACK]);
const ids: number[] = [];

before(async () => {
  for (const [i, o] of [
    { unitId: 'unit-a', sessionId: 'cmp-a', durationS: 300, seed: 4, driver: 'Ana' },
    { unitId: 'unit-b', sessionId: 'cmp-b', durationS: 330, seed: 5, driver: 'Ben', pace: 1.06 },
  ].entries()) {
    const made = await makeSession(scratch.dir, o);
    ids[i] = store.ingest(decodeSession(readFileSync(made.path)), { sha256: made.sha256, unitName: `Car ${i + 1}`, sizeB: made.sizeB }).id;
  }
});
after(() => {
  db.close();
  scratch.cleanup();
});

test('laps of two sessions: one distance axis, the delta ends at the lap-time difference, sectors and corners side by side', () => {
  const la = store.laps(ids[0]!)[1]!;
  const lb = store.laps(ids[1]!)[1]!;
  const c = compareStoredLaps(store, [SYNTH_TRACK], { session: ids[0]!, lap: la.lap }, { session: ids[1]!, lap: lb.lap });
  assert.equal(c.track.id, SYNTH_TRACK.id);
  assert.equal(c.a.driver, 'Ana');
  assert.equal(c.b.driver, 'Ben');
  const n = c.stationsM.length;
  assert.ok(n > 500, `${n} stations`);
  for (const arr of [c.deltaMs, c.a.elapsedMs, c.b.elapsedMs, c.a.speedKmh, c.b.speedKmh]) assert.equal(arr.length, n);
  assert.equal(c.stationsM[0], 0);
  assert.equal(c.deltaMs[0], 0);
  assert.ok(Math.abs(c.deltaMs.at(-1)! - (lb.timeMs - la.timeMs)) < 0.2, `${c.deltaMs.at(-1)} vs ${lb.timeMs - la.timeMs}`);
  assert.ok(c.b.timeMs > c.a.timeMs, 'the slower driver');
  assert.deepEqual(
    c.sectors.map((s) => s.deltaMs),
    la.sectorsMs.map((s, i) => lb.sectorsMs[i]! - s),
  );
  assert.ok(c.corners.length >= 2, `${c.corners.length} corners`);
  for (const k of c.corners) assert.ok(k.a.minKmh <= k.a.entryKmh + 1e-9 && k.a.minKmh <= k.a.exitKmh + 1e-9);
  assert.ok(c.a.rateHz > 5 && c.a.rateHz < 30, `rate ${c.a.rateHz}`);
});

test('a lap that is not there, or laps of two layouts: a clear error', () => {
  const expect = (fn: () => unknown, code: string, words: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof CompanionError && e.code === code && words.test(e.message));
  expect(() => compareStoredLaps(store, [SYNTH_TRACK], { session: ids[0]!, lap: 99 }, { session: ids[1]!, lap: 1 }), 'not-found', /no lap 99/);
  expect(() => compareStoredLaps(store, [SYNTH_TRACK], { session: 999, lap: 1 }, { session: ids[1]!, lap: 1 }), 'not-found', /no session 999/);
  const other = { ...SYNTH_TRACK, id: 'synthetic-oval-copy' };
  const copy = new SessionStore(db, () => [SYNTH_TRACK, other]);
  copy.chooseTrack(ids[1]!, other.id);
  expect(() => compareStoredLaps(copy, [SYNTH_TRACK, other], { session: ids[0]!, lap: 1 }, { session: ids[1]!, lap: 1 }), 'invalid-params', /only laps of one layout/);
  store.chooseTrack(ids[1]!, null);
});

test('laps of a layout this companion does not know compare along the first lap\'s own path', () => {
  const la = store.laps(ids[0]!)[1]!;
  const lb = store.laps(ids[1]!)[1]!;
  const c = compareStoredLaps(store, [], { session: ids[0]!, lap: la.lap }, { session: ids[1]!, lap: lb.lap });
  assert.equal(c.track.id, SYNTH_TRACK.id);
  assert.ok(Math.abs(c.track.lengthM - la.distanceM) < 0.02 * la.distanceM, `${c.track.lengthM} vs ${la.distanceM}`);
  assert.ok(Math.abs(c.deltaMs.at(-1)! - (lb.timeMs - la.timeMs)) < 0.2);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { decodeSession } from '@pitwall/protocol';
import { lapDelta, lapTrace } from '../../../src/sessions/lap-trace-data.js';
import { SessionStore } from '../../../src/sessions/session-store.js';
import { openDatabase } from '../../../src/store/database.js';
import { makeSession, SYNTH_TRACK, type MadeSession } from '../../helpers/session-files.js';
import { scratchDir } from '../../helpers/units.js';

/** The delta between two laps is computed in the core, by distance, from the stored fixes. */
const scratch = scratchDir('lap-trace');
let made: MadeSession;
let store: SessionStore;
let row: number;
const db = openDatabase(null);

before(async () => {
  made = await makeSession(scratch.dir, { unitId: 'unit-t', sessionId: 's-t1', durationS: 400, seed: 3 });
  store = new SessionStore(db, () => [SYNTH_TRACK]);
  row = store.ingest(decodeSession(readFileSync(made.path)), { sha256: made.sha256, unitName: 'Car 3', sizeB: made.sizeB }).id;
});
after(() => {
  db.close();
  scratch.cleanup();
});

const traceOf = (lap: number, maxPoints = 1500) => {
  const l = store.laps(row).find((x) => x.lap === lap)!;
  return { l, fixes: store.fixes(row, l.startT, l.endT), trace: lapTrace(store.fixes(row, l.startT, l.endT), l.startT, maxPoints) };
};

test('a lap against itself: no delta; against another lap: the delta at the line is the difference of the lap times', () => {
  const laps = store.laps(row);
  assert.ok(laps.length >= 3, `${laps.length} laps`);
  const a = traceOf(laps[1]!.lap);
  const b = traceOf(laps[2]!.lap);
  assert.ok(lapDelta(a.trace, a.fixes, a.l.startT).every((d) => Math.abs(d) < 1e-6));
  const delta = lapDelta(b.trace, a.fixes, a.l.startT);
  assert.equal(delta.length, b.trace.distanceM.length);
  // The traces run from the first fix after the line to the last before it (25 Hz: 40 ms each end).
  assert.ok(Math.abs(delta.at(-1)! - (b.l.timeMs - a.l.timeMs)) <= 100, `delta at the line ${delta.at(-1)} vs ${b.l.timeMs - a.l.timeMs}`);
});

test('a thinned lap gets the same delta at its points as the full one (the reference is never thinned)', () => {
  const laps = store.laps(row);
  const ref = traceOf(laps[1]!.lap);
  const full = traceOf(laps[2]!.lap, 1_000_000);
  const thin = traceOf(laps[2]!.lap, 100);
  const fullDelta = lapDelta(full.trace, ref.fixes, ref.l.startT);
  const thinDelta = lapDelta(thin.trace, ref.fixes, ref.l.startT);
  thin.trace.elapsedMs.forEach((e, i) => {
    const k = full.trace.elapsedMs.indexOf(e);
    assert.ok(k >= 0);
    assert.ok(Math.abs(thinDelta[i]! - fullDelta[k]!) < 1, `point ${i}`);
  });
});

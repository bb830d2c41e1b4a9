import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fleetForTrack, fleetTracks } from '../../../src/sessions/fleet-stats.js';
import { readTrackLaps } from '../../../src/sessions/lap-features.js';
import { loadTracks } from '../../../src/sessions/sessions-service.js';
import { SessionStore } from '../../../src/sessions/session-store.js';
import { openDatabase } from '../../../src/store/database.js';
import { everlandSession } from '../../helpers/everland-session.js';

/** Real Everland laps from three units, two drivers: per-lap rows at ingest, distributions from them. */
const db = openDatabase(null);
const tracks = loadTracks();
const store = new SessionStore(db, () => tracks);
const EVERLAND = 'amg-everland-speedway-everland';
const meta = (unitName: string) => ({ sha256: '0'.repeat(64), unitName, sizeB: 1 });
const ten = store.ingest(everlandSession({ unitId: 'unit-1', sessionId: 'f-ten', driver: 'Ana' }), meta('Car 1')).id;
const five = store.ingest(everlandSession({ unitId: 'unit-2', sessionId: 'f-five', driver: 'Ana', every: 2, startMs: Date.UTC(2024, 5, 1, 9) }), meta('Car 2')).id;
const slow = store.ingest(everlandSession({ unitId: 'unit-3', sessionId: 'f-slow', driver: 'Ben', pace: 1.03, startMs: Date.UTC(2024, 5, 1, 11) }), meta('Car 3')).id;
const lapsOf = (...ids: number[]) => ids.reduce((n, id) => n + store.laps(id).length, 0);
after(() => db.close());

test('every timed lap gets its row at ingest: sector times and a minimum speed per corner, the same lap alike at 10 and 5 Hz', () => {
  const cols = readTrackLaps(db, EVERLAND);
  assert.equal(cols.count, lapsOf(ten, five, slow));
  assert.ok(cols.count >= 6);
  assert.equal(cols.sectorCount, 3);
  assert.ok(cols.cornerCount >= 10, `${cols.cornerCount} corners`);
  const row = (session: number, lap: number) => [...cols.session].findIndex((s, i) => s === session && cols.lap[i] === lap);
  const [a, b] = [row(ten, 1), row(five, 1)];
  assert.ok(a >= 0 && b >= 0);
  for (let k = 0; k < cols.cornerCount; k++) {
    const [va, vb] = [cols.cornerMinKmh[k * cols.count + a]!, cols.cornerMinKmh[k * cols.count + b]!];
    assert.ok(va > 30 && va < 200 && Math.abs(va - vb) < 2.5, `corner ${k + 1}: ${va} vs ${vb} km/h`);
  }
  assert.deepEqual([0, 1, 2].map((k) => cols.sectorsMs[k * cols.count + a]), store.laps(ten)[0]!.sectorsMs);
});

test('re-timing a session replaces its rows; a session on another layout leaves the track', () => {
  const before = readTrackLaps(db, EVERLAND).count;
  store.chooseTrack(ten, EVERLAND);
  assert.equal(readTrackLaps(db, EVERLAND).count, before, 'no duplicates');
  const tenLaps = lapsOf(ten);
  store.chooseTrack(ten, 'orlando-kart-center-orlando-k-fl');
  assert.equal(readTrackLaps(db, EVERLAND).count, before - tenLaps);
  store.chooseTrack(ten, null);
  assert.equal(readTrackLaps(db, EVERLAND).count, before);
});

test('the distribution of a group with one driver marked; groups by driver or by unit', () => {
  assert.deepEqual(fleetTracks(db, tracks), [{ trackId: EVERLAND, name: 'AMG Everland Speedway', laps: lapsOf(ten, five, slow), drivers: ['Ana', 'Ben'], units: ['Car 1', 'Car 2', 'Car 3'] }]);
  const d = fleetForTrack(db, tracks, { trackId: EVERLAND, mark: 'Ben' });
  assert.equal(d.laps, lapsOf(ten, five, slow));
  assert.deepEqual(d.members.map((m) => [m.name, m.laps]), [['Ana', lapsOf(ten, five)], ['Ben', lapsOf(slow)]]);
  assert.equal(d.markedLapsMs.length, lapsOf(slow));
  assert.ok(d.corners.length >= 10 && d.corners.every((c) => c.minKmh.box!.n === d.laps && c.minKmh.marked!.median < c.minKmh.box!.max));
  // Ana drove the same laps on two units: the group's theoretical best is hers.
  assert.ok(d.theoreticalBest.sectors.every((s) => s.by === 'Ana'));
  assert.ok(d.theoreticalBest.ms! <= d.members[0]!.bestMs);
  const units = fleetForTrack(db, tracks, { trackId: EVERLAND, groupBy: 'unit', members: ['Car 1', 'Car 3'] });
  assert.deepEqual(units.members.map((m) => m.name), ['Car 1', 'Car 3']);
  assert.equal(units.laps, lapsOf(ten, slow));
  assert.throws(() => fleetForTrack(db, tracks, { trackId: 'no-such-track' }), /no track "no-such-track"/);
});

test('laps stored before the distribution rows existed get them filled in, a few sessions a call', () => {
  const before = readTrackLaps(db, EVERLAND).count;
  db.prepare('DELETE FROM lap_features').run();
  assert.equal(readTrackLaps(db, EVERLAND).count, 0);
  assert.equal(store.fillLapFeatures(2), 2);
  assert.equal(readTrackLaps(db, EVERLAND).count, lapsOf(ten, five));
  assert.equal(store.fillLapFeatures(2), 1);
  assert.equal(store.fillLapFeatures(2), 0);
  const after = readTrackLaps(db, EVERLAND);
  assert.equal(after.count, before);
  assert.ok(after.cornerMinKmh.every(Number.isFinite));
});

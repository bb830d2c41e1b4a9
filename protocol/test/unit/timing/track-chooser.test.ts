import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalProjection, TrackChooser, type Lap, type LatLon } from '../../../src/timing/index.js';
import type { TrackDefinition } from '../../../src/tracks/index.js';
import { seededRandom } from '../../seeded-random.js';
import { NOISE_SIGMA_M, assertChosen } from '../../helpers/chooser-check.js';
import { catalog } from '../../helpers/catalog-file.js';
import { Route, besideLine, lapSpeed, loopFrom, resampled } from '../../helpers/outline-drive.js';

const tracks = catalog();
const byId = (id: string) => tracks.find((t) => t.id === id)!;
const ridgeGp = byId('ridge-motorsports-park-ridge-gp'); // 767 m
const ridgeRoad = byId('ridge-motorsports-park-ridge-road'); // 3.85 km, its line 370 m from the short one's
const sonomaRace = byId('sonoma-raceway-sonoma-race');

/** Laps as a reader of the event stream sees them: a track change replaces them, a lap adds one. */
function lapsFromEvents(chooser: TrackChooser, fixes: readonly { t: number; lat: number; lon: number }[]) {
  let laps: Lap[] = [];
  let trackId: string | null = null;
  for (const f of fixes) {
    for (const e of chooser.push(f)) {
      if (e.type === 'track') {
        laps = [...e.change.laps];
        trackId = e.change.track.id;
      } else {
        assert.equal(e.trackId, trackId, 'timing events name the layout chosen');
        if (e.event.type === 'lap') laps.push(e.event.lap);
      }
    }
  }
  return { laps, trackId };
}

/** The outline from its start/finish, every 5 m, with a pit lane 40 m to the right of the last and first `pitM`. */
function withPitLane(track: TrackDefinition, pitM: number) {
  const pts = resampled(track, 5);
  const proj = new LocalProjection(pts[0]!);
  const n = Math.round(pitM / 5);
  const xy = (i: number) => proj.toXy(pts[(i + pts.length) % pts.length]!);
  const pit: LatLon[] = [];
  for (let i = -n; i <= n; i++) {
    const [a, b] = [xy(i), xy(i + 1)];
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    pit.push(proj.toLatLon({ x: a.x + ((b.y - a.y) / len) * 40, y: a.y - ((b.x - a.x) / len) * 40 }));
  }
  return { lap: [...pts.slice(1), pts[0]!], inLap: pts.slice(1, pts.length - n - 5), pitIn: pit.slice(0, n), pitOut: pit.slice(n), rejoin: pts.slice(n + 5) };
}

describe('track chooser', () => {
  it("the issue's drive: leaving the paddock beside the short layout's line, laps of the long one at 5 Hz", () => {
    const rand = seededRandom(9);
    const start = besideLine(ridgeGp);
    const loop = loopFrom(ridgeRoad, start);
    const route = new Route(start).stand(60).drive([loop.at(-1)!], 8);
    for (let i = 0; i < 10; i++) route.drive(loop, lapSpeed(ridgeRoad) * (0.95 + 0.1 * rand()));
    route.drive(loop.slice(0, 20), 30).stand(60);
    const fixes = route.sample(5, { rand, sigmaM: NOISE_SIGMA_M });
    const { chooser } = assertChosen(tracks, fixes, route.sample(50), ridgeRoad, lapSpeed(ridgeRoad), 'Ridge Road from the paddock');
    assert.equal(chooser.changes[0]!.track.id, ridgeGp.id, 'at first the nearest layout, as the unit used to keep');
    assert.equal(chooser.changes[0]!.reason, 'provisional');
    assert.ok(chooser.laps.length >= 10);
    assert.ok(chooser.decided);
  });

  it('a warm-up on the short layout, then the long one: the long one, every lap, and the stream agrees', () => {
    const rand = seededRandom(3);
    const start = besideLine(ridgeRoad);
    const gpLoop = loopFrom(ridgeGp, start);
    const route = new Route(start).stand(20).drive([gpLoop.at(-1)!], 8);
    for (let i = 0; i < 3; i++) route.drive(gpLoop, lapSpeed(ridgeGp));
    const roadLoop = loopFrom(ridgeRoad, route.position);
    route.drive([roadLoop.at(-1)!], 10);
    for (let i = 0; i < 4; i++) route.drive(roadLoop, lapSpeed(ridgeRoad) * (0.95 + 0.1 * rand()));
    route.drive(roadLoop.slice(0, 20), 30).stand(30);
    const fixes = route.sample(10, { rand, sigmaM: NOISE_SIGMA_M });
    const { chooser } = assertChosen(tracks, fixes, route.sample(50), ridgeRoad, lapSpeed(ridgeRoad), 'warm-up then Ridge Road');
    const decided = chooser.changes.filter((c) => c.reason !== 'provisional').map((c) => c.track.id);
    assert.equal(decided[0], ridgeGp.id, 'the warm-up laps decide the short layout first');
    assert.equal(decided.at(-1), ridgeRoad.id);

    const streamed = lapsFromEvents(new TrackChooser(tracks), fixes);
    assert.equal(streamed.trackId, ridgeRoad.id);
    assert.deepEqual(streamed.laps, chooser.laps, 'track changes carry the laps re-timed');
  });

  it('a pit stop (into a pit lane beside the line, standing 45 s) changes neither the layout nor a lap', () => {
    const rand = seededRandom(5);
    const { lap, inLap, pitIn, pitOut, rejoin } = withPitLane(sonomaRace, 150);
    const v = lapSpeed(sonomaRace);
    // Joins 100 m past the line: arriving on the line itself makes the first crossing a matter of noise.
    const route = new Route(besideLine(sonomaRace)).stand(10).drive([lap[20]!], 8).drive(lap.slice(21), v);
    for (let i = 0; i < 2; i++) route.drive(lap, v);
    route.drive(inLap, v).drive(pitIn, 16).stand(45).drive(pitOut, 16).drive(rejoin, v);
    for (let i = 0; i < 2; i++) route.drive(lap, v * (0.95 + 0.1 * rand()));
    route.drive(lap.slice(0, 40), v).stand(30);
    const fixes = route.sample(10, { rand, sigmaM: NOISE_SIGMA_M });
    const { chooser } = assertChosen(tracks, fixes, route.sample(50), sonomaRace, v, 'Sonoma with a pit stop');
    // The pit lane passes beside the line, so the in-lap and out-lap make one lap: the chooser
    // may revisit its choice after it, but never leaves the layout once a lap decided it.
    const decided = chooser.changes.slice(chooser.changes.findIndex((c) => c.reason !== 'provisional'));
    assert.ok(decided.length > 0);
    for (const c of decided) assert.equal(c.track.id, sonomaRace.id, `${c.reason} at ${c.drivingS.toFixed(0)} s`);
  });

  it('far from every catalog track: no layout and no events', () => {
    const route = new Route({ lat: 0.5, lon: 0.5 }).drive([{ lat: 0.51, lon: 0.5 }, { lat: 0.5, lon: 0.5 }], 30);
    const chooser = new TrackChooser(tracks);
    const events = route.sample(10).flatMap((f) => chooser.push(f));
    assert.equal(chooser.track, null);
    assert.deepEqual(events, []);
  });

  it('fixes whose time does not advance are ignored', () => {
    const chooser = new TrackChooser(tracks);
    const p = besideLine(sonomaRace);
    chooser.push({ t: 1000, ...p });
    assert.ok(chooser.track);
    assert.deepEqual(chooser.push({ t: 1000, ...p }), []);
    assert.deepEqual(chooser.push({ t: 900, ...p }), []);
  });
});

describe('track chooser: reach', () => {
  it('far out on a long lap, the outline brings the venue in reach', () => {
    const nords = tracks.find((t) => t.lengthM > 20_000 && /N.rburgring/.test(t.venue))!;
    const [lat, lon] = nords.outline![Math.floor(nords.outline!.length / 2)]!;
    const chooser = new TrackChooser(tracks);
    chooser.push({ t: 0, lat, lon });
    assert.match(chooser.track!.venue, /N.rburgring/);
    assert.ok(chooser.candidateIds.includes(nords.id));
  });
});

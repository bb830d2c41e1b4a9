import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrackChooser, haversineM, lineHeadingDeg, midpoint, ownTrackId, proposeTrack, sameOwnTrack } from '../../../src/timing/index.js';
import { trackDefinition } from '../../../src/tracks/index.js';
import { seededRandom } from '../../seeded-random.js';
import { catalog } from '../../helpers/catalog-file.js';
import { Route, besideLine, lapSpeed, loopFrom } from '../../helpers/outline-drive.js';

const sonoma = catalog().find((t) => t.id === 'sonoma-raceway-sonoma-race')!;

function drive(seed: number, laps = 3) {
  const rand = seededRandom(seed);
  const start = besideLine(sonoma);
  const loop = loopFrom(sonoma, start);
  const route = new Route(start).stand(5).drive([loop.at(-1)!], 8);
  for (let i = 0; i < laps; i++) route.drive(loop, lapSpeed(sonoma));
  return route.stand(5).sample(10, { rand, sigmaM: 1 });
}

describe('own tracks from a driven path', () => {
  it('a valid track: its length, a line square to the path, sectors, laps timed on it at once', () => {
    const fixes = drive(1);
    const own = proposeTrack(fixes, { name: 'Test Loop', sectorsAt: [0.33, 0.66] });
    assert.ok(trackDefinition.is(own));
    assert.ok(Math.abs(own.lengthM - sonoma.lengthM) < 0.02 * sonoma.lengthM, `${own.lengthM} m`);
    assert.equal(own.sectors!.length, 2);
    assert.match(own.id, /^own-[0-9a-f]{16}$/);
    const chooser = new TrackChooser([own]);
    for (const f of fixes) chooser.push(f);
    assert.equal(chooser.track?.id, own.id);
    assert.ok(chooser.laps.length >= 1 && chooser.laps.every((l) => l.sectorsMs.length === 3));
  });

  it('--at puts the line at that fraction of the lap, facing the way the car drove', () => {
    const fixes = drive(2);
    const a = proposeTrack(fixes, { name: 'x', at: 0 });
    const b = proposeTrack(fixes, { name: 'x', at: 0.5 });
    assert.ok(haversineM(midpoint(a.startFinish.a, a.startFinish.b), midpoint(b.startFinish.a, b.startFinish.b)) > 200);
    const i = fixes.findIndex((f) => haversineM(f, midpoint(b.startFinish.a, b.startFinish.b)) < 10);
    const travel = Math.atan2(fixes[i + 3]!.lon - fixes[i]!.lon, fixes[i + 3]!.lat - fixes[i]!.lat) * (180 / Math.PI);
    const off = Math.abs(((lineHeadingDeg(b.startFinish) - travel + 540) % 360) - 180);
    assert.ok(off < 30, `line faces ${off.toFixed(0)} degrees off the travel`);
  });

  it('the same track drawn twice (another lap, another drive) is the same; the same lines give the same id', () => {
    const one = proposeTrack(drive(3), { name: 'x' });
    const again = proposeTrack(drive(4).slice(1500), { name: 'x' });
    assert.ok(sameOwnTrack(one, again));
    assert.equal(ownTrackId(one), one.id);
    assert.equal(ownTrackId({ ...one, outline: one.outline!.map(([lat, lon]) => [lat + 2e-6, lon - 2e-6]) }), one.id, 'noise on the outline keeps the id');
    const reversed = { ...one, outline: [...one.outline!].reverse() };
    assert.notEqual(ownTrackId(reversed), one.id, 'the other way round is another track');
    assert.equal(sameOwnTrack(one, reversed), false);
  });

  it('a path that never comes back on itself, or bad options, is refused', () => {
    const straight = Array.from({ length: 500 }, (_, i) => ({ lat: 10 + i * 1e-4, lon: 10 }));
    assert.throws(() => proposeTrack(straight, { name: 'x' }), /no lap/);
    assert.throws(() => proposeTrack(drive(5, 2), { name: 'x', at: 1.5 }), /fraction/);
    assert.throws(() => proposeTrack(drive(5, 2), { name: '  ' }), /name/);
  });
});

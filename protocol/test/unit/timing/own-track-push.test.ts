import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proposeTrack } from '../../../src/timing/index.js';
import { OWN_TRACKS_MAX, ownTrackList, ownTrackListProblem, type OwnTrackList, type TrackDefinition } from '../../../src/tracks/index.js';
import { seededRandom } from '../../seeded-random.js';
import { catalog } from '../../helpers/catalog-file.js';
import { Route, besideLine, lapSpeed, loopFrom } from '../../helpers/outline-drive.js';

const venues = catalog().filter((_, i) => i % 10 === 0).slice(0, 4);

function ownTrackFrom(seed: number): TrackDefinition {
  const t = venues[seed % venues.length]!;
  const start = besideLine(t);
  const loop = loopFrom(t, start);
  const fixes = new Route(start).stand(5).drive([loop.at(-1)!], 8).drive(loop, lapSpeed(t)).drive(loop, lapSpeed(t)).stand(5).sample(10, { rand: seededRandom(seed), sigmaM: 1 });
  return proposeTrack(fixes, { name: `Loop ${seed}`, sectorsAt: [0.3, 0.7] });
}

const refused = (value: unknown) => !ownTrackList.is(value) || ownTrackListProblem(value as OwnTrackList) !== null;

type Leaf = { parent: Record<string, unknown> | unknown[]; key: string | number; value: unknown };
function leaves(v: unknown, out: Leaf[] = []): Leaf[] {
  if (v === null || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v)) {
    const key = Array.isArray(v) ? Number(k) : k;
    if (x !== null && typeof x === 'object') leaves(x, out);
    else out.push({ parent: v as Record<string, unknown>, key, value: x });
  }
  return out;
}

describe('own tracks pushed to a unit', () => {
  const tracks = [0, 1, 2, 3].map(ownTrackFrom);

  it('tracks drawn by the companion pass, before and after JSON (what the unit receives)', () => {
    const list = { tracks };
    assert.equal(new Set(tracks.map((t) => t.id)).size, tracks.length);
    assert.equal(ownTrackListProblem(list), null);
    const wire: unknown = JSON.parse(JSON.stringify(list));
    assert.ok(ownTrackList.is(wire));
    assert.equal(ownTrackListProblem(wire), null);
    assert.equal(ownTrackListProblem({ tracks: [] }), null);
  });

  it('the id must be the one the geometry gives: a catalog id, another own id or a moved line is refused', () => {
    const [a, b] = tracks as [TrackDefinition, TrackDefinition];
    assert.match(ownTrackListProblem({ tracks: [{ ...a, id: venues[0]!.id }] })!, /is not the id of its geometry/);
    assert.match(ownTrackListProblem({ tracks: [{ ...a, id: b.id }] })!, /is not the id of its geometry/);
    const moved = { ...a, startFinish: { a: { ...a.startFinish.a, lat: a.startFinish.a.lat + 0.01 }, b: { ...a.startFinish.b, lat: a.startFinish.b.lat + 0.01 } } };
    assert.match(ownTrackListProblem({ tracks: [moved] })!, /is not the id of its geometry/);
    assert.match(ownTrackListProblem({ tracks: [a, b, a] })!, /^track 3: id .* is listed twice/);
    assert.ok(!ownTrackList.is({ tracks: Array.from({ length: OWN_TRACKS_MAX + 1 }, () => a) }));
  });

  it('fuzz (seeded): any number made non-finite, any text made long or given a control character, is refused', () => {
    const rand = seededRandom(0x7ac5);
    const bad: unknown[] = [NaN, Infinity, -Infinity, null, '1', [], {}];
    for (let i = 0; i < 400; i++) {
      const list = JSON.parse(JSON.stringify({ tracks })) as OwnTrackList;
      const all = leaves(list);
      const leaf = all[Math.floor(rand() * all.length)]!;
      const set = (x: unknown) => ((leaf.parent as Record<string | number, unknown>)[leaf.key] = x);
      if (typeof leaf.value === 'number') set(bad[Math.floor(rand() * bad.length)]);
      else set(rand() < 0.5 ? `${String(leaf.value)}\u0007` : 'x'.repeat(1000));
      assert.ok(refused(list), `case ${i}: ${String(leaf.key)} = ${String((leaf.parent as Record<string | number, unknown>)[leaf.key]).slice(0, 40)}`);
    }
  });
});

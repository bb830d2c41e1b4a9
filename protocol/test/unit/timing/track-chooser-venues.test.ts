// Property: at every catalog venue with more than one layout, a car that leaves from beside
// another layout's start/finish and drives a layout's outline (GNSS noise, 5/10/25 Hz) gets that
// layout and every lap. Layouts with the same geometry (some catalogs list a layout twice) count
// as the same answer. Lap speeds vary by a few per cent from lap to lap.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { haversineM } from '../../../src/timing/index.js';
import type { TrackDefinition } from '../../../src/tracks/index.js';
import { NOISE_SIGMA_M, assertChosen } from '../../helpers/chooser-check.js';
import { seededRandom } from '../../seeded-random.js';
import { catalog, venuesWithLayouts } from '../../helpers/catalog-file.js';
import { Route, besideLine, lapSpeed, lineMid, loopFrom } from '../../helpers/outline-drive.js';

const tracks = catalog();

function driveFromBeside(driven: TrackDefinition, other: TrackDefinition, rand: () => number): Route {
  const start = besideLine(other);
  const loop = loopFrom(driven, start);
  const route = new Route(start).stand(20).drive([loop.at(-1)!], 8);
  const v = lapSpeed(driven);
  for (let i = 0; i < 3; i++) route.drive(loop, v * (0.95 + 0.1 * rand()));
  return route.drive(loop.slice(0, Math.ceil(loop.length / 4)), v).stand(30);
}

describe('track chooser: every multi-layout venue of the catalog', () => {
  const venues = venuesWithLayouts(tracks);

  it('covers the venues with several layouts', () => {
    assert.ok(venues.length >= 10);
    assert.ok(venues.flat().length >= 60);
  });

  for (const rateHz of [5, 10, 25]) {
    it(`${rateHz} Hz with GNSS noise, from beside the nearest other layout's line: the layout driven and every lap`, () => {
      let seed = rateHz;
      for (const layouts of venues) {
        for (const driven of layouts) {
          const other = layouts
            .filter((t) => t !== driven)
            .sort((x, y) => haversineM(lineMid(x), lineMid(driven)) - haversineM(lineMid(y), lineMid(driven)))[0]!;
          const rand = seededRandom(++seed);
          const route = driveFromBeside(driven, other, rand);
          const noise = { rand, sigmaM: NOISE_SIGMA_M };
          assertChosen(tracks, route.sample(rateHz, noise), route.sample(50), driven, lapSpeed(driven), `${driven.id} from beside ${other.id} at ${rateHz} Hz`);
        }
      }
    });
  }
});

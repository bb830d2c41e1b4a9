import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineHeadingDeg, orientLine } from '../../../src/timing/index.js';
import { SAME_LENGTH_RATIO, resolveTrackIds, sameTrack, signatureDistance, signatureKeyOf, trackSignature, type TrackDefinition, type TrackSignature } from '../../../src/tracks/index.js';
import { seededRandom } from '../../seeded-random.js';
import { catalog, venuesWithLayouts } from '../../helpers/catalog-file.js';
import { lapOutlines, movedLine, noisyOutline } from '../../helpers/lap-outlines.js';
import { aimLaps } from '../../helpers/aim-laps.js';
import { raceCaptureFixes } from '../../helpers/racecapture-fixes.js';
import { rmcFixes } from '../../helpers/rmc-fixes.js';
import { readTestData } from '../../helpers/test-data.js';

const tracks = catalog();
const byId = (id: string) => tracks.find((t) => t.id === id)!;
const sig = (t: Pick<TrackDefinition, 'startFinish' | 'outline'>): TrackSignature => trackSignature(t)!;
const catalogSigs = new Map(tracks.map((t) => [t.id, sig(t)]));
const catalogResolved = resolveTrackIds([], [...catalogSigs.values()]);
const resolvedId = (id: string) => catalogResolved.get(signatureKeyOf(catalogSigs.get(id)!))!;

/** The id a laptop holding the catalog gives a track it drew: resolved against the catalog. */
function idWithCatalog(s: TrackSignature): string {
  return resolveTrackIds([s], [...catalogSigs.values()]).get(signatureKeyOf(s))!;
}

// The same kart track listed twice upstream under two names: the one pair the comparison calls the same.
const LISTED_TWICE = ['karting-spa-francorchamps-spa-k-full', 'spa-francorchamps-karting-racb2'];

describe('track signatures: the catalog', () => {
  it('every layout has a signature; every two layouts of one venue are told apart and get different ids', () => {
    let pairs = 0;
    let closest = Infinity;
    for (const layouts of venuesWithLayouts(tracks)) {
      for (let i = 0; i < layouts.length; i++) {
        for (let j = i + 1; j < layouts.length; j++) {
          const [a, b] = [catalogSigs.get(layouts[i]!.id)!, catalogSigs.get(layouts[j]!.id)!];
          assert.equal(sameTrack(a, b), false, `${layouts[i]!.id} and ${layouts[j]!.id} are two layouts`);
          assert.notEqual(resolvedId(layouts[i]!.id), resolvedId(layouts[j]!.id));
          const d = signatureDistance(a, b);
          if (d.sameDirection && d.anchorM < 40 && d.lengthRatio <= SAME_LENGTH_RATIO) closest = Math.min(closest, d.maxM);
          pairs++;
        }
      }
    }
    assert.ok(pairs > 400, `${pairs} pairs`);
    assert.ok(closest > 20, `the closest two layouts part by ${closest.toFixed(1)} m`);
  });

  it('all 113 layouts resolve to distinct ids but the venue listed twice upstream', () => {
    const ids = new Set(tracks.map((t) => resolvedId(t.id)));
    assert.equal(resolvedId(LISTED_TWICE[0]!), resolvedId(LISTED_TWICE[1]!));
    assert.equal(ids.size, tracks.length - 1);
    assert.ok(tracks.every((t) => /^trk-[0-9a-f]{16}(-[0-9a-f]{8})?$/.test(resolvedId(t.id))));
  });

  it('the reverse direction is another track with another id', () => {
    for (const t of tracks.filter((_, i) => i % 8 === 0)) {
      const reversed = { startFinish: { a: t.startFinish.b, b: t.startFinish.a }, outline: [...t.outline!].reverse() };
      const r = sig(reversed);
      assert.notEqual(r.direction, catalogSigs.get(t.id)!.direction, t.id);
      assert.equal(sameTrack(r, catalogSigs.get(t.id)!), false, t.id);
      assert.notEqual(idWithCatalog(r), resolvedId(t.id), t.id);
    }
  });
});

describe('track signatures: the same track drawn again', () => {
  const sample = ['sonoma-raceway-sonoma-race', 'sonoma-raceway-sonoma-cup', 'motorsport-arena-oschersleben-mao-a', 'motorsport-arena-oschersleben-mao-a-bike', 'ridge-motorsports-park-ridge-road', 'orlando-kart-center-orlando-k-fl', 'buttonwillow-raceway-kart-track-buttonw-k-8'];

  it('seeded GNSS noise (1.5 m white, 2 m wandering bias): raw ids mostly equal, resolved ids always', () => {
    const rand = seededRandom(16);
    let raw = 0;
    let cases = 0;
    for (const id of sample) {
      const t = byId(id);
      assert.ok(t, id);
      for (let k = 0; k < 6; k++) {
        const s = sig({ startFinish: t.startFinish, outline: noisyOutline(t.outline!, rand, { sigmaM: 1.5, biasM: 2 }) });
        cases++;
        if (s.id === catalogSigs.get(id)!.id) raw++;
        assert.ok(sameTrack(s, catalogSigs.get(id)!), `${id} case ${k}: ${JSON.stringify(signatureDistance(s, catalogSigs.get(id)!))}`);
        assert.equal(idWithCatalog(s), resolvedId(id), `${id} case ${k}`);
      }
    }
    assert.ok(raw / cases >= 0.8, `raw id equal in ${raw} of ${cases}`);
  });

  it('every fourth catalog layout, 5 seeded noisy copies each with the line moved: always the same track; the raw id equal in over half', () => {
    const rand = seededRandom(99);
    let raw = 0;
    let cases = 0;
    for (const t of tracks.filter((_, i) => i % 4 === 0)) {
      const ref = catalogSigs.get(t.id)!;
      for (let k = 0; k < 5; k++) {
        const line = movedLine(t.startFinish, (rand() - 0.5) * 10, (rand() - 0.5) * 6);
        const s = sig({ startFinish: line, outline: noisyOutline(t.outline!, rand, { sigmaM: 1.5, biasM: 2 }) });
        cases++;
        if (s.id === ref.id) raw++;
        assert.ok(sameTrack(s, ref), `${t.id} case ${k}: ${JSON.stringify(signatureDistance(s, ref))}`);
      }
    }
    assert.equal(cases, 145);
    assert.ok(raw / cases > 0.5, `raw id equal in ${raw} of ${cases}`);
  });

  it('the start/finish drawn a few metres off (along and across the track) keeps the id', () => {
    const rand = seededRandom(17);
    for (const id of sample) {
      const t = byId(id);
      for (let k = 0; k < 4; k++) {
        const line = movedLine(t.startFinish, (rand() - 0.5) * 10, (rand() - 0.5) * 6);
        const s = sig({ startFinish: line, outline: t.outline! });
        assert.ok(sameTrack(s, catalogSigs.get(id)!), id);
        assert.equal(idWithCatalog(s), resolvedId(id), id);
      }
    }
  });

  it('a line on another part of the loop is another track (the anchor is part of the identity)', () => {
    const t = byId('sonoma-raceway-sonoma-race');
    const far = movedLine(t.startFinish, 200, 0);
    assert.equal(sameTrack(sig({ startFinish: far, outline: t.outline! }), catalogSigs.get(t.id)!), false);
  });
});

describe('track signatures: tracks drawn from real logs', () => {
  const orlando = byId('orlando-kart-center-orlando-k-fl');
  const orlandoLine = orientLine(
    { a: { lat: 28.41270817056385, lon: -81.37973266418031 }, b: { lat: 28.41273038679321, lon: -81.37957048753776 } },
    lineHeadingDeg(orlando.startFinish),
  );
  const orlandoLaps = (file: string) =>
    lapOutlines(rmcFixes(readTestData('laps', 'doveslaptimer_orlando_kart_center_nmea', `${file}.nmea`)), orlandoLine).map((outline) => sig({ startFinish: orlandoLine, outline }));

  it('Orlando, normal layout, from two logs (two karts, a month apart): one id, without the catalog and with it', () => {
    const laps = [...orlandoLaps('gps_race_data_2laps'), ...orlandoLaps('gps_race_data_praga_laps')];
    assert.equal(laps.length, 5);
    const alone = resolveTrackIds(laps);
    assert.equal(new Set(laps.map((s) => alone.get(signatureKeyOf(s)))).size, 1, 'the two laptops agree with no catalog');
    const normal = tracks.find((t) => t.venue === 'Orlando Kart Center 2')!;
    for (const s of laps) assert.equal(idWithCatalog(s), resolvedId(normal.id));
  });

  it('Orlando, the Pro layout (another log) is another track: the catalog Full layout, not the normal one', () => {
    const [pro] = orlandoLaps('gps_race_data_long_lap');
    const normal = orlandoLaps('gps_race_data_2laps')[0]!;
    assert.equal(sameTrack(pro!, normal), false);
    assert.equal(idWithCatalog(pro!), resolvedId(orlando.id));
  });

  it('Sonoma (RaceCapture, 7 laps) and Everland (AiM Solo, 3 laps): every lap resolves to its catalog layout', () => {
    const sonoma = byId('sonoma-raceway-sonoma-race');
    const sonomaLaps = lapOutlines(raceCaptureFixes(readTestData('laps', 'racecapture_sonoma', 'sonoma.log')).fixes, sonoma.startFinish);
    assert.equal(sonomaLaps.length, 7);
    for (const outline of sonomaLaps) assert.equal(idWithCatalog(sig({ startFinish: sonoma.startFinish, outline })), resolvedId(sonoma.id));
    const everland = tracks.find((t) => t.venue === 'AMG Everland Speedway')!;
    const everlandLaps = aimLaps(readTestData('laps', 'korellas_everland_aim_solo', 'everland_3laps_aim_solo.csv')).filter(Boolean);
    assert.equal(everlandLaps.length, 3);
    for (const lap of everlandLaps) {
      assert.equal(idWithCatalog(sig({ startFinish: everland.startFinish, outline: lap.map((f) => [f.lat, f.lon]) })), resolvedId(everland.id));
    }
  });
});

describe('resolveTrackIds', () => {
  it('gives the same answer whatever order the tracks come in', () => {
    const rand = seededRandom(18);
    const t = byId('sonoma-raceway-sonoma-race');
    const set = [...[0, 1, 2, 3].map(() => sig({ startFinish: movedLine(t.startFinish, rand() * 4, 0), outline: noisyOutline(t.outline!, rand, { sigmaM: 1, biasM: 2 }) })), catalogSigs.get('sonoma-raceway-sonoma-cup')!];
    const first = resolveTrackIds(set);
    for (let k = 0; k < 5; k++) {
      const shuffled = [...set].sort(() => rand() - 0.5);
      assert.deepEqual([...resolveTrackIds(shuffled).entries()].sort(), [...first.entries()].sort());
    }
    assert.equal(new Set(set.slice(0, 4).map((s) => first.get(signatureKeyOf(s)))).size, 1);
    assert.notEqual(first.get(signatureKeyOf(set[4]!)), first.get(signatureKeyOf(set[0]!)));
  });
});

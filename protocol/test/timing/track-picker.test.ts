import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { midpoint, pickTrack } from '../../src/timing/index.js';
import { parseTrackCatalog } from '../../src/tracks/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tracks = parseTrackCatalog(JSON.parse(readFileSync(path.join(repoRoot, 'resources', 'tracks', 'catalog.json'), 'utf8'))).tracks;
const byId = (id: string) => tracks.find((t) => t.id === id)!;
const race = byId('sonoma-raceway-sonoma-race');
const atLine = midpoint(race.startFinish.a, race.startFinish.b);

describe('track picker', () => {
  it('Sonoma Race, Bike and Cup share a start/finish: lap length tells them apart', () => {
    // The data README's lengths, within the outline simplification.
    for (const [id, m] of [['sonoma-raceway-sonoma-race', 3997], ['sonoma-raceway-sonoma-bike', 3665], ['sonoma-raceway-sonoma-cup', 3141]] as const) {
      assert.ok(Math.abs(byId(id).lengthM - m) <= 5, `${id}: ${byId(id).lengthM}`);
    }
    for (const [lapLengthM, id] of [
      [4012, 'sonoma-raceway-sonoma-race'],
      [3650, 'sonoma-raceway-sonoma-bike'],
      [3150, 'sonoma-raceway-sonoma-cup'],
    ] as const) {
      const pick = pickTrack(tracks, { position: atLine, lapLengthM });
      assert.equal(pick.track?.id, id, `${lapLengthM} m`);
      assert.equal(pick.reason, 'lap-length');
      assert.ok(pick.confidence > 0.7, `confidence ${pick.confidence}`);
      assert.equal(pick.candidates[0]!.track.id, id);
    }
  });

  it('before a lap: the venue is known, the layout is not', () => {
    const pick = pickTrack(tracks, { position: atLine });
    assert.equal(pick.reason, 'ambiguous');
    assert.match(pick.track!.venue, /Sonoma/);
    assert.ok(pick.confidence < 0.5);
    const shared = pick.candidates.filter((c) => c.distanceM < 20).map((c) => c.track.id);
    for (const id of ['sonoma-raceway-sonoma-race', 'sonoma-raceway-sonoma-bike', 'sonoma-raceway-sonoma-cup']) assert.ok(shared.includes(id));
  });

  it('by outline proximity when the path is known', () => {
    const bike = byId('sonoma-raceway-sonoma-bike');
    const path = bike.outline!.map(([lat, lon]) => ({ lat, lon }));
    const pick = pickTrack(tracks, { position: atLine, path });
    assert.equal(pick.track?.id, bike.id);
    assert.equal(pick.reason, 'outline');
  });

  it('a lone venue is picked with confidence; nothing within 2 km is nothing', () => {
    const everland = byId('amg-everland-speedway-everland');
    const pick = pickTrack(tracks, { position: everland.startFinish.a });
    assert.equal(pick.track?.id, everland.id);
    assert.equal(pick.reason, 'nearest');
    assert.equal(pick.confidence, 1);
    const none = pickTrack(tracks, { position: { lat: 0, lon: 0 } });
    assert.deepEqual([none.track, none.reason, none.candidates.length], [null, 'none-nearby', 0]);
  });

  it('far out on a long lap, the outline still finds the track', () => {
    const nords = tracks.find((t) => t.lengthM > 20_000 && /N.rburgring/.test(t.venue))!;
    const far = nords.outline![Math.floor(nords.outline!.length / 2)]!;
    const pick = pickTrack(tracks, { position: { lat: far[0], lon: far[1] } });
    assert.match(pick.track!.venue, /N.rburgring/);
  });
});

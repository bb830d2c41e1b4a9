import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { putTrack, emptyBook, trackSignature, type TrackDefinition } from '../../../src/tracks/index.js';
import { registryPushProblems, registryTrackPull, registryTrackPush } from '../../../src/hub/track-registry.js';
import { catalog } from '../../helpers/catalog-file.js';

const sonoma = catalog().find((t) => t.id === 'sonoma-raceway-sonoma-race')!;
const at = { ms: 1_700_000_000_000, n: 0, node: 'laptop-a1' };
const bookOf = (t: Pick<TrackDefinition, 'startFinish' | 'lengthM' | 'outline'>) =>
  putTrack(emptyBook(), 'own-0123456789abcdef', { geometry: { startFinish: t.startFinish, lengthM: t.lengthM, outline: t.outline! }, name: 'Sonoma', sectors: [] }, at);

describe('track registry messages', () => {
  it('a push of a real track is valid and has no problems', () => {
    const push = { laptop: 'laptop-a1', book: bookOf(sonoma) };
    assert.ok(registryTrackPush.is(push));
    assert.equal(registryPushProblems(push).size, 0);
  });

  it('a push with a claimed length far from its outline, a line 2 km wide or a NaN is refused per track, in words', () => {
    const longer = registryPushProblems({ laptop: 'laptop-a1', book: bookOf({ ...sonoma, lengthM: 9000 }) });
    assert.match(longer.get('own-0123456789abcdef')!, /not the 9000 m it claims/);
    const wide = { ...sonoma, startFinish: { a: sonoma.startFinish.a, b: { lat: sonoma.startFinish.a.lat + 0.02, lon: sonoma.startFinish.a.lon } } };
    assert.match(registryPushProblems({ laptop: 'laptop-a1', book: bookOf(wide) }).get('own-0123456789abcdef')!, /m wide/);
    const nan = { ...sonoma, outline: [[Number.NaN, 0], ...sonoma.outline!.slice(1)] as [number, number][] };
    assert.match(registryPushProblems({ laptop: 'laptop-a1', book: bookOf(nan) }).get('own-0123456789abcdef')!, /finite/);
  });

  it('the schema refuses an unknown field, a bad laptop id and a page of registry entries with a forged signature shape', () => {
    assert.equal(registryTrackPush.is({ laptop: 'laptop-a1', book: emptyBook(), extra: 1 }), false);
    assert.equal(registryTrackPush.is({ laptop: 'Laptop A', book: emptyBook() }), false);
    const sig = trackSignature(sonoma)!;
    const track = bookOf(sonoma).tracks['own-0123456789abcdef']!;
    const entry = { key: 'own-0123456789abcdef', id: sig.id, aliases: [], track, signature: { ...sig, points: sig.points.slice(0, 10) }, version: 1, history: [] };
    assert.equal(registryTrackPull.is({ entries: [entry], groups: [], next: null }), false);
    assert.ok(registryTrackPull.is({ entries: [{ ...entry, signature: sig }], groups: [], next: null }));
    assert.equal(registryTrackPull.is({ entries: [{ ...entry, signature: sig, track: { ...track, name: { value: 'x' } } }], groups: [], next: null }), false, 'a register without its stamp');
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalProjection, bearingDeg, haversineM, lineHeadingDeg, midpoint, pointSegmentDistance, polylineLengthM } from '../../../src/timing/index.js';
import { parseTrackCatalog, trackCatalog, trackDefinition } from '../../../src/tracks/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const raw: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'resources', 'tracks', 'catalog.json'), 'utf8'));

describe('track catalog', () => {
  const { tracks } = parseTrackCatalog(raw);

  it('validates against the schema, with unique ids and MIT origins', () => {
    assert.ok(trackCatalog.is(raw));
    assert.ok(tracks.length >= 90);
    assert.equal(new Set(tracks.map((t) => t.id)).size, tracks.length);
    for (const t of tracks) assert.equal(t.origin.licence, 'MIT', t.id);
  });

  it('every line is 10-80 m wide, lies on its outline and faces the way the outline runs', () => {
    for (const t of tracks) {
      const width = haversineM(t.startFinish.a, t.startFinish.b);
      assert.ok(width >= 10 && width <= 80, `${t.id}: ${width} m`);
      const outline = t.outline!.map(([lat, lon]) => ({ lat, lon }));
      const mid = midpoint(t.startFinish.a, t.startFinish.b);
      const proj = new LocalProjection(mid);
      const offM = pointSegmentDistance({ x: 0, y: 0 }, proj.toXy(outline[0]!), proj.toXy(outline[1]!)).distance;
      assert.ok(offM < 30, `${t.id}: line ${offM} m from the outline's first leg`);
      const along = bearingDeg(outline[0]!, outline[1]!);
      const off = Math.abs(((lineHeadingDeg(t.startFinish) - along + 540) % 360) - 180);
      assert.ok(off < 60, `${t.id}: line faces ${off} degrees off the outline`);
    }
  });

  it('nominal lengths match the outlines', () => {
    for (const t of tracks) {
      const outline = t.outline!.map(([lat, lon]) => ({ lat, lon }));
      const closed = polylineLengthM([...outline, outline[0]!]);
      assert.ok(Math.abs(closed - t.lengthM) / t.lengthM < 0.01, `${t.id}: ${closed} vs ${t.lengthM}`);
    }
  });

  it('rejects malformed tracks and duplicate ids', () => {
    const good = tracks[0]!;
    assert.ok(trackDefinition.is(good));
    assert.equal(trackDefinition.is({ ...good, lengthM: 0 }), false);
    assert.equal(trackDefinition.is({ ...good, id: 'Not A Slug' }), false);
    assert.equal(trackDefinition.is({ ...good, startFinish: { a: good.startFinish.a } }), false);
    assert.equal(trackDefinition.is({ ...good, extra: 1 }), false);
    assert.throws(() => parseTrackCatalog({ version: 1, tracks: [good, good] }), /duplicate track id/);
    assert.throws(() => parseTrackCatalog({ version: 2, tracks: [] }), /TrackCatalog/);
  });
});

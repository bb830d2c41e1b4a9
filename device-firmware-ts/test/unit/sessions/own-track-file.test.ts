import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { proposeTrack } from '@pitwall/protocol';
import { loadOwnTracks, ownTracksFile, saveOwnTracks } from '../../../src/pipeline/own-track-file.js';
import { silentLogger, type Logger } from '../../../src/ops/logger.js';
import { tempDir } from '../../helpers/paths.js';

/** A 1.6 km square loop driven twice, as a companion would draw it. */
function squareTrack() {
  const side = 0.0036;
  const corners = [[0, 0], [side, 0], [side, side], [0, side]] as const;
  const path: { lat: number; lon: number }[] = [];
  for (let lap = 0; lap < 2; lap++) {
    for (let c = 0; c < 4; c++) {
      const [a, b] = [corners[c]!, corners[(c + 1) % 4]!];
      for (let k = 0; k < 40; k++) path.push({ lat: -17 + a[0] + ((b[0] - a[0]) * k) / 40, lon: 140 + a[1] + ((b[1] - a[1]) * k) / 40 });
    }
  }
  return proposeTrack(path, { name: 'Square' });
}

test('own tracks on the unit: saved 0600 and loaded back; a torn or tampered file is logged and ignored (no own tracks)', async () => {
  const data = await tempDir('own-track-file');
  const errors: string[] = [];
  const log: Logger = { ...silentLogger, error: (m: string) => void errors.push(m) };
  try {
    assert.deepEqual(await loadOwnTracks(data.dir, log), [], 'none pushed yet');
    const track = squareTrack();
    await saveOwnTracks(data.dir, [track]);
    assert.equal((await stat(ownTracksFile(data.dir))).mode & 0o777, 0o600);
    assert.deepEqual(await loadOwnTracks(data.dir, log), [track]);
    assert.deepEqual(errors, []);

    const text = await readFile(ownTracksFile(data.dir), 'utf8');
    for (const bad of [text.slice(0, text.length / 2), text.replace(track.id, 'own-0000000000000000'), '{"tracks":"x"}']) {
      await writeFile(ownTracksFile(data.dir), bad);
      assert.deepEqual(await loadOwnTracks(data.dir, log), []);
    }
    assert.equal(errors.length, 3);
    assert.match(errors[1]!, /own tracks in .* ignored: track 1 .* is not the id of its geometry/);
  } finally {
    await data.cleanup();
  }
});

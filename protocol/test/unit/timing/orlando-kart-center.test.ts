import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineHeadingDeg, orientLine, timeLaps } from '../../../src/timing/index.js';
import { catalog } from '../../helpers/catalog-file.js';
import { rmcFixes } from '../../helpers/rmc-fixes.js';
import { readTestData } from '../../helpers/test-data.js';

const DIR = ['laps', 'doveslaptimer_orlando_kart_center_nmea'];
// The data README's line; it gives no direction, which comes from the catalog's layout.
const README_LINE = {
  a: { lat: 28.41270817056385, lon: -81.37973266418031 },
  b: { lat: 28.41273038679321, lon: -81.37957048753776 },
};
const REFERENCE_S: Record<string, number[]> = {
  gps_race_data_2laps: [69.961, 68.742, 70.148],
  gps_race_data_lap: [68.742],
  gps_race_data_long_lap: [58.614],
  gps_race_data_praga_laps: [62.726, 61.319],
};
const TOLERANCE_MS = 5;

function forwardLine() {
  const track = catalog().find((t) => t.id === 'orlando-kart-center-orlando-k-fl');
  assert.ok(track, 'the catalog knows Orlando Kart Center');
  return orientLine(README_LINE, lineHeadingDeg(track.startFinish));
}

describe('Orlando Kart Center (NMEA RMC, 16.7-25 Hz)', () => {
  const line = forwardLine();
  for (const [file, reference] of Object.entries(REFERENCE_S)) {
    it(`${file}: every lap within ${TOLERANCE_MS} ms of ${reference.join(', ')} s`, () => {
      const fixes = rmcFixes(readTestData(...DIR, `${file}.nmea`));
      const { laps } = timeLaps(fixes, { startFinish: line });
      assert.equal(laps.length, reference.length);
      laps.forEach((lap, i) => {
        const errorMs = lap.timeMs - reference[i]! * 1000;
        assert.ok(Math.abs(errorMs) <= TOLERANCE_MS, `lap ${i + 1}: ${lap.timeMs.toFixed(1)} ms, error ${errorMs.toFixed(1)} ms`);
      });
    });
  }

  it('times the same laps when the recording runs over midnight UTC', () => {
    const text = readTestData(...DIR, 'gps_race_data_2laps.nmea');
    const first = rmcFixes(text)[0]!;
    // Shift the time of day so the second lap straddles 00:00; the date field is left stale,
    // as receivers often do for a moment after midnight.
    const shiftMs = 86_400_000 - (first.t % 86_400_000) - 100_000;
    const shifted = text.replace(/^(\$GP(?:RMC|GGA),)(\d{6}\.\d+)/gm, (_, head: string, hhmmss: string) => {
      const ms = (Number(hhmmss.slice(0, 2)) * 3600 + Number(hhmmss.slice(2, 4)) * 60 + Number(hhmmss.slice(4))) * 1000;
      const t = (ms + shiftMs) % 86_400_000;
      const s = (t / 1000) % 60;
      const hh = String(Math.floor(t / 3_600_000)).padStart(2, '0');
      const mm = String(Math.floor(t / 60_000) % 60).padStart(2, '0');
      return `${head}${hh}${mm}${s.toFixed(3).padStart(6, '0')}`;
    });
    const fixes = rmcFixes(shifted.replace(/^(\$GPRMC,.*)\*[0-9A-F]{2}$/gm, (_, body: string) => withChecksum(body)));
    const laps = timeLaps(fixes, { startFinish: line }).laps.map((l) => l.timeMs);
    assert.equal(laps.length, 3);
    laps.forEach((ms, i) => assert.ok(Math.abs(ms - REFERENCE_S.gps_race_data_2laps![i]! * 1000) <= TOLERANCE_MS));
  });
});

function withChecksum(body: string): string {
  let x = 0;
  for (let i = 1; i < body.length; i++) x ^= body.charCodeAt(i);
  return `${body}*${x.toString(16).toUpperCase().padStart(2, '0')}`;
}

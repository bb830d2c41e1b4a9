import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecording, parseSentence, shiftSentenceTime } from '../../../src/index.js';
import { recordingsDir } from '../../helpers/paths.js';

for (const name of ['everland-aim-solo.nmea', 'synthetic-sonoma-raceway.nmea', 'synthetic-orlando-kart-center.nmea']) {
  test(`shipped recording ${name}: valid checksums, 10 Hz epochs, 3+ laps long`, () => {
    const text = readFileSync(join(recordingsDir, name), 'latin1');
    const lines = text.split('\r\n').filter(Boolean);
    for (const l of lines) assert.equal(parseSentence(l).status, 'ok', l);
    const rec = parseRecording(text);
    const gaps = rec.epochs.slice(1).map((e, i) => e.offsetMs - (rec.epochs[i] as { offsetMs: number }).offsetMs);
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
    assert.equal(median, 100);
    assert.ok(rec.durationMs > 200_000, `only ${rec.durationMs} ms`);
    assert.ok(text.length < 1.5 * 1024 * 1024);
  });
}

test('looping shifts GGA/RMC times forward, across midnight into the next date, with valid checksums', () => {
  const rmc = '$GPRMC,235959.90,A,3717.77493,N,12712.39097,E,80.000,45.00,310524,,,A*6D';
  const fixed = parseSentence(rmc);
  assert.equal(fixed.status === 'ok' || fixed.status === 'bad-checksum', true);
  const shifted = shiftSentenceTime(rmc, 200);
  const r = parseSentence(shifted);
  assert.ok(r.status === 'ok' && r.sentence.kind === 'RMC', shifted);
  assert.equal(r.sentence.time?.msOfDay, 100);
  assert.equal(r.sentence.date, Date.UTC(2024, 5, 1) / 86_400_000);
  assert.equal(shiftSentenceTime('$GPGSA,A,3,,,,,,,,,,,,,1,1,1*00', 5000), '$GPGSA,A,3,,,,,,,,,,,,,1,1,1*00');
});

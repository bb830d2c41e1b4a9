import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NmeaDecoder, parseRecording, parseSentence, shiftSentenceTime, withPitStop } from '../../../src/index.js';
import { recordingsDir } from '../../helpers/paths.js';

const fixesOf = (lines: string[]) => {
  const decoder = new NmeaDecoder();
  return [...lines.flatMap((l) => decoder.push(l)), ...decoder.flush()].filter((f) => f.lat !== null);
};

for (const name of ['everland-aim-solo.nmea', 'synthetic-orlando-kart-center.nmea']) {
  test(`${name} with a pit stop: the car brakes along its course to a stop and stays parked`, () => {
    const rec = parseRecording(readFileSync(join(recordingsDir, name), 'latin1'));
    const stopped = withPitStop(rec, 40);
    assert.deepEqual(stopped.epochs.slice(0, rec.epochs.length), rec.epochs, 'the recording itself is unchanged');
    const tail = stopped.epochs.slice(rec.epochs.length);
    for (const l of tail.flatMap((e) => e.lines)) assert.equal(parseSentence(l).status, 'ok', l);
    const all = fixesOf(stopped.epochs.flatMap((e) => e.lines));
    const last = fixesOf(rec.epochs.flatMap((e) => e.lines)).at(-1)!;
    const after = all.filter((f) => f.timeMs > last.timeMs);
    assert.ok(after.length >= tail.length - 1, `${after.length} fixes after the recording`);
    // Receiver time goes on at the recording's rate.
    const steps = after.map((f, i) => f.timeMs - (i === 0 ? last.timeMs : after[i - 1]!.timeMs));
    assert.ok(steps.every((s) => s > 0 && s < 150), `steps ${Math.min(...steps)}..${Math.max(...steps)} ms`);
    // Braking: the speed never rises and reaches zero, without a jump harder than the car can brake.
    const speeds = [last.speedMps!, ...after.map((f) => f.speedMps!)];
    speeds.slice(1).forEach((v, i) => assert.ok(v <= speeds[i]! + 1e-6 && speeds[i]! - v < 1.5, `speed ${speeds[i]} -> ${v}`));
    const parked = after.filter((f) => f.speedMps === 0);
    assert.ok(parked.length > 0);
    assert.ok(parked.at(-1)!.timeMs - parked[0]!.timeMs >= 39_000, 'parked for the whole stop');
    // It moved forward while braking (not a jump), then stands still.
    const firstParked = parked[0]!;
    const dLat = (firstParked.lat! - last.lat!) * 111_195;
    const dLon = (firstParked.lon! - last.lon!) * 111_195 * Math.cos((last.lat! * Math.PI) / 180);
    const dist = Math.hypot(dLat, dLon);
    const expected = last.speedMps! ** 2 / (2 * 6);
    assert.ok(Math.abs(dist - expected) < 5, `braked over ${dist.toFixed(1)} m, expected ${expected.toFixed(1)} m`);
    const heading = ((Math.atan2(dLon, dLat) * 180) / Math.PI + 360) % 360;
    assert.ok(Math.abs(((heading - last.courseDeg! + 540) % 360) - 180) < 2, `braked along the course: ${heading} vs ${last.courseDeg}`);
    assert.ok(parked.every((f) => f.lat === firstParked.lat && f.lon === firstParked.lon));
  });
}

test('a recording moved back a week keeps its time of day and takes the earlier date', () => {
  const rmc = '$GPRMC,020706.42,A,3717.76973,N,12712.39670,E,80.724,318.49,180524,,,A*5D';
  const r = parseSentence(shiftSentenceTime(rmc, -7 * 86_400_000));
  assert.ok(r.status === 'ok' && r.sentence.kind === 'RMC');
  assert.equal(r.sentence.date, Date.UTC(2024, 4, 11) / 86_400_000);
  assert.equal(r.sentence.time?.msOfDay, (2 * 3600 + 7 * 60 + 6.42) * 1000);
  const across = parseSentence(shiftSentenceTime('$GPRMC,000000.50,A,3717.76973,N,12712.39670,E,80.724,318.49,010324,,,A*52', -1000));
  assert.ok(across.status === 'ok' && across.sentence.kind === 'RMC');
  assert.equal(across.sentence.date, Date.UTC(2024, 1, 29) / 86_400_000, 'back across midnight into February 29th');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChunkType,
  decodeSession,
  encodeChunk,
  encodeSessionHeader,
  eventsChunk,
  exportVbo,
  gnssChunk,
  imuChunk,
  summaryChunk,
  vboTime,
  type SessionFix,
  type SessionHeader,
  type SessionImuSample,
} from '../../../src/index.js';
import { seededRandom } from '../../seeded-random.js';

const header: SessionHeader = {
  format: 'pitwall-session',
  version: 1,
  sessionId: 's-1',
  unitId: 'unit-1',
  firmwareVersion: '0.1.0',
  startedAt: '2024-05-18T12:00:00.000Z',
  trackId: 'orlando-kart-center',
  driver: null,
  gnssRateHz: 25,
  imu: { chip: 'LSM6DSOX', rateHz: 100, accelRangeG: 4, gyroRangeDps: 500 },
};
const T0 = Date.UTC(2024, 4, 18, 12, 0, 0);

function sampleData(seconds: number): { fixes: SessionFix[]; imu: SessionImuSample[] } {
  const rand = seededRandom(7);
  const fixes: SessionFix[] = [];
  const imu: SessionImuSample[] = [];
  for (let i = 0; i < seconds * 25; i++) {
    fixes.push({
      t: T0 + i * 40,
      fix: i % 50 === 0 ? '2d' : '3d',
      lat: 28.4127 + i * 1e-6 + rand() * 1e-7,
      lon: -81.3797 - i * 2e-6,
      altM: i % 7 === 0 ? null : 30 + rand(),
      speedMps: 20 + rand() * 5,
      courseDeg: (359 + i * 0.3) % 360,
      satellites: 12,
      hdop: 0.9,
    });
  }
  for (let i = 0; i < seconds * 100; i++) {
    imu.push({ t: T0 + i * 10, accelMps2: [rand() * 10 - 5, rand() * 20 - 10, 9.81], gyroDps: [rand(), -rand(), rand() * 200 - 100] });
  }
  return { fixes, imu };
}

function build(seconds: number): { bytes: Uint8Array; offsets: number[]; fixes: SessionFix[]; imu: SessionImuSample[] } {
  const { fixes, imu } = sampleData(seconds);
  const parts = [encodeSessionHeader(header)];
  const offsets: number[] = [];
  let at = parts[0]!.length;
  let seq = 0;
  for (let s = 0; s < seconds; s++) {
    for (const c of [gnssChunk(seq++, fixes.slice(s * 25, s * 25 + 25)), imuChunk(seq++, imu.slice(s * 100, s * 100 + 100))]) {
      offsets.push(at);
      at += c.length;
      parts.push(c);
    }
  }
  parts.push(eventsChunk(seq++, [{ type: 'lap-start', lap: 1, t: T0 + 1234.5 }]));
  parts.push(summaryChunk(seq++, { endedAt: new Date(T0 + seconds * 1000).toISOString(), fixes: fixes.length, imuSamples: imu.length, laps: 0, bestLapMs: null }));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, offsets, fixes, imu };
}

test('round trip: fixes and IMU samples come back within their fixed-point resolution', () => {
  const { bytes, fixes, imu } = build(10);
  const d = decodeSession(bytes);
  assert.deepEqual(d.header, header);
  assert.equal(d.fixes.length, fixes.length);
  assert.equal(d.imu.length, imu.length);
  fixes.forEach((f, i) => {
    const g = d.fixes[i]!;
    assert.ok(Math.abs(g.t - f.t) <= 0.05);
    assert.equal(g.fix, f.fix);
    assert.ok(Math.abs(g.lat! - f.lat!) <= 0.5e-7 && Math.abs(g.lon! - f.lon!) <= 0.5e-7);
    assert.equal(g.altM === null, f.altM === null);
    if (f.altM !== null) assert.ok(Math.abs(g.altM! - f.altM) <= 0.005);
    assert.ok(Math.abs(g.speedMps! - f.speedMps!) <= 0.005);
    assert.ok(Math.abs(((g.courseDeg! - f.courseDeg! + 540) % 360) - 180) <= 0.005, `${g.courseDeg} ${f.courseDeg}`);
  });
  imu.forEach((s, i) => {
    const g = d.imu[i]!;
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(g.accelMps2[k]! - s.accelMps2[k]!) <= 0.005 && Math.abs(g.gyroDps[k]! - s.gyroDps[k]!) <= 0.005);
  });
  assert.deepEqual(d.events, [{ type: 'lap-start', lap: 1, t: T0 + 1234.5 }]);
  assert.equal(d.summary?.fixes, fixes.length);
  assert.deepEqual(d.stats.corruptChunks, []);
  assert.equal(d.stats.tornBytes, 0);
});

test('a corrupted chunk is detected by its CRC; every other chunk is still read', () => {
  const { bytes, offsets } = build(10);
  const bad = bytes.slice();
  bad[offsets[7]! + 20]! ^= 0x10; // inside the IMU chunk of second 3
  const d = decodeSession(bad);
  assert.deepEqual(d.stats.corruptChunks, [offsets[7]]);
  assert.deepEqual(d.stats.missingSeqs, [7]);
  assert.equal(d.imu.length, 900);
  assert.equal(d.fixes.length, 250);
  assert.ok(d.summary);
});

test('a torn write at every byte of the last chunk: readable, everything before it kept', () => {
  const { bytes, offsets } = build(4);
  const lastStart = offsets.at(-1)!;
  for (let cut = lastStart; cut < lastStart + 200; cut++) {
    const d = decodeSession(bytes.subarray(0, cut));
    assert.equal(d.stats.goodLength, lastStart);
    assert.equal(d.stats.tornBytes, cut - lastStart);
    assert.deepEqual(d.stats.corruptChunks, []);
    assert.equal(d.imu.length, 300);
  }
  // A file system may leave a zero-filled tail after a power cut.
  const zeros = new Uint8Array(bytes.length + 4096);
  zeros.set(bytes);
  assert.equal(decodeSession(zeros).stats.tornBytes, 4096);
});

test('unknown chunk types from a newer writer are skipped; fuzzed files never throw past the header', () => {
  const { bytes } = build(3);
  const future = encodeChunk(99, 1000, new Uint8Array([1, 2, 3]));
  const mixed = new Uint8Array(bytes.length + future.length);
  mixed.set(bytes);
  mixed.set(future, bytes.length);
  assert.equal(decodeSession(mixed).stats.corruptChunks.length, 0);
  const rand = seededRandom(99);
  const headerLen = encodeSessionHeader(header).length;
  for (let i = 0; i < 2000; i++) {
    const b = bytes.slice(0, headerLen + Math.floor(rand() * (bytes.length - headerLen + 1)));
    for (let k = 0; k < 1 + rand() * 8; k++) b[headerLen + Math.floor(rand() * (b.length - headerLen))] = Math.floor(rand() * 256);
    const d = decodeSession(b);
    assert.ok(d.fixes.length <= 75 && d.imu.length <= 300);
  }
  assert.equal(ChunkType.gnss, 1);
});

test('VBO export: sections, HHMMSS.SS time, minutes of latitude, longitude positive west', () => {
  const { fixes, imu } = sampleData(2);
  const vbo = exportVbo({ header, fixes, imu });
  for (const section of ['[header]', '[channel units]', '[comments]', '[column names]', '[data]']) assert.ok(vbo.includes(`\r\n${section}\r\n`) || vbo.startsWith(section), section);
  const rows = vbo.split('[data]\r\n')[1]!.trim().split('\r\n');
  assert.equal(rows.length, 200, 'one row per 10 ms IMU sample');
  const cols = rows[0]!.split(' ');
  assert.equal(cols.length, 13);
  assert.equal(cols[1], '120000.00');
  assert.ok(Math.abs(Number(cols[2]) - fixes[0]!.lat! * 60) < 1e-5);
  assert.ok(Number(cols[3]) > 0 && Math.abs(Number(cols[3]) + fixes[0]!.lon! * 60) < 1e-5, 'west is positive');
  assert.equal(vboTime(Date.UTC(2024, 0, 1, 23, 59, 59, 996)), '000000.00');
  assert.equal(vboTime(Date.UTC(2024, 0, 1, 9, 5, 7, 120)), '090507.12');
});

test("VBO export of a 104 Hz IMU (the LSM6DSOX's rate): the header's rate in the comments, rows on the format's 10 ms times, none repeated", () => {
  const { fixes } = sampleData(2);
  const imu: SessionImuSample[] = Array.from({ length: 208 }, (_, i) => ({ t: T0 + (i * 1000) / 104, accelMps2: [0, 0, 9.81], gyroDps: [0, 0, i] }));
  const vbo = exportVbo({ header: { ...header, imu: { ...header.imu!, rateHz: 104 } }, fixes, imu });
  assert.match(vbo, /\r\nGNSS 25 Hz, IMU LSM6DSOX 104 Hz\r\n/);
  const times = vbo.split('[data]\r\n')[1]!.trim().split('\r\n').map((r) => Number(r.split(' ')[1]));
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!, `row ${i}: ${times[i - 1]} then ${times[i]}`);
  // HHMMSS.SS holds 100 rows a second: two samples in one 10 ms row leave the later one.
  assert.ok(times.length >= 195 && times.length <= 200, `${times.length} rows for 2 s`);
  const lastRow = vbo.trim().split('\r\n').at(-1)!.split(' ');
  assert.equal(Number(lastRow.at(-1)), 207, 'the last sample is in the last row');
});

test('VBO [laptiming]: the start/finish and each sector line as gates (longitude west +, latitude, in minutes), between comments and column names', () => {
  const { fixes, imu } = sampleData(1);
  const track = {
    startFinish: { a: { lat: 28.41270817, lon: -81.37973266 }, b: { lat: 28.41273039, lon: -81.37957049 } },
    sectors: [
      { a: { lat: 28.4131, lon: -81.3801 }, b: { lat: 28.4132, lon: -81.38 } },
      { a: { lat: -0.5, lon: 0.25 }, b: { lat: -0.5001, lon: 0.2501 } },
    ],
  };
  const vbo = exportVbo({ header, fixes, imu, track });
  const at = (section: string) => vbo.indexOf(`\r\n${section}\r\n`);
  assert.ok(at('[comments]') < at('[laptiming]') && at('[laptiming]') < at('[column names]'), 'section order');
  const gates = vbo.slice(at('[laptiming]')).split('\r\n\r\n')[0]!.split('\r\n').slice(2);
  assert.deepEqual(gates, [
    'Start +4882.783960 +1704.762490 +4882.774229 +1704.763823 \u00ac StartFinish',
    'Split +4882.806000 +1704.786000 +4882.800000 +1704.792000 \u00ac Split 1',
    'Split -15.000000 -30.000000 -15.006000 -30.006000 \u00ac Split 2',
  ]);
  assert.ok(!exportVbo({ header, fixes, imu }).includes('[laptiming]'), 'no track, no gates');
});

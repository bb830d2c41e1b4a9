import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GnssReader, nmeaReplayer, openPtyPair, silentLogger, type GnssFix } from '../../../src/index.js';
import { everlandRecording, recordingsDir, tempDir } from '../../helpers/paths.js';

async function withReplay(recording: string, speed: number, body: (reader: GnssReader, fixes: GnssFix[]) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir('gnss');
  await mkdir(dir, { recursive: true });
  const source = nmeaReplayer({ recordingPath: recording, runDir: dir, speed, log: silentLogger });
  const reader = new GnssReader({ ...(await source.start()), log: silentLogger });
  const fixes: GnssFix[] = [];
  try {
    await reader.open();
    reader.on('fix', (f) => fixes.push(f));
    await body(reader, fixes);
  } finally {
    await reader.close();
    await source.stop();
    await cleanup();
  }
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the real reader on a socat pty gets fixes from the replayed Everland recording', async () => {
  // x10: the recording's 4 s of no-fix take 0.4 s.
  await withReplay(everlandRecording, 10, async (reader, fixes) => {
    await until(() => fixes.filter((f) => f.fix === '3d').length >= 60, 8000, '60 3d fixes');
    const status = reader.state.status();
    assert.equal(status.fix, '3d');
    assert.ok(status.satellites >= 8, `satellites ${status.satellites}`);
    assert.ok(status.hdop !== null && status.hdop > 0);
    assert.ok(status.position && Math.abs(status.position.lat - 37.297) < 0.01 && Math.abs(status.position.lon - 127.21) < 0.01);
    assert.ok(status.speedMps !== null && status.speedMps > 10, `speed ${status.speedMps}`);
    // First fix after ~4 s of recording at x10, measured from the port opening.
    assert.ok(status.timeToFirstFixS !== null && status.timeToFirstFixS > 0.2 && status.timeToFirstFixS < 2, `ttff ${status.timeToFirstFixS}`);
    assert.ok(status.fixRateHz > 50, `fix rate ${status.fixRateHz} (10 Hz x10)`);
    assert.equal(status.sentences.badChecksum, 0);
    assert.ok(fixes.some((f) => f.fix === 'none'), 'the no-fix start was seen');
    const speeds = new Set(fixes.filter((f) => f.speedMps !== null).map((f) => Math.round(f.speedMps as number)));
    assert.ok(speeds.size > 3, 'speed changes along the lap');
    const times = fixes.map((f) => f.timeMs);
    assert.ok(times.every((t, i) => i === 0 || t > (times[i - 1] as number)), 'receiver times increase');
    assert.equal(new Date(times[0] as number).toISOString().slice(0, 10), '2024-05-18');
  });
});

test('replay keeps the recorded pace (10 Hz at x1)', async () => {
  await withReplay(join(recordingsDir, 'synthetic-orlando-kart-center.nmea'), 1, async (reader, fixes) => {
    await new Promise((r) => setTimeout(r, 1500));
    // 1.5 s at 10 Hz: about 15 epochs (the first still waits for its successor).
    assert.ok(fixes.length >= 11 && fixes.length <= 17, `${fixes.length} epochs in 1.5 s`);
    assert.ok(reader.state.status().sentences.accepted >= 22);
  });
});

test('a receiver that never ends its line cannot grow the reader: the bound drops it, and the next sentences still decode', async () => {
  const { dir, cleanup } = await tempDir('gnss');
  const pair = await openPtyPair(join(dir, 'serial0'), join(dir, 'receiver'));
  const reader = new GnssReader({ path: pair.a, baudRate: 115200, log: silentLogger });
  const fixes: GnssFix[] = [];
  const receiver = await open(pair.b, 'w');
  try {
    await reader.open();
    reader.on('fix', (f) => fixes.push(f));
    const junk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 4; i++) await receiver.write(junk);
    await until(() => reader.decoder.overflowedBytes >= 200 * 1024, 8000, 'the unterminated bytes to be dropped');
    const lines = (await readFile(everlandRecording, 'utf8')).split('\n');
    const fixed = lines.slice(lines.findIndex((l) => /^\$GPRMC,[^,]*,A,/.test(l))).slice(0, 200);
    await receiver.write(`\r\n${fixed.join('\r\n')}\r\n`);
    await until(() => fixes.some((f) => f.fix !== 'none'), 8000, 'a fix after the junk');
  } finally {
    await receiver.close();
    await reader.close();
    await pair.close();
    await cleanup();
  }
});

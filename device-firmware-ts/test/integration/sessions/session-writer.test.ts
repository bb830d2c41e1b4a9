import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeSession, exportVbo, type SessionHeader } from '@pitwall/protocol';
import { SessionWriter, syntheticDrive } from '../../../src/index.js';
import { tempDir } from '../../helpers/paths.js';
import { prng } from '../../helpers/prng.js';

const CHILD = fileURLToPath(new URL('../../helpers/session-writer-child.mjs', import.meta.url));
const header: SessionHeader = {
  format: 'pitwall-session',
  version: 1,
  sessionId: 'synthetic-30min',
  unitId: 'unit-1',
  firmwareVersion: '0.1.0',
  startedAt: '2024-05-18T12:00:00.000Z',
  trackId: null,
  driver: null,
  gnssRateHz: 25,
  imu: { chip: 'LSM6DSOX', rateHz: 100, accelRangeG: 4, gyroRangeDps: 500 },
};

async function killRun(dir: string, n: number, delayMs: number): Promise<{ lostMs: number; chunks: number }> {
  const path = join(dir, `s${n}.pws`);
  const child = spawn(process.execPath, [CHILD, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let started = 0;
  for await (const line of lines) {
    started = Number(line.split(' ')[1]);
    break;
  }
  await sleep(delayMs);
  const killedAt = Date.now();
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const d = decodeSession(new Uint8Array(await readFile(path)));
  const last = Math.max(d.fixes.at(-1)?.t ?? started, d.imu.at(-1)?.t ?? started);
  assert.deepEqual(d.stats.corruptChunks, [], `run ${n}`);
  // No sample lost in the middle: IMU times are contiguous.
  d.imu.forEach((s, i) => assert.equal(s.t, started + i * 10, `run ${n} imu ${i}`));
  return { lostMs: killedAt - last, chunks: d.stats.chunks };
}

test('SIGKILL while recording at 24 random moments: the file stays readable and at most 1 s is lost', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = await tempDir('sigkill');
  try {
    const rand = prng(0x51c);
    // Kill moments spread over several flush cycles (800 ms each), six children at a time.
    const delays = Array.from({ length: 24 }, () => 100 + Math.floor(rand() * 2600));
    const runs: { lostMs: number; chunks: number }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < delays.length) {
        const n = next++;
        runs.push(await killRun(dir, n, delays[n]!));
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    const worst = Math.max(...runs.map((r) => r.lostMs));
    t.diagnostic(`lost ms per run: ${runs.map((r) => r.lostMs).join(', ')}; worst ${worst}`);
    assert.ok(worst <= 1000, `lost ${worst} ms`);
    assert.ok(runs.some((r) => r.chunks > 2), 'some runs recorded several chunks');
  } finally {
    await cleanup();
  }
});

test('resume after a crash cuts the torn tail and appends after the last good chunk', async () => {
  const { dir, cleanup } = await tempDir('resume');
  try {
    const path = join(dir, 's.pws');
    const drive = syntheticDrive({ durationS: 3, seed: 3 });
    const w = await SessionWriter.create(path, header, { timer: false });
    for (const f of drive.fixes.slice(0, 50)) w.addFix(f);
    await w.flush();
    for (const f of drive.fixes.slice(50, 75)) w.addFix(f);
    await w.flush();
    // Simulate a torn append: the last flush only half reached the disk.
    const size = (await stat(path)).size;
    await truncate(path, size - 20);
    const kept = decodeSession(new Uint8Array(await readFile(path))).fixes.length;
    assert.ok(kept >= 50 && kept < 75, `${kept} fixes survived the torn append`);
    const r = await SessionWriter.resume(path, { timer: false });
    for (const f of drive.fixes.slice(kept)) r.addFix(f);
    await r.close({ endedAt: '2024-05-18T12:00:03.000Z', laps: 0, bestLapMs: null });
    const d = decodeSession(new Uint8Array(await readFile(path)));
    assert.deepEqual(d.stats.corruptChunks, []);
    assert.equal(d.stats.tornBytes, 0);
    assert.equal(d.fixes.length, drive.fixes.length);
    assert.equal(d.summary?.fixes, drive.fixes.length);
  } finally {
    await cleanup();
  }
});

test('size: a 30-minute 25 Hz GNSS + 100 Hz IMU session is at most 15% of its VBO export', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = await tempDir('size');
  try {
    const drive = syntheticDrive({ durationS: 1800, seed: 1 });
    const path = join(dir, 's.pws');
    // Same chunking as on the unit; without the 2,250 fsyncs, which do not change the size.
    const w = await SessionWriter.create(path, header, { timer: false, sync: false });
    let fi = 0;
    for (const s of drive.imu) {
      while (fi < drive.fixes.length && drive.fixes[fi]!.t <= s.t) w.addFix(drive.fixes[fi++]!);
      w.addImu(s);
    }
    while (fi < drive.fixes.length) w.addFix(drive.fixes[fi++]!);
    w.addEvent({ type: 'lap-start', lap: 1, t: drive.fixes[0]!.t });
    await w.close({ endedAt: new Date(drive.fixes.at(-1)!.t).toISOString(), laps: 0, bestLapMs: null });
    const bytes = (await stat(path)).size;
    const vbo = Buffer.byteLength(exportVbo({ header, fixes: drive.fixes, imu: drive.imu }));
    const ratio = bytes / vbo;
    t.diagnostic(`session ${bytes} B, VBO ${vbo} B, ratio ${ratio.toFixed(4)} (${((bytes / 1800) * 3600 / 1e6).toFixed(2)} MB/h)`);
    console.log(`session bytes / VBO bytes = ${ratio.toFixed(4)} (${bytes} / ${vbo})`);
    assert.ok(ratio <= 0.15, `ratio ${ratio}`);
    const d = decodeSession(new Uint8Array(await readFile(path)));
    assert.equal(d.fixes.length, drive.fixes.length);
    assert.equal(d.imu.length, drive.imu.length);
  } finally {
    await cleanup();
  }
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeSession, liveLap, routePath, Routes, sessionLaps, sessionMeta, type LiveLap, type SessionMeta } from '@pitwall/protocol';
import { DEVICE_CLI, startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { COMPANION_CLI } from '../testbed/companion.js';
import { pressSimButton } from '../testbed/sim-gpio.js';
import { cliPair } from './unit-https.js';
import { https, makeOperator, pairOverSerial, type OperatorCreds } from '../device-firmware-ts/test/helpers/https-client.js';
import { openLive, type LiveStream } from '../device-firmware-ts/test/helpers/live-stream.js';
import { getBytes, listSessions, waitForSession } from '../device-firmware-ts/test/helpers/sessions.js';

/**
 * The whole data path against a real simulated unit: the unit replays the real Everland laps
 * (AiM Solo, 10 Hz) fast, times them and records a session; the companion is paired over the
 * network with the real CLI, then `pitwall sync` pulls the session and `pitwall laps` re-times
 * it from the raw fixes. A second operator (a test laptop paired over USB) watches the unit's
 * own lap events and closes the session, so the unit's timing is observed independently of
 * the companion.
 */
const EVERLAND = 'amg-everland-speedway-everland';
// The unit and the companion run the same timer on the same fixes; the file keeps time to
// 0.1 ms and position to 1e-7 degree, so their laps agree far below a millisecond.
const TOLERANCE_MS = 1;

const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-sync-'));
const unitDir = join(tmp, 'unit');
const companionDir = join(tmp, 'companion');
let unit: SimUnit;
let base: string;
let observer: OperatorCreds;
let live: LiveStream;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function pitwall(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [COMPANION_CLI, ...args, '--data-dir', companionDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  assert.ok(existsSync(DEVICE_CLI) && existsSync(COMPANION_CLI), 'built (npm run build)');
  // Everland's laps take about 140 s: at 25x a lap every 5.6 s.
  unit = await startSimUnit({ dataDir: unitDir, name: 'Sync Car', speed: 25 });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  observer = await makeOperator('lap observer');
  await pairOverSerial(unit.ready.serialPath, observer, 'owner', 'observer laptop');
  live = await openLive(base, observer);
  await pressSimButton(unitDir, 'pair');
  // As team staff (read and control is all sync needs): over the network a unit that has an
  // owner makes no further owner without that owner's approval.
  const paired = await cliPair(companionDir, `127.0.0.1:${unit.ready.apiPort}`, ['--via', 'net', '--role', 'staff']);
  assert.equal(paired.code, 0, paired.out);
});

after(async () => {
  live?.close();
  await unit?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('pitwall sync pulls a session a real unit recorded; pitwall laps equals the unit\'s own lap times; a second sync adds nothing', { timeout: 120_000 }, async () => {
  const recording = await waitForSession(base, observer, (m) => m.state === 'recording', 20_000, 'recording');
  assert.equal(recording.track?.id, EVERLAND);
  const lapsOf = (): LiveLap[] =>
    live.events
      .filter((e) => e.event === 'lap')
      .map((e) => liveLap.parse(JSON.parse(e.data)))
      .filter((l) => l.sessionId === recording.id);
  await live.until(() => lapsOf().length >= 3, 60_000, 'three lap events');
  // Closing writes the summary, syncs and hashes the file: allow for a loaded machine.
  const stop = await https(base, 'POST', Routes.stopSession.path, { client: observer, timeoutMs: 30_000 });
  assert.equal(stop.status, 200, stop.body);
  const closed = sessionMeta.parse(JSON.parse(stop.body));
  assert.equal(closed.id, recording.id);
  // Lap events are sent as the unit times them; the stop comes after the last one it counted.
  const unitLaps = lapsOf();
  assert.equal(unitLaps.length, closed.laps, `live lap events ${unitLaps.length}, session says ${closed.laps}`);
  assert.deepEqual(unitLaps.map((l) => l.lap), unitLaps.map((_, i) => i + 1));
  assert.equal(closed.bestLapMs, Math.min(...unitLaps.map((l) => l.timeMs)));
  // The recorded file carries the same lap events (what the unit wrote, read with our own key).
  const file = await getBytes(base, routePath(Routes.sessionFile, { params: { id: closed.id } }), observer);
  assert.equal(file.status, 200);
  // As the file finally has them: the track decision's event re-times the laps before it.
  const fileLaps = sessionLaps(decodeSession(new Uint8Array(file.body)).events);
  assert.deepEqual(fileLaps.map((e) => e.timeMs), unitLaps.map((l) => l.timeMs));

  const sync = await pitwall('sync', '--no-mdns');
  assert.equal(sync.code, 0, `${sync.stdout}\n${sync.stderr}`);
  assert.match(sync.stdout, /Sync Car: 1 new, 0 already here/);

  const sessions = JSON.parse((await pitwall('sessions', '--json')).stdout) as { id: number; sessionId: string; unitId: string; sha256: string; sizeB: number; fixes: number; laps: number }[];
  assert.equal(sessions.length, 1);
  const stored = sessions[0]!;
  assert.deepEqual([stored.sessionId, stored.unitId, stored.sha256, stored.sizeB], [closed.id, unit.ready.id, closed.sha256, closed.sizeB]);

  const lapsRun = await pitwall('laps', closed.id, '--json');
  assert.equal(lapsRun.code, 0, lapsRun.stderr);
  const timed = JSON.parse(lapsRun.stdout) as { laps: { lap: number; timeMs: number; sectorsMs: number[] }[]; bestIndex: number };
  assert.equal(timed.laps.length, unitLaps.length, `companion ${timed.laps.map((l) => l.timeMs)} vs unit ${unitLaps.map((l) => l.timeMs)}`);
  timed.laps.forEach((l, i) => {
    const u = unitLaps[i]!;
    assert.equal(l.lap, u.lap);
    assert.ok(Math.abs(l.timeMs - u.timeMs) <= TOLERANCE_MS, `lap ${l.lap}: companion ${l.timeMs} ms, unit ${u.timeMs} ms`);
    assert.equal(l.sectorsMs.length, u.sectorsMs.length, `lap ${l.lap} sectors`);
    l.sectorsMs.forEach((s, k) => assert.ok(Math.abs(s - u.sectorsMs[k]!) <= TOLERANCE_MS, `lap ${l.lap} sector ${k + 1}: ${s} vs ${u.sectorsMs[k]}`));
  });
  // The real reference: the AiM Solo's own lap times of this recording (138.948, 141.620 s).
  assert.ok(timed.laps.some((l) => Math.abs(l.timeMs - 141_620) < 50), `Everland lap 2 near 141.620 s: ${timed.laps.map((l) => l.timeMs)}`);

  // Confirmed to the unit only now that the companion holds it.
  const after1 = (await listSessions(base, observer)).find((m) => m.id === closed.id) as SessionMeta;
  assert.equal(after1.confirmed, true);

  const again = await pitwall('sync', '--no-mdns');
  assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
  assert.match(again.stdout, /Sync Car: 0 new, 1 already here/);
  const sessions2 = JSON.parse((await pitwall('sessions', '--json')).stdout) as { id: number; fixes: number }[];
  assert.deepEqual(sessions2.map((s) => [s.id, s.fixes]), [[stored.id, stored.fixes]], 'same one session, same samples');
});

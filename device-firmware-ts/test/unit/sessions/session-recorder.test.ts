import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { decodeSession, type SessionFix } from '@pitwall/protocol';
import { SessionStore } from '../../../src/pipeline/session-store.js';
import { SessionRecorder } from '../../../src/pipeline/session-recorder.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { tempDir } from '../../helpers/paths.js';

const T0 = Date.UTC(2024, 4, 18, 2, 0, 0);
const policy = { auto: true, startKmh: 15, startS: 3, stopS: 30 };

function fix(t: number, kmh: number): SessionFix {
  return { t, fix: '3d', lat: 37.29 + t * 1e-10, lon: 127.2, altM: 100, speedMps: kmh / 3.6, courseDeg: 90, satellites: 12, hdop: 0.8 };
}

async function setup() {
  const dir = await tempDir('recorder');
  const store = await SessionStore.open(dir.dir, () => 'Test Track', silentLogger);
  const recorder = new SessionRecorder(store, { ...policy, unitId: 'u1', firmwareVersion: '0.1.0', imu: null, trackName: () => 'Test Track' }, silentLogger);
  // Lets the recorder's file work (create, fsync, close) finish.
  const settle = () => recorder.idle().then(() => new Promise((r) => setTimeout(r, 10)));
  return { dir, store, recorder, settle };
}

test('moving for startS starts a session with the lead-in; stopped for stopS ends it with a summary', async () => {
  const { dir, store, recorder, settle } = await setup();
  try {
    let t = T0;
    for (; t < T0 + 5000; t += 100) recorder.addFix(fix(t, 5), 'test-track'); // stopped: nothing
    await settle();
    assert.equal(store.list().length, 0);
    const movingFrom = t;
    for (; t < movingFrom + 2900; t += 100) recorder.addFix(fix(t, 60), 'test-track');
    await settle();
    assert.equal(store.list().length, 0, 'not yet: moving for less than startS');
    for (; t < movingFrom + 20_000; t += 100) {
      recorder.addFix(fix(t, 60), 'test-track');
      if (t === movingFrom + 3100) await settle();
    }
    await settle();
    const open = store.list();
    assert.equal(open.length, 1);
    assert.equal(open[0]!.state, 'recording');
    assert.equal(open[0]!.start, new Date(movingFrom - 1000).toISOString(), 'the lead-in (startS + 1 s) is in the session');
    const stoppedFrom = t;
    for (; t < stoppedFrom + 29_000; t += 100) recorder.addFix(fix(t, 2), 'test-track');
    await settle();
    assert.equal(store.list()[0]!.state, 'recording', 'stopped for less than stopS');
    for (; t < stoppedFrom + 31_000; t += 100) recorder.addFix(fix(t, 2), 'test-track');
    await settle();
    const [closed] = store.list();
    assert.equal(closed!.state, 'closed');
    assert.deepEqual(closed!.track, { id: 'test-track', name: 'Test Track' });
    const data = decodeSession(new Uint8Array(await readFile(store.path(closed!.id))));
    assert.ok(data.summary);
    assert.equal(data.fixes[0]!.t, movingFrom - 1000);
    assert.ok(data.fixes.at(-1)!.t >= stoppedFrom + 30_000);
  } finally {
    await recorder.shutdown();
    await dir.cleanup();
  }
});

test('a manual stop holds off the automatic start until the unit has stopped; manual sessions ignore stops', async () => {
  const { dir, store, recorder, settle } = await setup();
  try {
    let t = T0;
    for (; t < T0 + 5000; t += 100) recorder.addFix(fix(t, 80), null);
    await settle();
    assert.equal(store.unfinished().length, 1);
    await recorder.stop(true);
    for (; t < T0 + 20_000; t += 100) recorder.addFix(fix(t, 80), null);
    await settle();
    assert.equal(store.unfinished().length, 0, 'still moving after a manual stop: no new session');
    for (; t < T0 + 55_000; t += 100) recorder.addFix(fix(t, 0), null);
    await recorder.start(true, null);
    for (; t < T0 + 120_000; t += 100) recorder.addFix(fix(t, 0), null);
    await settle();
    assert.equal(store.unfinished().length, 1, 'a session started on request ends only on request');
    for (; t < T0 + 130_000; t += 100) recorder.addFix(fix(t, 80), null);
    await recorder.stop(true);
    for (; t < T0 + 170_000; t += 100) recorder.addFix(fix(t, 0), null);
    for (; t < T0 + 180_000; t += 100) recorder.addFix(fix(t, 80), null);
    await settle();
    assert.equal(store.unfinished().length, 1, 'after a stop of stopS, motion starts sessions again');
    assert.equal(store.list().length, 3);
  } finally {
    await recorder.shutdown();
    await dir.cleanup();
  }
});

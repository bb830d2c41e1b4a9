import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { apiError, decodeSession, liveLap, liveTiming, sessionLaps, sessionMeta, SESSION_SHA256_HEADER, type SessionMeta } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial, type OperatorCreds, type Res } from '../../helpers/https-client.js';
import { openLive, type LiveStream } from '../../helpers/live-stream.js';
import { getBytes, listSessions, waitForSession } from '../../helpers/sessions.js';

let unit: SimUnit;
let data: { dir: string; cleanup: () => Promise<void> };
let base: string;
let owner: OperatorCreds;
let support: OperatorCreds;
let live: LiveStream;
let closed: SessionMeta;
let file: Buffer;

const errorCode = (res: Res) => apiError.parse(JSON.parse(res.body)).error.code;
const EVERLAND = 'amg-everland-speedway-everland';

before(async () => {
  data = await tempDir('sessions-api');
  unit = await startSimUnit({ dataDir: data.dir, speed: 20 });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  owner = await makeOperator('owner');
  support = await makeOperator('support');
  await pairOverSerial(unit.ready.serialPath, owner, 'owner');
  await pairOverSerial(unit.ready.serialPath, support, 'support');
  live = await openLive(base, owner);
});

after(async () => {
  live?.close();
  await unit?.stop();
  await data?.cleanup();
});

test('a sim unit replaying Everland at 20x records a session by itself; /v1/live carries timing and lap events', async () => {
  const recording = await waitForSession(base, owner, (m) => m.state === 'recording', 10_000, 'recording');
  assert.equal(recording.sha256, null);
  assert.equal(recording.track?.id, EVERLAND);
  await live.until((ev) => ev.some((e) => e.event === 'lap'), 30_000, 'a lap event');
  const timing = live.events.filter((e) => e.event === 'timing').map((e) => liveTiming.parse(JSON.parse(e.data)));
  const laps = live.events.filter((e) => e.event === 'lap').map((e) => liveLap.parse(JSON.parse(e.data)));
  assert.ok(timing.length >= 5, `timing events: ${timing.length}`);
  assert.ok(timing.every((t) => t.trackId === EVERLAND && t.trackName === 'AMG Everland Speedway'), 'timing names the layout by id and by name');
  assert.ok(timing.some((t) => t.lap >= 1 && t.elapsedMs !== null && t.sessionId === recording.id));
  assert.ok(live.events.some((e) => e.event === 'fix'), 'fix events still flow');
  const first = laps[0]!;
  assert.equal(first.sessionId, recording.id);
  assert.ok(first.timeMs > 130_000 && first.timeMs < 150_000, `lap ${first.timeMs} ms`);
  // A timing event after the first lap compares with it by distance.
  await live.until((ev) => ev.some((e) => e.event === 'timing' && JSON.parse(e.data).deltaMs !== null), 10_000, 'a delta');
  const withDelta = live.events.filter((e) => e.event === 'timing').map((e) => liveTiming.parse(JSON.parse(e.data))).find((t) => t.deltaMs !== null)!;
  assert.equal(withDelta.bestLapMs, first.timeMs);
  assert.ok(Math.abs(withDelta.predictedLapMs! - (first.timeMs + withDelta.deltaMs!)) < 1e-6);
});

test('stop on request: the session closes with its track, laps, best lap and whole-file sha256', async () => {
  const listed = await listSessions(base, owner);
  const rec = listed.find((m) => m.state === 'recording')!;
  assert.ok(rec.laps >= 1, JSON.stringify(rec));
  const refused = await https(base, 'POST', '/v1/sessions/stop', { client: support });
  assert.equal(refused.status, 403, 'a support (read-only) operator may not stop');
  const res = await https(base, 'POST', '/v1/sessions/stop', { client: owner });
  assert.equal(res.status, 200, res.body);
  closed = sessionMeta.parse(JSON.parse(res.body));
  assert.equal(closed.id, rec.id);
  assert.equal(closed.state, 'closed');
  assert.match(String(closed.sha256), /^[0-9a-f]{64}$/);
  assert.deepEqual(closed.track, { id: EVERLAND, name: 'AMG Everland Speedway' });
  assert.ok(closed.laps >= 1 && closed.bestLapMs! > 130_000, JSON.stringify(closed));
  assert.equal(errorCode(await https(base, 'POST', '/v1/sessions/stop', { client: owner })), 'not-recording');
  // A manual stop holds off the automatic start while the car keeps moving.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await listSessions(base, owner)).filter((m) => m.state === 'recording').length, 0);
});

test('download: whole file with checksum headers; ranges concatenate to the whole; 416 on bad ranges', async () => {
  const path = `/v1/sessions/${closed.id}`;
  const whole = await getBytes(base, path, support);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers['accept-ranges'], 'bytes');
  assert.equal(whole.headers.etag, `"${closed.sha256}"`);
  assert.equal(whole.headers[SESSION_SHA256_HEADER], closed.sha256);
  assert.equal(whole.body.length, closed.sizeB);
  assert.equal(createHash('sha256').update(whole.body).digest('hex'), closed.sha256);
  file = whole.body;
  const session = decodeSession(new Uint8Array(file));
  assert.equal(session.header.trackId, EVERLAND);
  assert.equal(session.stats.corruptChunks.length, 0);
  assert.ok(session.summary && session.summary.laps === closed.laps);
  assert.equal(sessionLaps(session.events).length, closed.laps, 'the laps: the lap events, or a track decision carrying them');
  assert.equal(session.header.imu?.chip, 'LSM6DSOX');
  // IMU at its full rate: about 10 samples per 10 Hz fix.
  const spanS = (session.fixes.at(-1)!.t - session.fixes[0]!.t) / 1000;
  assert.ok(session.imu.length / spanS > 95 && session.imu.length / spanS < 105, `IMU ${session.imu.length} samples in ${spanS} s`);

  const size = file.length;
  const cuts = [0, 1, 100, 4096, Math.floor(size / 3), size - 7, size];
  const parts: Buffer[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const r = await getBytes(base, path, owner, { range: `bytes=${cuts[i]}-${cuts[i + 1]! - 1}` });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], `bytes ${cuts[i]}-${cuts[i + 1]! - 1}/${size}`);
    parts.push(r.body);
  }
  assert.ok(Buffer.concat(parts).equals(file), 'ranges concatenate to the whole file');
  const open = await getBytes(base, path, owner, { range: `bytes=${size - 10}-` });
  assert.ok(open.status === 206 && open.body.equals(file.subarray(size - 10)));
  const suffix = await getBytes(base, path, owner, { range: 'bytes=-5' });
  assert.ok(suffix.status === 206 && suffix.body.equals(file.subarray(size - 5)));
  for (const bad of [`bytes=${size}-`, `bytes=${size + 100}-${size + 200}`, 'bytes=-0', 'bytes=5-1', 'bytes=0-1,4-5', 'lines=0-1', 'bytes=abc']) {
    const r = await getBytes(base, path, owner, { range: bad });
    assert.equal(r.status, 416, bad);
    assert.equal(r.headers['content-range'], `bytes */${size}`);
  }
  const head = await https(base, 'HEAD', path, { client: owner });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(size));
  assert.equal(head.headers[SESSION_SHA256_HEADER], closed.sha256);
  assert.equal(head.body, '');
  const stale = await getBytes(base, path, owner, { range: 'bytes=0-9', 'if-range': '"0000"' });
  assert.equal(stale.status, 200, 'If-Range with another ETag gets the whole file');
});

test('confirm needs the right sha256; delete is refused before confirm and accepted after', async () => {
  const path = `/v1/sessions/${closed.id}`;
  const early = await https(base, 'DELETE', path, { client: owner });
  assert.equal(early.status, 409);
  assert.equal(errorCode(early), 'not-confirmed');
  const wrong = await https(base, 'POST', `${path}/confirm`, { client: owner, body: { sha256: 'a'.repeat(64) } });
  assert.equal(wrong.status, 409);
  assert.equal(errorCode(wrong), 'sha256-mismatch');
  assert.equal((await https(base, 'POST', `${path}/confirm`, { client: owner, body: { sha256: 'xyz' } })).status, 400);
  assert.equal((await https(base, 'POST', `${path}/confirm`, { client: support, body: { sha256: closed.sha256 } })).status, 403);
  assert.equal((await https(base, 'DELETE', path, { client: owner })).status, 409, 'still unconfirmed');
  const ok = await https(base, 'POST', `${path}/confirm`, { client: owner, body: { sha256: closed.sha256 } });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(sessionMeta.parse(JSON.parse(ok.body)).confirmed, true);
  assert.equal((await https(base, 'DELETE', path, { client: support })).status, 403);
  assert.equal((await https(base, 'DELETE', path, { client: owner })).status, 204);
  assert.equal((await https(base, 'GET', path, { client: owner })).status, 404);
  assert.ok(!(await listSessions(base, owner)).some((m) => m.id === closed.id));
});

test('start on request: a recording session can be listed and fetched as its durable prefix', async () => {
  const res = await https(base, 'POST', '/v1/sessions/start', { client: owner });
  assert.equal(res.status, 201, res.body);
  const meta = sessionMeta.parse(JSON.parse(res.body));
  assert.equal(meta.state, 'recording');
  assert.equal(errorCode(await https(base, 'POST', '/v1/sessions/start', { client: owner })), 'already-recording');
  await new Promise((r) => setTimeout(r, 500));
  const now = (await listSessions(base, owner)).find((m) => m.id === meta.id)!;
  const prefix = await getBytes(base, `/v1/sessions/${meta.id}`, owner);
  assert.equal(prefix.status, 200);
  assert.equal(prefix.headers[SESSION_SHA256_HEADER], undefined);
  assert.ok(prefix.body.length >= now.sizeB);
  assert.ok(decodeSession(new Uint8Array(prefix.body)).fixes.length > 0);
  assert.equal(errorCode(await https(base, 'DELETE', `/v1/sessions/${meta.id}`, { client: owner })), 'recording');
  assert.equal((await https(base, 'POST', '/v1/sessions/stop', { client: owner })).status, 200);
});

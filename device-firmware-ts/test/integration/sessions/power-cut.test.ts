import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSession, liveFix, type SessionData, type SessionMeta } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { tempDir } from '../../helpers/paths.js';
import { makeOperator, pairOverSerial, type OperatorCreds } from '../../helpers/https-client.js';
import { openLive } from '../../helpers/live-stream.js';
import { listSessions, waitForSession } from '../../helpers/sessions.js';

// The loss horizon is in receiver time: the writer's 400 ms plus the fsync latency times the
// replay speed, so the cut is measured near real time (a loaded disk at 10x would add seconds).
const SPEED = 2;
let unit: SimUnit | undefined;
let data: { dir: string; cleanup: () => Promise<void> };
let owner: OperatorCreds;
let base: string;
let sessionId: string;
let beforeKill: SessionData;

const readSession = async (id: string) => decodeSession(new Uint8Array(await readFile(join(data.dir, 'sessions', `${id}.pws`))));

async function boot(extraArgs: string[] = []): Promise<void> {
  unit = await startSimUnit({ dataDir: data.dir, speed: SPEED, extraArgs });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
}

async function powerCut(): Promise<void> {
  const exited = once(unit!.process, 'exit');
  unit!.process.kill('SIGKILL');
  await exited;
  unit = undefined;
}

before(async () => {
  data = await tempDir('sessions-cut');
  owner = await makeOperator('owner');
  await boot();
  await pairOverSerial(unit!.ready.serialPath, owner, 'owner');
});

after(async () => {
  await unit?.stop();
  await data?.cleanup();
});

test('SIGKILL while recording loses at most 1 s of fixes; the file stays readable', async () => {
  const rec = await waitForSession(base, owner, (m) => m.state === 'recording' && m.durationS > 8, 20_000, 'recording for 8 s');
  sessionId = rec.id;
  const live = await openLive(base, owner);
  await live.until((ev) => ev.filter((e) => e.event === 'fix').length > 20, 5000, 'fixes');
  await powerCut();
  live.close();
  // Every fix the unit had sent out before it died: it had at least these.
  const lastLive = Math.max(...live.events.filter((e) => e.event === 'fix').map((e) => Date.parse(liveFix.parse(JSON.parse(e.data)).time)));
  beforeKill = await readSession(sessionId);
  assert.equal(beforeKill.stats.corruptChunks.length, 0);
  assert.equal(beforeKill.summary, null);
  const lastInFile = beforeKill.fixes.at(-1)!.t;
  const lostMs = lastLive - lastInFile;
  process.stdout.write(`# power cut at x${SPEED}: last fix on /v1/live ${new Date(lastLive).toISOString()}, last in file ${new Date(lastInFile).toISOString()}: ${lostMs.toFixed(0)} ms lost, ${beforeKill.stats.tornBytes} torn bytes\n`);
  assert.ok(lostMs <= 1000, `${lostMs} ms of fixes lost`);
  assert.ok(beforeKill.imu.length > 0 && beforeKill.imu.at(-1)!.t > lastLive - 1000, 'IMU samples up to the last second too');
});

test('after the restart, recording resumes in the same file (still moving)', async () => {
  await boot();
  const resumed = await waitForSession(base, owner, (m) => m.id === sessionId && m.state === 'recording' && m.sizeB > beforeKill.stats.goodLength + 10_000, 15_000, 'resumed and growing');
  const all = await listSessions(base, owner);
  assert.deepEqual(all.map((m) => m.id), [sessionId], 'no second session');
  assert.equal(resumed.track?.id, 'amg-everland-speedway-everland');
  const after = await readSession(sessionId);
  assert.equal(after.stats.corruptChunks.length, 0);
  assert.deepEqual(after.stats.missingSeqs, []);
  const lastBefore = beforeKill.fixes.at(-1)!.t;
  const firstAfter = after.fixes.find((f) => f.t > lastBefore)!;
  assert.ok(firstAfter, 'fixes after the resume');
  // The fixes up to the cut are all still there, in order, followed by the new ones.
  assert.deepEqual(after.fixes.slice(0, beforeKill.fixes.length), beforeKill.fixes);
  for (let i = 1; i < after.fixes.length; i++) assert.ok(after.fixes[i]!.t > after.fixes[i - 1]!.t, 'fix times increase');
  process.stdout.write(`# resumed: gap ${((firstAfter.t - lastBefore) / 1000).toFixed(1)} s of receiver time (the unit was off; the replay kept going)\n`);
});

test('a session left open by a cut is closed properly when the unit is not moving at the restart', async () => {
  await powerCut();
  // Moving now means 400 km/h or more: the restarted unit counts as stopped.
  await boot(['--session-start-kmh', '400']);
  const closed: SessionMeta = await waitForSession(base, owner, (m) => m.id === sessionId && m.state === 'closed', 20_000, 'closed');
  assert.match(String(closed.sha256), /^[0-9a-f]{64}$/);
  const file = await readSession(sessionId);
  assert.ok(file.summary, 'summary chunk written');
  assert.equal(file.summary.fixes, file.fixes.length);
  assert.equal(file.stats.corruptChunks.length, 0);
  assert.equal(closed.laps, file.events.filter((e) => e.type === 'lap').length);
  assert.equal((await listSessions(base, owner)).length, 1);
});

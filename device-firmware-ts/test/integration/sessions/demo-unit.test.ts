import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { tempDir } from '../../helpers/paths.js';
import { makeOperator, pairOverSerial, type OperatorCreds } from '../../helpers/https-client.js';
import { listSessions, waitForSession } from '../../helpers/sessions.js';

/**
 * A demo unit (the flags scripts/demo.ts gives): it boots with earlier track days already
 * recorded, and each pass of its replay ends in a pit stop, so its session closes by itself
 * and the next pass records a new one.
 */
let unit: SimUnit;
let data: { dir: string; cleanup: () => Promise<void> };
let base: string;
let owner: OperatorCreds;

before(async () => {
  data = await tempDir('demo-unit');
  // Everland at 40x: a pass (424 s) plus the stop takes about 12 s.
  unit = await startSimUnit({ dataDir: data.dir, speed: 40, extraArgs: ['--track-days', '2', '--pit-stop', '45'] }, 90_000);
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  owner = await makeOperator('owner');
  await pairOverSerial(unit.ready.serialPath, owner, 'owner');
});

after(async () => {
  await unit?.stop();
  await data?.cleanup();
});

test('a demo unit boots with closed earlier sessions; its replay ends in the pits, closing the session, and the next pass starts another', { timeout: 120_000 }, async () => {
  const first = await listSessions(base, owner);
  const earlier = first.filter((m) => m.state === 'closed');
  assert.equal(earlier.length, 2, JSON.stringify(first));
  assert.deepEqual(earlier.map((m) => m.start.slice(0, 10)), ['2024-05-04', '2024-05-11'], 'a week apart, before the replayed day (2024-05-18)');
  const live = await waitForSession(base, owner, (m) => m.state === 'recording' && m.start.startsWith('2024-05-18'), 20_000, 'recording the replay');
  const closed = await waitForSession(base, owner, (m) => m.id === live.id && m.state === 'closed', 60_000, 'closed by the pit stop');
  assert.ok(closed.laps >= 2, `${closed.laps} laps`);
  const next = await waitForSession(base, owner, (m) => m.state === 'recording' && m.start > closed.start, 30_000, 'the next pass');
  assert.notEqual(next.id, closed.id);
});

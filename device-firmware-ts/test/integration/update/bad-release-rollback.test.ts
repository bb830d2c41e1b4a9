import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UpdateStatus } from '@pitwall/protocol';
import { Routes, updateStatus } from '@pitwall/protocol';
import { tempDir } from '../../helpers/paths.js';
import { bootMachine, factoryInstall, http, isRuntimeReady, makeRelease, pushUpdate, type Behavior } from '../../helpers/slot-releases.js';

const TRIAL_S = 0.6;

async function statusOf(port: number): Promise<UpdateStatus> {
  return updateStatus.parse(JSON.parse((await http('GET', port, Routes.update.path)).body));
}

/**
 * A unit on release 1.0.0 (slot A) takes an update to 2.0.0 that behaves as `behavior`,
 * under the launcher and the testbed's boot machine; returns the events and the final status.
 */
async function updateTo(behavior: Behavior) {
  const { dir, cleanup } = await tempDir(`slots-${behavior}`);
  const machine = bootMachine(dir, { trialS: TRIAL_S, watchdogS: 0.5 });
  try {
    await factoryInstall(dir, await makeRelease(dir, '1.0.0', 'good'), '1.0.0');
    const next = await makeRelease(dir, '2.0.0', behavior);
    machine.start();
    const first = await machine.waitFor(isRuntimeReady('A'), 20_000);
    await pushUpdate(first.apiPort as number, next, '2.0.0');
    const mark = machine.events.length;
    const end = await machine.waitFor((e) => e.launcher === 'committed' || e.launcher === 'rolled-back', 60_000, mark);
    // Committed: the runtime on trial keeps running; rolled back: the old slot boots again.
    const back = end.launcher === 'committed' ? machine.events.filter(isRuntimeReady(end.slot as string)).at(-1)! : await machine.waitFor(isRuntimeReady(), 20_000, machine.events.indexOf(end));
    const status = await statusOf(back.apiPort as number);
    const trials = machine.events.slice(mark).filter((e) => e.launcher === 'boot' && e.trial === true);
    return { end, back, status, trials, events: machine.events.slice(mark) };
  } finally {
    await machine.stop();
    await cleanup();
  }
}

test('a good release is tried, passes its health gate and is committed; the API reports it', async () => {
  const r = await updateTo('good');
  assert.equal(r.end.launcher, 'committed');
  assert.equal(r.back.slot, 'B');
  assert.equal(r.trials.length, 1);
  assert.deepEqual(
    r.events.filter((e) => e.runtime === 'state').map((e) => e.state),
    ['downloading', 'verifying', 'installing', 'rebooting'],
    'every state of the agent entered, in order',
  );
  assert.equal(r.status.operation, 'committed');
  assert.equal(r.status.active, 'B');
  assert.equal(r.status.lastGood, 'B');
  assert.equal(r.status.booted, 'B');
  assert.deepEqual(r.status.slots, { A: { version: '1.0.0', status: 'good' }, B: { version: '2.0.0', status: 'good' } });
});

for (const [behavior, why] of [
  ['crash', /exited with code 1/],
  ['hang', /hung: no watchdog beat/],
  ['no-gnss', /health gate: no GNSS fix/],
] as const) {
  test(`a release that ${behavior === 'crash' ? 'crashes at start' : behavior === 'hang' ? 'hangs (watchdog)' : 'never gets a GNSS fix'} is rolled back within the boot attempts, and the API says why`, async () => {
    const r = await updateTo(behavior);
    assert.equal(r.end.launcher, 'rolled-back', JSON.stringify(r.events));
    assert.ok(r.trials.length >= 1 && r.trials.length <= 3, `${r.trials.length} trial boots`);
    // A failed health gate is final at once; a crash or a hang gets all three attempts.
    assert.equal(r.trials.length, behavior === 'no-gnss' ? 1 : 3);
    assert.equal(r.back.slot, 'A');
    assert.equal(r.back.version, '1.0.0');
    assert.equal(r.status.operation, 'rolled-back');
    assert.match(r.status.lastError ?? '', why);
    assert.equal(r.status.active, 'A');
    assert.equal(r.status.tried, null);
    assert.deepEqual(r.status.slots.B, { version: '2.0.0', status: 'bad' });
    assert.match(r.status.bootFailures.at(-1) ?? '', why);
  });
}

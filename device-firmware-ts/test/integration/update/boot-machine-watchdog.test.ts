import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../../helpers/paths.js';
import { bootMachine, factoryInstall, isRuntimeReady, makeRelease } from '../../helpers/slot-releases.js';

test('a launcher that stops relaying the watchdog is killed with its runtime and restarted by the machine (WatchdogSec)', async () => {
  const { dir, cleanup } = await tempDir('boot-watchdog');
  const machine = bootMachine(dir, { trialS: 0.5, watchdogS: 1, machineWatchdogS: 2 });
  try {
    await factoryInstall(dir, await makeRelease(dir, '1.0.0', 'good'), '1.0.0');
    machine.start();
    const first = await machine.waitFor(isRuntimeReady('A'), 20_000);
    const frozen = machine.pid!;
    // A stuck launcher: it relays nothing more.
    process.kill(frozen, 'SIGSTOP');
    const mark = machine.events.indexOf(first) + 1;
    await machine.waitFor((e) => e.machine === 'watchdog-reset', 15_000, mark);
    const again = await machine.waitFor(isRuntimeReady('A'), 20_000, mark);
    assert.notEqual(again.apiPort, first.apiPort, 'a new runtime answers');
    assert.notEqual(machine.pid, frozen, 'a new launcher runs');
    assert.throws(() => process.kill(frozen, 0), /ESRCH/, 'the stuck launcher is gone');
    assert.equal(machine.resets, 1);
  } finally {
    await machine.stop();
    await cleanup();
  }
});

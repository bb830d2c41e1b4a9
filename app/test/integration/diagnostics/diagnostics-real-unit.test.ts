import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CrashKind } from '@pitwall/protocol';
import { createCompanion, type Companion } from '../../../src/companion.js';
import { simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { DEVICE_CLI, startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { writeSyntheticNmea } from '../../helpers/synthetic-nmea.js';
import { killStrays, pairOverUsb, scratchDir, waitFor } from '../../helpers/units.js';
import { existsSync } from 'node:fs';

/**
 * Against a real simulated unit (the device runtime): pair over USB, pull its logs and
 * health, then inject a crash, a hang and an out-of-memory; after each the unit restarts and
 * the companion collects the dump.
 */
const scratch = scratchDir('diag-real');
const unitDir = join(scratch.dir, 'Real-Diag');
const recording = writeSyntheticNmea(join(scratch.dir, 'real.nmea'), 600);
let unit: SimUnit;
let companion: Companion;

function start(hangS = 2): Promise<SimUnit> {
  // A small heap so the injected out-of-memory comes quickly; a short hang watchdog (a long one
  // for the out-of-memory, whose garbage-collection spiral would otherwise be caught as a hang).
  return startSimUnit({ dataDir: unitDir, name: 'Real-Diag', recording, extraArgs: ['--hang-timeout', String(hangS), '--health-interval', '1'], env: { NODE_OPTIONS: '--max-old-space-size=96' } }, 30_000);
}

before(async () => {
  assert.ok(existsSync(DEVICE_CLI), 'device runtime built');
  unit = await start();
  companion = createCompanion({ dataDir: join(scratch.dir, 'companion'), mdns: false, serialPaths: [unit.ready.serialPath], listPorts: async () => [], hotplug: false, pollIntervalMs: 300, events: () => undefined });
  await pairOverUsb(companion, unit, 'owner');
});
after(async () => {
  await companion?.close();
  await unit?.stop('SIGTERM');
  killStrays(scratch.dir);
  scratch.cleanup();
});

async function pull() {
  await waitFor('unit online', async () => {
    await companion.refresh();
    return companion.list().some((e) => e.id === unit.ready.id && e.online && e.pairing.state === 'paired');
  }, 15_000, 200);
  const [r] = await companion.handlers['sync:diagnostics']({ ids: [unit.ready.id] });
  assert.ok(r?.ok, r?.error ?? 'no result');
  return r;
}

test('logs and health of a real unit are pulled and confirmed; a second pull is incremental', async () => {
  await new Promise((r) => setTimeout(r, 1500));
  const first = await pull();
  assert.ok(first.logs > 5, `boot records pulled: ${first.logs}`);
  assert.deepEqual(first.gaps, [], 'no gaps in a fresh unit');
  const page = await companion.handlers['logs:query']({ unitId: unit.ready.id, subsystem: 'boot', limit: 50 });
  assert.ok(page.rows.length > 0, 'boot stage records');
  const second = await pull();
  assert.ok(second.logs < first.logs, `incremental: ${second.logs} new after ${first.logs}`);
});

for (const [what, kinds] of [
  ['crash', ['uncaught-exception']],
  ['hang', ['hang']],
  ['oom', ['out-of-memory', 'fatal-error', 'signal']],
] as [string, CrashKind[]][]) {
  test(`injected ${what}: the unit writes a dump and the companion collects it`, { timeout: 90_000 }, async () => {
    if (what === 'oom') {
      await unit.stop('SIGTERM');
      unit = await start(60);
      await companion.handlers['devices:add-address']({ address: `127.0.0.1:${unit.ready.apiPort}` });
    }
    const before = await companion.handlers['crashes:list']({ id: unit.ready.id });
    const exited = once(unit.process, 'exit');
    assert.equal(await simGpioCommand(unitDir, `inject ${what}`), 'ok');
    await Promise.race([exited, new Promise((_, rej) => setTimeout(() => rej(new Error(`unit did not stop after inject ${what}: ${unit.output.join('').slice(-2000)}`)), 60_000))]);
    unit = await start(what === 'oom' ? 60 : 2);
    await companion.handlers['devices:add-address']({ address: `127.0.0.1:${unit.ready.apiPort}` });
    const r = await pull();
    assert.ok(r.crashes >= 1, `a dump collected after ${what}: ${JSON.stringify(r)}`);
    const list = await companion.handlers['crashes:list']({ id: unit.ready.id });
    assert.equal(list.length, before.length + r.crashes);
    const fresh = list.filter((c) => !before.some((b) => b.crashId === c.crashId));
    const newest = fresh.find((c) => kinds.includes(c.kind));
    assert.ok(newest, `${what} -> ${fresh.map((c) => c.kind).join(', ')}`);
    const detail = await companion.handlers['crashes:get']({ unitId: unit.ready.id, crashId: newest.crashId });
    assert.ok(detail.lastLogs.length > 0, 'log records before the crash');
    if (what === 'hang') assert.match(detail.stack ?? '', /\n {4}at blockEventLoop \(/, 'the hang dump names where the main thread was stuck');
    const again = await pull();
    assert.equal(again.crashes, 0, 'confirmed dumps are not pulled twice');
  });
}

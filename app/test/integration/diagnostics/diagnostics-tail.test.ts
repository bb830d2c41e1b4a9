import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EventName, LogRow, LogTailEvent } from '@pitwall/protocol';
import { createCompanion, type Companion } from '../../../src/companion.js';
import { simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { DEVICE_CLI, startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { writeSyntheticNmea } from '../../helpers/synthetic-nmea.js';
import { killStrays, pairOverUsb, scratchDir, waitFor } from '../../helpers/units.js';

/**
 * The live tail of one unit (`logs:tail`) against a real simulated unit: records the unit
 * writes after the tail started arrive as `logs:tail` events, each once, in order; after the
 * tail is stopped nothing more arrives.
 */
const scratch = scratchDir('diag-tail');
const unitDir = join(scratch.dir, 'Tail-Unit');
const recording = writeSyntheticNmea(join(scratch.dir, 'tail.nmea'), 600);
const tails: { at: number; payload: LogTailEvent }[] = [];
let unit: SimUnit;
let companion: Companion;

const tailed = (): LogRow[] => tails.flatMap((t) => t.payload.rows);

before(async () => {
  assert.ok(existsSync(DEVICE_CLI), 'device runtime built');
  unit = await startSimUnit({ dataDir: unitDir, name: 'Tail-Unit', recording }, 30_000);
  companion = createCompanion({
    dataDir: join(scratch.dir, 'companion'),
    mdns: false,
    serialPaths: [unit.ready.serialPath],
    listPorts: async () => [],
    hotplug: false,
    pollIntervalMs: 300,
    events: (event: EventName, payload: unknown) => {
      if (event === 'logs:tail') tails.push({ at: Date.now(), payload: payload as LogTailEvent });
    },
  });
  await pairOverUsb(companion, unit, 'owner');
});

after(async () => {
  await companion?.close();
  await unit?.stop('SIGTERM');
  killStrays(scratch.dir);
  scratch.cleanup();
});

test('records the unit writes while the tail runs arrive once each, in order; none after it stops', async () => {
  await companion.handlers['logs:tail']({ id: unit.ready.id, on: true });
  // The first round brings the boot's records so far.
  await waitFor('the boot records', () => tailed().some((r) => /^boot done in \d+ ms$/.test(r.msg)), 15_000, 100);

  // Something the unit writes now: low disk (faked on the sim) is logged at warn, and again when it clears.
  const bytes = 4_242_424;
  assert.equal(await simGpioCommand(unitDir, `disk-free ${bytes}`), 'ok');
  const low = await waitFor('the low-disk record in the tail', () => tailed().find((r) => r.msg.startsWith(`data partition free space ${bytes} B under`)), 10_000, 100);
  assert.equal(low.unitId, unit.ready.id);
  assert.equal(low.unitName, 'Tail-Unit');
  assert.equal(low.level, 'warn');
  assert.equal(low.subsystem, 'health');
  assert.equal(await simGpioCommand(unitDir, 'disk-free real'), 'ok');
  const back = await waitFor('the recovery record in the tail', () => tailed().find((r) => /free space \d+ B back over/.test(r.msg)), 10_000, 100);
  assert.ok(back.seq > low.seq);

  const rows = tailed();
  assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'each row once');
  const ofBoot = rows.filter((r) => r.boot === low.boot).map((r) => r.seq);
  assert.deepEqual(ofBoot, [...ofBoot].sort((a, b) => a - b), 'in seq order');
  assert.deepEqual(ofBoot, ofBoot.map((_, i) => ofBoot[0]! + i), 'no record of the boot skipped');

  await companion.handlers['logs:tail']({ id: unit.ready.id, on: false });
  await new Promise((r) => setTimeout(r, 1500));
  const stoppedAt = Date.now();
  assert.equal(await simGpioCommand(unitDir, 'disk-free 1000'), 'ok');
  await new Promise((r) => setTimeout(r, 2500));
  assert.deepEqual(tails.filter((t) => t.at >= stoppedAt).map((t) => t.payload.rows.length), [], 'nothing after the tail stopped');
});

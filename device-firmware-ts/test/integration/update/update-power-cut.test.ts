import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BootRecord } from '@pitwall/protocol';
import { decodeBootRecord } from '../../../src/update/boot-record-codec.js';
import { BootRecordStore, RECORD_COPIES } from '../../../src/update/boot-record-store.js';
import { bootDir } from '../../../src/update/slot-layout.js';
import { isTerminal } from '../../../src/update/update-state-table.js';
import { silentLogger } from '../../../src/ops/logger.js';
import type { BootEvent, BootMachine } from '../../../../testbed/boot-machine.js';
import { tempDir } from '../../helpers/paths.js';
import { pick, prng } from '../../helpers/prng.js';
import { bootMachine, factoryInstall, isRuntimeReady, makeRelease, pushUpdate } from '../../helpers/slot-releases.js';

const RUNS = 200;
const UNITS = 4;
const SEED = 2013;
const TRIAL_S = 0.2;

/** Where in an update a cut is aimed: the event that opens the phase, and how far into it to cut. */
const PHASES: Array<{ name: string; opens: (e: BootEvent, target: string) => boolean; maxDelayMs: number }> = [
  { name: 'download', opens: (e) => e.runtime === 'state' && e.state === 'downloading', maxDelayMs: 8 },
  { name: 'verify', opens: (e) => e.runtime === 'state' && e.state === 'verifying', maxDelayMs: 8 },
  { name: 'write', opens: (e) => e.runtime === 'state' && e.state === 'installing', maxDelayMs: 8 },
  { name: 'record update', opens: (e) => e.runtime === 'state' && e.state === 'rebooting', maxDelayMs: 3 },
  { name: 'reboot', opens: (e) => e.launcher === 'runtime-ended', maxDelayMs: 40 },
  { name: 'trial', opens: (e, target) => e.runtime === 'ready' && e.slot === target, maxDelayMs: TRIAL_S * 1000 },
];

/** Both copies on disk, decoded as they are: a torn or corrupt one fails here. */
async function copiesOnDisk(dataDir: string) {
  return Promise.all(RECORD_COPIES.map(async (f) => decodeBootRecord(await readFile(join(bootDir(dataDir), f)).catch(() => null))));
}

/** After a restart: the record settled (nothing on trial, a terminal state) and a runtime up in the active slot. */
async function settle(machine: BootMachine, store: BootRecordStore, from: number): Promise<{ record: BootRecord; port: number }> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const { record } = await store.read();
    const ready = machine.events.slice(from).filter(isRuntimeReady()).at(-1);
    if (record.tried === null && isTerminal(record.update.state) && ready?.slot === record.active) return { record, port: ready.apiPort as number };
    if (performance.now() > deadline) throw new Error(`did not settle: ${JSON.stringify(record)}\n${JSON.stringify(machine.events.slice(from)).slice(-2000)}\n${machine.output.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Tally {
  done: number;
  finished: number;
  retried: number;
  cutIn: Record<string, number>;
}

/** One unit's share of the runs: each an update cut at a point drawn from `rand`, then a restart. */
async function cutUpdates(unit: number, runs: number, tally: Tally, progress: () => void): Promise<void> {
  const { dir, cleanup } = await tempDir(`power-cut-${unit}`);
  const machine = bootMachine(dir, { trialS: TRIAL_S, watchdogS: 2 });
  const store = new BootRecordStore(dir, silentLogger);
  const rand = prng(SEED + unit);
  try {
    await factoryInstall(dir, await makeRelease(dir, '1.0.0', 'good', 16 * 1024), '1.0.0');
    machine.start();
    let { port } = await settle(machine, store, 0);
    for (let run = 0; run < runs; run++) {
      const label = `unit ${unit} run ${run}`;
      const version = `1.${run + 1}.0`;
      const release = await makeRelease(dir, version, 'good', 16 * 1024);
      const target = (await store.read()).record.active === 'A' ? 'B' : 'A';
      const phase = pick(rand, PHASES);
      const delayMs = rand() * phase.maxDelayMs;
      const mark = machine.events.length;
      await pushUpdate(port, release, version);
      await machine.waitFor((e) => phase.opens(e, target), 20_000, mark);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      await machine.powerCut();

      const copies = await copiesOnDisk(dir);
      assert.ok(copies.every((c) => c.ok), `${label}: a torn boot record copy after the cut: ${JSON.stringify(copies)}`);
      const atCut = `${phase.name}/${copies[0]!.ok ? copies[0]!.record.update.state : '?'}`;
      tally.cutIn[atCut] = (tally.cutIn[atCut] ?? 0) + 1;

      const restartMark = machine.events.length;
      machine.restart();
      let settled = await settle(machine, store, restartMark);
      const r = settled.record;
      assert.equal(r.lastGood, r.active, `${label}: booted slot ${r.active} is the last good one`);
      assert.equal(r.slots[r.active].status, 'good', `${label}: booted slot is good`);
      if (r.update.state === 'committed' && r.slots[r.active].version === version) {
        tally.finished++;
      } else {
        // Cut before the point of no return: the update is retried, uncut, and must go through.
        const retryMark = machine.events.length;
        await pushUpdate(settled.port, release, version);
        await machine.waitFor((e) => e.launcher === 'committed', 20_000, retryMark);
        settled = await settle(machine, store, retryMark);
        assert.equal(settled.record.slots[settled.record.active].version, version, `${label}: the retried update committed`);
        tally.retried++;
      }
      port = settled.port;
      tally.done++;
      progress();
    }
  } finally {
    await machine.stop();
    await cleanup();
  }
}

test(`power cuts: ${RUNS} updates each cut (SIGKILL of launcher and runtime) at a seeded random point, then restarted: a good slot boots, the record is whole, the update finished or is retried`, async () => {
  const tally: Tally = { done: 0, finished: 0, retried: 0, cutIn: {} };
  const started = performance.now();
  const progress = () => {
    if (tally.done % 20 === 0) console.log(`power cuts: ${tally.done}/${RUNS} (${tally.finished} finished after the cut, ${tally.retried} retried) in ${Math.round((performance.now() - started) / 1000)} s`);
  };
  // Units side by side, each its own data dir, launcher and seed: most of a run is waiting (fsync, trial).
  await Promise.all(Array.from({ length: UNITS }, (_, u) => cutUpdates(u, RUNS / UNITS, tally, progress)));
  console.log(`power cuts: cut in (aimed phase/record state at the cut): ${JSON.stringify(tally.cutIn)}`);
  assert.equal(tally.finished + tally.retried, RUNS);
});

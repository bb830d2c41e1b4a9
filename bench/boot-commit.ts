// Time from a unit's reboot into a new slot to "committed", the trial period excluded: the
// real runtime (`pitwall-device sim`, built) installed in slot B, pitwall-boot started (the
// reboot), until the launcher's health gate commits it. Baseline, in the same run: the same
// runtime started directly (no launcher, no slot), until its ready line. The ratio is what the
// launcher, the record writes and the health gate's checks add to a plain boot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../device-firmware-ts/src/ops/logger.js';
import { BootRecordStore } from '../device-firmware-ts/src/update/boot-record-store.js';
import { directoryPayload, directoryUpdate, installInto } from '../device-firmware-ts/src/update/slot-installer.js';
import { UpdateAgent } from '../device-firmware-ts/src/update/update-state-runner.js';
import { slotDir } from '../device-firmware-ts/src/update/slot-layout.js';
import { BootMachine } from '../testbed/boot-machine.js';
import { startSimUnit } from '../testbed/sim-unit.js';
import { realRuntimeRelease } from '../device-firmware-ts/test/helpers/slot-releases.js';

const RUNS = 3;
// Longer than the sim receiver's time to first fix (a few seconds, more on a loaded machine):
// the gate wants fixes arriving.
const TRIAL_S = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function plainBoot(root: string, i: number): Promise<number> {
  const t0 = performance.now();
  const unit = await startSimUnit({ dataDir: join(root, `plain-${i}`), name: 'bench' });
  const ms = performance.now() - t0;
  await unit.stop();
  return ms;
}

export async function runBootCommitBench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'pitwall-boot-commit-'));
  const dataDir = join(root, 'unit');
  const runtimeArgs = ['sim', '--data-dir', dataDir, '--api-port', '0', '--no-mdns', '--host', '127.0.0.1', '--name', 'bench'];
  const machine = new BootMachine({ dataDir, runtimeArgs, trialS: TRIAL_S, watchdogS: 10, startTimeoutS: 60 });
  try {
    await installInto(slotDir(dataDir, 'A'), await directoryPayload(await realRuntimeRelease(root, '1.0.0'), { version: '1.0.0', entry: 'runtime.mjs' }));
    const plain: number[] = [];
    const commit: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      plain.push(await plainBoot(root, i));
      // The update, done beside the stopped unit: install into the other slot and record it.
      const version = `1.${i + 1}.0`;
      const store = new BootRecordStore(dataDir, silentLogger);
      const agent = new UpdateAgent({ store, log: silentLogger, booted: null, reboot: () => {} });
      await agent.run(directoryUpdate(await realRuntimeRelease(root, version), { version, entry: 'runtime.mjs' }));
      // The reboot: the launcher starts from nothing, as at power-on.
      const mark = machine.events.length;
      const t0 = performance.now();
      machine.start();
      await machine.waitFor((e) => e.launcher === 'committed', 120_000, mark);
      commit.push(performance.now() - t0 - TRIAL_S * 1000);
      await machine.stop();
    }
    const p = median(plain);
    const c = median(commit);
    console.log(`plain boot of the runtime to ready (median of ${RUNS}): ${p.toFixed(0)} ms`);
    console.log(`reboot into a new slot to committed, ${TRIAL_S} s trial excluded (median of ${RUNS}): ${c.toFixed(0)} ms`);
    console.log(`ratio (committed / plain boot): ${(c / p).toFixed(2)}x`);
  } finally {
    await machine.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

// Start-up of the unit runtime to its ready line: the single executable (scripts/build-sea.mjs,
// V8 code cache) and `node device-firmware-ts/dist/cli.js sim`, against `node -e 0` (the
// floor: starting Node at all) in the same run. Each variant boots once unmeasured on its data
// dir (first boot makes the identity; page cache), then RUNS times measured. Resident memory
// while recording: `npm run bench -- memory`.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReadyProcess } from '../testbed/ready-process.js';
import { DEVICE_CLI } from '../testbed/sim-unit.js';
import { buildSeaOnce } from '../device-firmware-ts/test/helpers/sea-build.js';

const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

function simArgv(cmd: string[], dataDir: string, extra: string[] = []): string[] {
  return [...cmd, 'sim', '--data-dir', dataDir, '--api-port', '0', '--host', '127.0.0.1', '--no-mdns', ...extra];
}

async function timeToReady(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const unit = await startReadyProcess(argv, { label: argv[0]!, env: { NODE_OPTIONS: '' } });
  const ms = performance.now() - t0;
  await unit.stop();
  return ms;
}

function timeNodeE0(): number {
  const t0 = performance.now();
  execFileSync(process.execPath, ['-e', '0']);
  return performance.now() - t0;
}

export async function runBootBench(): Promise<void> {
  const sea = await buildSeaOnce();
  console.log(`single executable built in ${sea.buildSeconds.toFixed(1)} s`);
  const root = await mkdtemp(join(tmpdir(), 'pitwall-boot-bench-'));
  try {
    const variants = {
      'node -e 0': () => timeNodeE0(),
      'node dist/cli.js sim': () => timeToReady(simArgv([process.execPath, DEVICE_CLI], join(root, 'node'))),
      'SEA sim': () => timeToReady(simArgv([sea.binary], join(root, 'sea'))),
    };
    const times: Record<string, number[]> = {};
    for (const [name, run] of Object.entries(variants)) {
      await run(); // warm-up, not counted
      times[name] = [];
    }
    // Interleaved, so a burst of load on the shared machine hits every variant alike.
    for (let i = 0; i < RUNS; i++) {
      for (const [name, run] of Object.entries(variants)) times[name]!.push(await run());
    }
    const base = median(times['node -e 0']!);
    for (const [name, xs] of Object.entries(times)) {
      console.log(`${name.padEnd(22)} median ${fmt(median(xs)).padStart(8)}  (${xs.map(fmt).join(', ')})  x${(median(xs) / base).toFixed(1)} node -e 0`);
    }
    const seaVsNode = median(times['SEA sim']!) / median(times['node dist/cli.js sim']!);
    console.log(`SEA / node dist/cli.js to ready: ${seaVsNode.toFixed(2)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(sea.dir, { recursive: true, force: true });
  }
}

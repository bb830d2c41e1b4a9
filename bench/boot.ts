// Start-up of the unit runtime to its ready line: the single executable (scripts/build-sea.mjs,
// V8 code cache) and `node device-firmware-ts/dist/cli.js sim`, against `node -e 0` (the
// floor: starting Node at all) in the same run. Each variant boots once unmeasured on its data
// dir (first boot makes the identity; page cache), then RUNS times measured.
// BOOT_RSS_S=N (default 0 = skip) then runs the SEA for N seconds replaying at 2.5x (~25 Hz
// GNSS epochs) with the 100 Hz IMU and samples its resident memory.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
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

/** Resident MB, total and anonymous (heap etc.; the rest is pages of the binary and libraries). */
function rssMb(pid: number): { total: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { total: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
}

async function sampleRss(binary: string, root: string, seconds: number): Promise<void> {
  const unit = await startReadyProcess(simArgv([binary], join(root, 'rss'), ['--speed', '2.5', '--imu-rate', '100']), { label: 'SEA rss' });
  const pid = unit.process.pid!;
  const samples: { total: number; anon: number }[] = [];
  for (let t = 0; t < seconds; t += 5) {
    await new Promise((r) => setTimeout(r, 5000));
    samples.push(rssMb(pid));
  }
  await unit.stop();
  const mb = (s: { total: number; anon: number }) => `${s.total.toFixed(1)} MB (anon ${s.anon.toFixed(1)})`;
  const peak = samples.reduce((a, b) => (b.total > a.total ? b : a));
  console.log(
    `SEA resident memory over ${seconds} s (2.5x replay ≈ 25 Hz GNSS + 100 Hz IMU): ` +
      `after 5 s ${mb(samples[0]!)}, max ${mb(peak)}, at the end ${mb(samples.at(-1)!)} ` +
      '(a short run, not the 10-minute figure)',
  );
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
    const rssS = Number(process.env.BOOT_RSS_S ?? 0);
    if (rssS > 0) await sampleRss(sea.binary, root, rssS);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(sea.dir, { recursive: true, force: true });
  }
}

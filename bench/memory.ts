// Resident memory of the unit runtime while it records: the sim profile replaying at 2.5x
// (about 25 GNSS epochs/s) with the 100 Hz IMU, for MEMORY_S seconds (default 120; the issue's
// figure is MEMORY_S=600). Variants, all at once in this run: the single executable and
// `node dist/cli.js`, each started as the A/B launcher starts a slot (slotRuntimeCommand: its
// V8 flags), plain `node dist/cli.js` without those flags, and an idle `node` (the floor: pages
// of the node binary that any Node process has). Each runtime boots once unmeasured first on
// its data dir (the first boot makes the identity and its certificate; a unit records on later
// boots). Resident = VmRSS; anon = heaps and buffers; file = pages of the binary and libraries.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { SlotManifest } from '@pitwall/protocol/update';
import { startReadyProcess, type ReadyProcess } from '../testbed/ready-process.js';
import { DEVICE_CLI } from '../testbed/sim-unit.js';
import { buildSeaOnce } from '../device-firmware-ts/test/helpers/sea-build.js';
import { slotRuntimeCommand } from '../device-firmware-ts/src/update/runtime-command.js';

const SAMPLE_S = 10;

interface Rss {
  total: number;
  anon: number;
  file: number;
}

/** Resident MB of a process: total, anonymous, file-backed. */
function rssOf(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { total: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}

const simArgs = (dataDir: string) => ['sim', '--data-dir', dataDir, '--api-port', '0', '--host', '127.0.0.1', '--no-mdns', '--speed', '2.5', '--imu-rate', '100'];

/** The command the launcher would run for a slot holding this entry. */
function asLauncherStarts(entry: string, entryKind: 'node' | 'executable', dataDir: string): { argv: string[]; env: NodeJS.ProcessEnv } {
  const manifest: SlotManifest = { version: 'bench', entry: basename(entry), entryKind, bytes: 0, installedAt: new Date().toISOString() };
  const cmd = slotRuntimeCommand(dirname(entry), manifest, simArgs(dataDir), { NODE_OPTIONS: '' });
  return { argv: [cmd.file, ...cmd.args], env: cmd.env };
}

interface Variant {
  name: string;
  start(): Promise<{ pid: number; stop: () => Promise<unknown> }>;
}

function runtimeVariant(name: string, command: () => { argv: string[]; env: NodeJS.ProcessEnv }): Variant {
  return {
    name,
    async start() {
      const { argv, env } = command();
      const first = await startReadyProcess(argv, { label: `${name} (first boot)`, env });
      await first.stop();
      const unit: ReadyProcess<unknown> = await startReadyProcess(argv, { label: name, env });
      return { pid: unit.process.pid!, stop: () => unit.stop() };
    },
  };
}

const idleNode: Variant = {
  name: 'idle node (floor)',
  async start() {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
    return { pid: child.pid!, stop: async () => child.kill() };
  },
};

const mb = (x: number) => x.toFixed(1).padStart(6);

export async function runMemoryBench(): Promise<void> {
  const seconds = Number(process.env.MEMORY_S ?? 120);
  const sea = await buildSeaOnce();
  const root = await mkdtemp(join(tmpdir(), 'pitwall-memory-bench-'));
  const variants: Variant[] = [
    runtimeVariant('SEA (launcher flags)', () => asLauncherStarts(sea.binary, 'executable', join(root, 'sea'))),
    runtimeVariant('node dist (launcher flags)', () => asLauncherStarts(DEVICE_CLI, 'node', join(root, 'node'))),
    runtimeVariant('node dist (no flags)', () => ({ argv: [process.execPath, DEVICE_CLI, ...simArgs(join(root, 'plain'))], env: { NODE_OPTIONS: '' } })),
    idleNode,
  ];
  console.log(`resident memory over ${seconds} s of recording (2.5x replay ≈ 25 Hz GNSS + 100 Hz IMU), all variants at once; MB total (anon)`);
  const running: { v: Variant; pid: number; stop: () => Promise<unknown>; samples: Rss[] }[] = [];
  try {
    for (const v of variants) running.push({ v, ...(await v.start()), samples: [] });
    console.log(`${'min'.padStart(4)}  ${running.map((r) => r.v.name.padEnd(27)).join('')}`);
    for (let t = SAMPLE_S; t <= seconds; t += SAMPLE_S) {
      await new Promise((r) => setTimeout(r, SAMPLE_S * 1000));
      for (const r of running) r.samples.push(rssOf(r.pid));
      if (t % 60 === 0 || t === seconds) {
        console.log(`${(t / 60).toFixed(1).padStart(4)}  ${running.map((r) => `${mb(r.samples.at(-1)!.total)} (${mb(r.samples.at(-1)!.anon)})`.padEnd(27)).join('')}`);
      }
    }
    const floor = running.at(-1)!.samples.at(-1)!.total;
    for (const r of running) {
      const s = r.samples;
      const last = s.at(-1)!;
      const peak = s.reduce((a, b) => (b.total > a.total ? b : a));
      // Flat or growing: the mean of the last third against the mean of the middle third.
      const third = Math.max(1, Math.floor(s.length / 3));
      const mean = (xs: Rss[]) => xs.reduce((n, x) => n + x.total, 0) / xs.length;
      const drift = mean(s.slice(-third)) - mean(s.slice(third, 2 * third));
      console.log(
        `${r.v.name.padEnd(27)} end ${mb(last.total)} MB (anon ${mb(last.anon)}, file ${mb(last.file)}), peak ${mb(peak.total)}, ` +
          `last third vs middle third ${drift >= 0 ? '+' : ''}${drift.toFixed(1)} MB, x${(last.total / floor).toFixed(2)} idle node`,
      );
    }
    console.log(`duration used: ${seconds} s (MEMORY_S=600 for the 10-minute figure)`);
  } finally {
    for (const r of running) await r.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(sea.dir, { recursive: true, force: true });
  }
}

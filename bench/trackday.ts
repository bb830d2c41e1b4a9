// The end of a track day: 20 sim units, each holding three 30-minute sessions recorded by the
// unit's own recorder, all synced at once by one companion core over ONE shared 50 Mbit/s link
// (every unit in its own namespace on one bridge; the bridge port to the companion's
// namespace is shaped by tbf). Goals: sync time <= 1.2x the total bytes at the link rate,
// every session stored once (SQLite rows checked against the units' own sha256), and the
// companion's main thread never blocked more than 100 ms (event-loop delay max and p99).
// Needs root. The units' data directories live in /dev/shm when it exists: seeding writes
// with fsync after every chunk, as the unit does, and a disk would only slow the seeding.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase } from '@pitwall/app';
import { createSimLan, lanPrefix } from '../testbed/netns.js';
import { addShapedUplink } from '../testbed/shaped-uplink.js';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import type { TrackDaySyncResult } from './trackday-companion.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export interface TrackDayOptions {
  units: number;
  sessionsPerUnit: number;
  sessionS: number;
  linkMbit: number;
  log?: (line: string) => void;
}

export interface TrackDayResult {
  sync: TrackDaySyncResult;
  expected: { unitId: string; sessionId: string; sha256: string; sizeB: number }[];
  /** Rows of the companion's sessions table after the sync. */
  stored: { unit_id: string; session_id: string; sha256: string; size_b: number; complete: number; fixes: number; imu: number }[];
  /** Seconds the sessions' bytes take at the link rate. */
  linkS: number;
  /** Event-loop delay of this (idle, waiting) process meanwhile: what the machine's load alone costs a thread, ms. */
  control: { maxMs: number; p99Ms: number };
}

/** Runs a tsx script (optionally in a namespace) to its end; resolves with its last stdout line. */
export function runScript(script: string, args: string[], netns?: string): Promise<string> {
  // TRACKDAY_CPU_PROF=<dir>: V8 CPU profiles of the companion (main and ingest thread) go there.
  const prof = process.env.TRACKDAY_CPU_PROF && script.includes('companion') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.TRACKDAY_CPU_PROF}`] : [];
  const argv = [process.execPath, ...prof, '--import', 'tsx', join(HERE, script), ...args];
  const child = netns ? spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').at(-1)!) : reject(new Error(`${script} exited ${code}: ${err.slice(-2000)}`))));
  });
}

export async function inBatches<T, R>(items: T[], size: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((x, k) => fn(x, i + k)))));
  return out;
}

export async function runTrackDay(o: TrackDayOptions): Promise<TrackDayResult> {
  const log = o.log ?? (() => undefined);
  const base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'pitwall-trackday-'));
  const companionDir = mkdtempSync(join(tmpdir(), 'pitwall-trackday-companion-'));
  const lan = createSimLan(lanPrefix('trk'));
  const running: SimUnit[] = [];
  try {
    const uplink = addShapedUplink(lan, o.linkMbit);
    try {
      const units = Array.from({ length: o.units }, (_, i) => {
        const net = lan.addUnit();
        const dataDir = join(base, `unit-${i + 1}`);
        mkdirSync(dataDir);
        // The units record nothing of their own during the bench: only the seeded sessions are listed.
        const config = join(base, `unit-${i + 1}.json`);
        writeFileSync(config, JSON.stringify({ sessions: { auto: false } }));
        return { ...net, dataDir, config, name: `Car ${i + 1}` };
      });
      const start = (u: (typeof units)[number]) => startSimUnit({ dataDir: u.dataDir, name: u.name, netns: u.ns, extraArgs: ['--config', u.config] });
      // First boot makes each unit's identity; the sessions are recorded under its id while it is down.
      const ids = await inBatches(units, 4, async (u) => {
        const unit = await start(u);
        await unit.stop();
        return unit.ready.id;
      });
      log(`${o.units} units made; recording ${o.sessionsPerUnit} x ${o.sessionS / 60} min sessions each through the unit's SessionRecorder`);
      const expected = (
        await inBatches(units, 4, async (u, i) => {
          const metas = JSON.parse(await runScript('trackday-seed.ts', [u.dataDir, ids[i]!, String(o.sessionsPerUnit), String(o.sessionS), String(i + 1)])) as { id: string; sha256: string; sizeB: number }[];
          return metas.map((m) => ({ unitId: ids[i]!, sessionId: m.id, sha256: m.sha256, sizeB: m.sizeB }));
        })
      ).flat();
      running.push(...(await inBatches(units, 4, start)));
      const unitsFile = join(base, 'units.json');
      writeFileSync(unitsFile, JSON.stringify(units.map((u, i) => ({ address: `${u.address}:${running[i]!.ready.apiPort}`, dataDir: u.dataDir }))));
      log(`syncing ${expected.length} sessions (${(expected.reduce((a, e) => a + e.sizeB, 0) / 1e6).toFixed(1)} MB) over one ${o.linkMbit} Mbit/s link`);
      const idle = monitorEventLoopDelay({ resolution: 10 });
      idle.enable();
      const sync = JSON.parse(await runScript('trackday-companion.ts', [companionDir, unitsFile], uplink.ns)) as TrackDaySyncResult;
      idle.disable();
      const control = { maxMs: Math.round(idle.max / 1e4) / 100, p99Ms: Math.round(idle.percentile(99) / 1e4) / 100 };
      const db = openDatabase(companionDir);
      const stored = db
        .prepare('SELECT unit_id, session_id, sha256, size_b, complete, fixes, (SELECT coalesce(sum(n), 0) FROM session_imu_blocks WHERE session = s.id) AS imu FROM sessions s ORDER BY unit_id, session_id')
        .all() as TrackDayResult['stored'];
      db.close();
      const linkS = (expected.reduce((a, e) => a + e.sizeB, 0) * 8) / (o.linkMbit * 1e6);
      return { sync, expected, stored, linkS, control };
    } finally {
      await Promise.all(running.map((u) => u.stop()));
      uplink.destroy();
    }
  } finally {
    lan.destroy();
    rmSync(base, { recursive: true, force: true });
    rmSync(companionDir, { recursive: true, force: true });
  }
}

/** Every expected session exactly once, complete, with the unit's sha256 and size. Returns the problems. */
export function storedOnceProblems(r: TrackDayResult): string[] {
  const problems: string[] = [];
  const key = (u: string, s: string) => `${u}/${s}`;
  const rows = new Map<string, TrackDayResult['stored']>();
  for (const row of r.stored) rows.set(key(row.unit_id, row.session_id), [...(rows.get(key(row.unit_id, row.session_id)) ?? []), row]);
  for (const e of r.expected) {
    const got = rows.get(key(e.unitId, e.sessionId)) ?? [];
    if (got.length !== 1) problems.push(`${key(e.unitId, e.sessionId)}: ${got.length} rows`);
    else if (got[0]!.sha256 !== e.sha256 || got[0]!.size_b !== e.sizeB || got[0]!.complete !== 1) problems.push(`${key(e.unitId, e.sessionId)}: stored ${JSON.stringify(got[0])}`);
  }
  if (r.stored.length !== r.expected.length) problems.push(`${r.stored.length} rows for ${r.expected.length} sessions`);
  return problems;
}

export async function runTrackDayBench(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('track day: skipped (needs root for network namespaces)');
    return;
  }
  const r = await runTrackDay({ units: 20, sessionsPerUnit: 3, sessionS: 1800, linkMbit: 50, log: (l) => console.log(l) });
  const s = r.sync;
  const bytes = r.expected.reduce((a, e) => a + e.sizeB, 0);
  const problems = storedOnceProblems(r);
  console.log(`sync ${(s.syncMs / 1000).toFixed(1)} s for ${(bytes / 1e6).toFixed(1)} MB (${((bytes * 8) / s.syncMs / 1000).toFixed(1)} Mbit/s); at 50 Mbit/s the bytes take ${r.linkS.toFixed(1)} s`);
  console.log(`sync / link time = ${(s.syncMs / 1000 / r.linkS).toFixed(3)} (target <= 1.2)`);
  console.log(`companion CPU during the sync, all threads: ${(s.cpuMs / 1000).toFixed(1)} s (${((s.cpuMs / s.syncMs) * 100).toFixed(0)}% of one core); main thread's event loop busy ${(s.mainBusy * 100).toFixed(0)}% of the sync (${((s.mainBusy * s.syncMs) / 1000).toFixed(1)} s)`);
  console.log(`sessions: ${s.report.fetched} fetched, ${r.stored.length} rows for ${r.expected.length} sessions, ${problems.length === 0 ? 'each stored once with the unit\'s sha256' : `PROBLEMS: ${problems.slice(0, 5).join('; ')}`}; ${s.report.resumes} resumed and ${s.report.refetches} refetched downloads (each decoded whole again, on the decoder thread)`);
  console.log(`companion main thread, event-loop delay during the sync: max ${s.loop.maxMs} ms, p99 ${s.loop.p99Ms} ms, mean ${s.loop.meanMs} ms (target max <= 100 ms); an idle process meanwhile: max ${r.control.maxMs} ms, p99 ${r.control.p99Ms} ms (the machine's load alone)`);
  if (s.report.units.some((u) => u.error)) console.log(`unit errors: ${s.report.units.filter((u) => u.error).map((u) => `${u.unitName}: ${u.error}`).join('; ')}`);
}

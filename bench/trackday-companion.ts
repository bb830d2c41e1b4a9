// The companion end of the track-day benchmark, run inside the uplink namespace: the real
// companion core (as `pitwall serve` builds it) pairs with every unit over the network, then
// one `sync:start` pulls every unit's sessions at once. The event-loop delay of this process
// (the core's main thread, which serves the UI) is sampled for the length of the sync.
//   node --import tsx bench/trackday-companion.ts <dataDir> <units.json>
// units.json: [{ "address": "10.x.y.z:port", "dataDir": "<unit data dir>" }]
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { SessionSyncProgress, SyncReport } from '@pitwall/protocol';
import { createCompanion, type Companion } from '@pitwall/app';
import { pressSimButton } from '../testbed/sim-gpio.js';

export interface TrackDaySyncResult {
  syncMs: number;
  bytesTotal: number;
  report: SyncReport;
  /** Event-loop delay during the sync, ms. */
  loop: { maxMs: number; p99Ms: number; meanMs: number };
  /** CPU time of the companion process (every thread) during the sync, ms. */
  cpuMs: number;
  /** Share of the sync the main thread's event loop was busy (event-loop utilization, 0..1). */
  mainBusy: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pair(companion: Companion, address: string, unitDir: string): Promise<string> {
  // A unit that has just booted among twenty others may miss the first probe's deadline.
  let entry;
  for (let i = 0; !entry; i++) {
    entry = await companion.handlers['devices:add-address']({ address }).catch((err: Error) => {
      if (i >= 5) throw err;
    });
    if (!entry) await sleep(1000);
  }
  await pressSimButton(unitDir, 'pair');
  for (let i = 0; !(await companion.handlers['pairing:window']({ id: entry.id })).open; i++) {
    if (i > 100) throw new Error(`${address}: the pairing window did not open`);
    await sleep(100);
  }
  // On a loaded machine a unit may miss a probe meanwhile and count as offline for a moment.
  for (let i = 0; ; i++) {
    const paired = await companion.handlers['pairing:pair']({ id: entry.id, via: 'net', role: 'owner' }).then(
      () => true,
      async (err: Error & { code?: string }) => {
        if (err.code !== 'unreachable' || i >= 10) throw err;
        await companion.refresh();
        await sleep(500);
        return false;
      },
    );
    if (paired) return entry.id;
  }
}

export async function syncTrackDay(dataDir: string, units: { address: string; dataDir: string }[]): Promise<TrackDaySyncResult> {
  let bytesTotal = 0;
  const companion = createCompanion({
    dataDir,
    mdns: false,
    serial: false,
    hotplug: false,
    events: (event, payload) => {
      if (event === 'sessions:progress') bytesTotal = Math.max(bytesTotal, (payload as SessionSyncProgress).bytesTotal);
    },
  });
  try {
    const ids: string[] = [];
    // Two at a time: pairing signs and checks keys on both ends.
    for (let i = 0; i < units.length; i += 2) ids.push(...(await Promise.all(units.slice(i, i + 2).map((u) => pair(companion, u.address, u.dataDir)))));
    for (let i = 0; ; i++) {
      await companion.refresh();
      const ready = companion.list().filter((d) => ids.includes(d.id) && d.online && d.pairing.state === 'paired');
      if (ready.length === ids.length) break;
      if (i > 50) throw new Error(`only ${ready.length} of ${ids.length} units paired and online`);
      await sleep(200);
    }
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const report = await companion.handlers['sync:start']({});
    const syncMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const mainBusy = performance.eventLoopUtilization(elu0).utilization;
    loop.disable();
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return { syncMs, bytesTotal, report, loop: { maxMs: ms(loop.max), p99Ms: ms(loop.percentile(99)), meanMs: ms(loop.mean) }, cpuMs: Math.round((cpu.user + cpu.system) / 1000), mainBusy };
  } finally {
    await companion.close();
  }
}

if (process.argv[1]?.endsWith('trackday-companion.ts')) {
  const [dataDir, unitsFile] = process.argv.slice(2);
  const result = await syncTrackDay(dataDir!, JSON.parse(readFileSync(unitsFile!, 'utf8')) as { address: string; dataDir: string }[]);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

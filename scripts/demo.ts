// The demo fleet: simulated units replaying different recordings, plus the companion in
// browser mode. With root and iproute2, each unit lives in its own network namespace and is
// found by mDNS (and unit 1 also over its USB-serial pty); otherwise the units run on
// loopback and are added by address. Typing a unit's number and Enter presses that unit's
// pairing button (for pairing over the network from the companion). Ctrl-C stops everything
// and removes the namespaces. Each unit arrives with earlier track days already recorded
// (closed sessions, ready to sync), and each pass of its replay ends in a pit stop, so the
// session closes and the next pass starts a new one.
//   npm run demo -- [--units N] [--speed X] [--loopback] [--port P]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startCompanion, type Companion } from '../testbed/companion.js';
import { createSimLan, removeStaleNamespaces, type SimLan } from '../testbed/netns.js';
import { bridgeLoopbackPort } from '../testbed/netns-port-bridge.js';
import { pressSimButton } from '../testbed/sim-gpio.js';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';

const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '3' },
    speed: { type: 'string', default: '1' },
    port: { type: 'string' },
    loopback: { type: 'boolean', default: false },
  },
});
const unitCount = Number(values.units);
if (!Number.isInteger(unitCount) || unitCount < 1 || unitCount > 50) throw new Error('--units must be 1..50');

const repo = resolve(import.meta.dirname, '..');
const recordingsDir = join(repo, 'resources', 'recordings');
const recordings = readdirSync(recordingsDir).filter((f) => f.endsWith('.nmea')).sort().map((f) => join(recordingsDir, f));
const names = ['Ayrton', 'Jackie', 'Juan Manuel', 'Niki', 'Jim', 'Graham'];
const NS_PREFIX = 'pwdemo';
/** Earlier track days per unit, and the pit stop ending each replay (longer than the unit's 30 s stop time). */
const TRACK_DAYS = 3;
const PIT_STOP_S = 45;

const work = mkdtempSync(join(tmpdir(), 'pitwall-demo-'));
const units: SimUnit[] = [];
let companion: Companion | undefined;
let lan: SimLan | undefined;
let bridge: { close(): void } | undefined;
let stopping = false;

function canUseNamespaces(): boolean {
  if (values.loopback || process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function stopAll(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  console.error('\ndemo: stopping…');
  await companion?.stop().catch(() => undefined);
  await Promise.all(units.map((u) => u.stop().catch(() => undefined)));
  bridge?.close();
  lan?.destroy();
  rmSync(work, { recursive: true, force: true });
  console.error('demo: stopped' + (lan ? ', namespaces removed' : ''));
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  const useNs = canUseNamespaces();
  if (useNs) {
    removeStaleNamespaces(NS_PREFIX);
    lan = createSimLan(NS_PREFIX, 77);
  }
  // Started side by side: recording the earlier track days is mostly waiting on the disk.
  const starting = Array.from({ length: unitCount }, (_, i) => {
    const dataDir = join(work, `unit-${i + 1}`);
    mkdirSync(dataDir);
    const netns = lan?.addUnit().ns;
    return startSimUnit({
      dataDir,
      name: `${names[i % names.length]} #${i + 1}`,
      recording: recordings[i % recordings.length],
      speed: Number(values.speed),
      netns,
      extraArgs: ['--track-days', String(TRACK_DAYS), '--pit-stop', String(PIT_STOP_S)],
    }).then((unit) => {
      units.push(unit);
      console.error(`demo: unit ${i + 1} ready (${unit.ready.id})${netns ? ` in namespace ${netns}` : ` on 127.0.0.1:${unit.ready.apiPort}`}`);
      return unit;
    });
  });
  // Every start settles before a failure is reported, so Ctrl-C or the error stops them all.
  const settled = await Promise.allSettled(starting);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const started = settled.map((r) => (r as PromiseFulfilledResult<SimUnit>).value);
  const port = values.port ? Number(values.port) : await freePort();
  const companionDir = join(work, 'companion');
  if (lan) {
    companion = await startCompanion({ dataDir: companionDir, port, netns: lan.hostNs, serialPaths: [started[0]!.ready.serialPath] });
    bridge = await bridgeLoopbackPort(lan.hostNs, port, work);
    console.error('demo: units are found by mDNS in their namespaces; unit 1 also over USB serial');
  } else {
    companion = await startCompanion({
      dataDir: companionDir,
      port,
      mdns: false,
      addresses: started.map((u) => `127.0.0.1:${u.ready.apiPort}`),
      serialPaths: [started[0]!.ready.serialPath],
    });
    console.error('demo: no root or iproute2 — units run on loopback and are added by address');
  }
  console.log(`\n  Pitwall companion: ${companion.ready.url}\n`);
  console.log(`  To pair over the network, choose "Pair this unit" in the companion, then type the unit's`);
  console.log(`  number (1-${units.length}) here and press Enter: that presses the unit's pairing button.`);
  console.log(`  Unit 1 can also pair over USB. Press Ctrl-C to stop the demo.\n`);
  const dataDirs = started.map((_, i) => join(work, `unit-${i + 1}`));
  createInterface({ input: process.stdin }).on('line', (line) => {
    const n = Number(line.trim());
    const dir = dataDirs[n - 1];
    if (!Number.isInteger(n) || !dir) return console.error(`demo: type a unit number from 1 to ${units.length}`);
    pressSimButton(dir, 'pair').then(
      () => console.error(`demo: pairing button of unit ${n} pressed; its pairing window is open`),
      (err: Error) => console.error(`demo: could not press the button of unit ${n}: ${err.message}`),
    );
  });
  companion.process.once('exit', (code) => {
    if (!stopping) {
      console.error(`demo: companion exited (${code}): ${companion?.output.join('').slice(-2000)}`);
      void stopAll(1);
    }
  });
} catch (err) {
  console.error(`demo: ${(err as Error).message}`);
  await stopAll(1);
}

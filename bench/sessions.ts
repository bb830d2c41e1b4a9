// Sessions in the companion:
// 1. Sync of a 30-minute session (25 Hz GNSS, 100 Hz IMU) over a 20 Mbit/s link (tbf in a
//    network namespace pair): sync time (list, Range download, sha256, decode, SQLite ingest,
//    confirm) over a raw TCP transfer of the same file on the same link (target <= 1.15).
// 2. Ingest rate of the same samples into SQLite against the sqlite3 CLI's .import of them as
//    CSV (target >= 1.0x).
// Run as root (namespaces). `node --import tsx bench/sessions.ts serve|client ...` are the
// two ends inside the namespaces.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSession } from '@pitwall/protocol';
// The built companion (as shipped: its ingest thread runs the compiled worker).
import { openDatabase, SessionStore, syncSessions } from '@pitwall/app';
import { fakeSource, startFakeSessionUnit } from '../app/test/helpers/fake-session-unit.js';
import { makeSession, SYNTH_TRACK, type MadeSession } from '../app/test/helpers/session-files.js';
import { createSimLan, lanPrefix } from '../testbed/netns.js';

const SELF = fileURLToPath(import.meta.url);
const RAW_PORT = 7401;
const API_PORT = 7443;
const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function serve(metaPath: string): Promise<void> {
  const made = JSON.parse(readFileSync(metaPath, 'utf8')) as MadeSession;
  await startFakeSessionUnit('bench-unit', [made], { host: '0.0.0.0', port: API_PORT });
  createServer((s) => createReadStream(made.path).pipe(s)).listen(RAW_PORT, '0.0.0.0');
  process.stdout.write('ready\n');
}

function rawTransfer(host: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let got = 0;
    const s = connect(RAW_PORT, host);
    s.on('data', (c: Buffer) => (got += c.length));
    s.on('end', () => (got === size ? resolve(performance.now() - t0) : reject(new Error(`raw: ${got} of ${size} bytes`))));
    s.on('error', reject);
  });
}

async function client(host: string, metaPath: string, dir: string): Promise<void> {
  const made = JSON.parse(readFileSync(metaPath, 'utf8')) as MadeSession;
  const raw: number[] = [];
  const sync: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    raw.push(await rawTransfer(host, made.sizeB));
    const db = openDatabase(join(dir, `run-${i}`));
    const store = new SessionStore(db, () => [SYNTH_TRACK]);
    const t0 = performance.now();
    const report = await syncSessions([fakeSource('bench-unit', 'Bench', API_PORT, host)], { store, partialDir: join(dir, `run-${i}`, 'partial') });
    sync.push(performance.now() - t0);
    if (report.fetched !== 1) throw new Error(`sync fetched ${report.fetched}`);
    db.close();
  }
  process.stdout.write(`${JSON.stringify({ raw, sync })}\n`);
}

function ingestBench(made: MadeSession, dir: string): void {
  const data = decodeSession(readFileSync(made.path));
  const rows = data.fixes.length + data.imu.length;
  // Ours: the product's ingest (one transaction, batched prepared statements), schema with keys.
  // Samples only (the work .import does); lap timing from the fixes is measured apart.
  const ours: number[] = [];
  const withLaps: number[] = [];
  for (let i = 0; i < RUNS * 2; i++) {
    const db = openDatabase(join(dir, `ingest-${i}`));
    const store = new SessionStore(db, () => [SYNTH_TRACK]);
    const t0 = performance.now();
    store.ingest(data, { sha256: made.sha256, unitName: 'Bench', sizeB: made.sizeB }, { laps: i % 2 === 1 });
    (i % 2 ? withLaps : ours).push(performance.now() - t0);
    db.close();
  }
  // Baseline: sqlite3 .import of the same samples as CSV into plain tables (no keys), timed inside sqlite3.
  const fixesCsv = join(dir, 'fixes.csv');
  const imuCsv = join(dir, 'imu.csv');
  writeFileSync(fixesCsv, data.fixes.map((f) => `1,${f.t},2,${f.lat},${f.lon},${f.altM},${f.speedMps},${f.courseDeg},${f.satellites},${f.hdop}`).join('\n') + '\n');
  writeFileSync(imuCsv, data.imu.map((s) => `1,${s.t},${s.accelMps2.join(',')},${s.gyroDps.join(',')}`).join('\n') + '\n');
  const base: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const file = join(dir, `import-${i}.sqlite`);
    const script = [
      'PRAGMA journal_mode=WAL;',
      'PRAGMA synchronous=NORMAL;',
      'CREATE TABLE f (session INTEGER, t REAL, fix INTEGER, lat REAL, lon REAL, alt REAL, speed REAL, course REAL, sats INTEGER, hdop REAL);',
      'CREATE TABLE m (session INTEGER, t REAL, ax REAL, ay REAL, az REAL, gx REAL, gy REAL, gz REAL);',
      '.mode csv',
      '.timer on',
      'BEGIN;',
      `.import ${fixesCsv} f`,
      `.import ${imuCsv} m`,
      'COMMIT;',
    ].join('\n');
    const t0 = performance.now();
    execFileSync('sqlite3', [file], { input: script, stdio: ['pipe', 'ignore', 'inherit'] });
    base.push(performance.now() - t0);
  }
  const o = median(ours);
  const b = median(base);
  console.log(`ingest ${rows} samples (${data.fixes.length} GNSS + ${data.imu.length} IMU): companion ${o.toFixed(0)} ms (${((rows / o) * 1000).toFixed(0)} rows/s; ${median(withLaps).toFixed(0)} ms with laps timed from the fixes), sqlite3 .import of CSV ${b.toFixed(0)} ms (process included) -> ${(b / o).toFixed(2)}x (target >= 1.0x)`);
}

function runIn(ns: string, args: string[], waitReady: boolean): Promise<{ out: string; kill: () => void }> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (waitReady && out.includes('ready')) resolve({ out, kill: () => child.kill() });
    });
    child.on('exit', (code) => (code === 0 ? resolve({ out, kill: () => undefined }) : reject(new Error(`${args[0]} exited ${code}`))));
  });
}

export async function runSessionsBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-bench-sessions-'));
  try {
    const made = await makeSession(dir, { unitId: 'bench-unit', sessionId: 'bench-30min', durationS: 1800, seed: 7 });
    const meta = join(dir, 'meta.json');
    writeFileSync(meta, JSON.stringify(made));
    console.log(`session: 30 min, 25 Hz GNSS + 100 Hz IMU, ${(made.sizeB / 1e6).toFixed(2)} MB`);
    ingestBench(made, dir);
    if (process.getuid?.() !== 0) {
      console.log('sync over a shaped link: skipped (needs root for network namespaces)');
      return;
    }
    const lan = createSimLan(lanPrefix('bss'));
    let server: { kill: () => void } | null = null;
    try {
      const unit = lan.addUnit();
      const dev = execFileSync('ip', ['-n', unit.ns, '-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' }).split(':')[1]!.trim().split('@')[0]!;
      // Shape the unit's egress (the download direction) to 20 Mbit/s.
      execFileSync('ip', ['netns', 'exec', unit.ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', '20mbit', 'burst', '32kbit', 'latency', '50ms']);
      server = await runIn(unit.ns, ['serve', meta], true);
      const res = await runIn(lan.hostNs, ['client', unit.address, meta, dir], false);
      const { raw, sync } = JSON.parse(res.out.trim().split('\n').at(-1)!) as { raw: number[]; sync: number[] };
      const r = median(raw);
      const s = median(sync);
      console.log(`link 20 Mbit/s (tbf): raw transfer ${r.toFixed(0)} ms (${((made.sizeB * 8) / r / 1000).toFixed(1)} Mbit/s), sync ${s.toFixed(0)} ms (runs raw ${raw.map((x) => x.toFixed(0)).join('/')}, sync ${sync.map((x) => x.toFixed(0)).join('/')})`);
      console.log(`sync / raw = ${(s / r).toFixed(3)} (target <= 1.15)`);
    } finally {
      server?.kill();
      lan.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'serve') await serve(args[0]!);
else if (mode === 'client') await client(args[0]!, args[1]!, args[2]!).then(() => process.exit(0));

// Diagnostics benchmark: pulling 1,000,000 log records from a unit against a plain HTTP
// transfer of the same bytes (same run), the SQLite ingest rate, and FTS search latency.
// Two times are measured for each pull, each against the plain transfer next to it:
//   pulled      mTLS transfer (gzip, as the companion asks, and uncompressed) into the staging
//               file, fsync, confirm to the unit (the target
//               ratio <= 1.5 applies to this: the unit may drop the records, the operator may go);
//   searchable  every record parsed, validated, redacted and in SQLite + FTS5 (the sync call returns).
// Each round pulls into a new companion (a new data folder) and does one plain transfer (and,
// on loopback, one bare mTLS transfer of the same bytes from the unit's API, nothing done with
// them); rounds alternate which comes first, and ratios are medians of the per-round ratios, so
// a machine that others use too shifts both sides of a ratio alike.
// Two links:
//   loopback    unit and companion share this machine's 2 cores: TLS on both ends and the disk
//               compete with the transfer (the worst case for the ratio);
//   shaped      (root) the unit in its own network namespace behind a veth limited by tbf to
//               PITWALL_BENCH_LINK_MBIT (default 100 Mbit/s: a unit's Wi-Fi), as in the field.
import http from 'node:http';
import https from 'node:https';
import { execFileSync, spawn } from 'node:child_process';
import { createPrivateKey, randomUUID, webcrypto } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The built companion (as shipped: its ingest worker runs the compiled module).
import { createCompanion, createSelfSignedCertificate, generateEd25519, openDatabase, PinRepo } from '@pitwall/app';
import type { IngestRecord } from '../app/src/diagnostics/log-writer.js';
import { LogStore } from '../app/src/diagnostics/log-store.js';
import { LogWriter } from '../app/src/diagnostics/log-writer.js';
import { DATABASE_FILE, openDatabaseFile } from '../app/src/store/database.js';
import { StagedFileIngest } from '../app/src/diagnostics/log-ingest.js';
import { FRAME_BYTES } from '../app/src/diagnostics/log-staging.js';
import { StagingWriter } from '../app/src/diagnostics/staging-file.js';
import { routePath, Routes, type SyncProgress } from '@pitwall/protocol';
import { createSimLan, lanPrefix } from '../testbed/netns.js';
import { startReadyProcess } from '../testbed/ready-process.js';

const RECORDS = Number(process.env.PITWALL_BENCH_RECORDS ?? 1_000_000);
const ROUNDS = Number(process.env.PITWALL_BENCH_ROUNDS ?? 5);
const LINK_MBIT = Number(process.env.PITWALL_BENCH_LINK_MBIT ?? 100);
const LINK_ROUNDS = Number(process.env.PITWALL_BENCH_LINK_ROUNDS ?? 3); // 0: loopback only
const SELF = fileURLToPath(import.meta.url);
const UNIT = fileURLToPath(new URL('./diagnostics-unit.ts', import.meta.url));

interface Ready { id: string; port: number; fingerprint: string; certificate: string; plainPort: number; bytes: number }
/** Times in ms; `*Cpu`: CPU ms of this process (all threads) over the same span, which a busy machine inflates far less than wall time. */
interface Pull { pulled: number; pulledCpu: number; searchable: number }
interface Round { plain: number; plainCpu: number; tls: number | null; tlsCpu: number | null; gzip: Pull; identity: Pull }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

/** Reads a GET body, dropping it unless `keep`; resolves with the time from request to last byte. */
function timedGet(
  get: (onRes: (res: http.IncomingMessage) => void) => http.ClientRequest,
  keep: boolean,
): Promise<{ ms: number; cpu: number; bytes: number; body: Buffer | null }> {
  const t = performance.now();
  const c = process.cpuUsage();
  return new Promise((resolve, reject) => {
    get((res) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (keep) chunks.push(c);
      });
      res.on('end', () => resolve({ ms: performance.now() - t, cpu: cpuMs(c), bytes, body: keep ? Buffer.concat(chunks) : null }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const plainTransfer = (host: string, port: number, keep = false) => timedGet((cb) => http.get({ host, port, path: '/' }, cb), keep);

/** GET `path` from the unit over mutual TLS (any client certificate: the stand-in accepts it). */
const tlsGet = (agent: https.Agent, host: string, port: number, path: string, keep = false) => timedGet((cb) => https.get({ host, port, path, agent }, cb), keep);

async function clientAgent(): Promise<https.Agent> {
  const keys = await generateEd25519();
  const key = createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' });
  return new https.Agent({ key: key.export({ type: 'pkcs8', format: 'pem' }), cert: await createSelfSignedCertificate(keys, randomUUID()), rejectUnauthorized: false, keepAlive: true });
}

/** One pull of every record into a new companion (data folder `dataDir`, the unit pinned as pairing would). */
async function pullOnce(u: Ready, host: string, dataDir: string, compressLogs: boolean): Promise<Pull> {
  const target = `${host}:${u.port}`;
  const first = createCompanion({ dataDir, mdns: false, serial: false, hotplug: false, events: () => undefined });
  await first.handlers['devices:add-address']({ address: target });
  await first.close();
  const db = openDatabase(dataDir);
  new PinRepo(db).save({ unitId: u.id, fingerprint: u.fingerprint, certificate: u.certificate, role: 'owner', via: 'net', pairedAt: Date.now() });
  db.close();
  let pulledAt = 0;
  let pulledCpu = 0;
  let c0 = process.cpuUsage();
  const companion = createCompanion({
    dataDir,
    mdns: false,
    serial: false,
    hotplug: false,
    compressLogs,
    pollIntervalMs: 500,
    events: (event, payload) => {
      // The first `indexing` event: transferred, durable in the staging file, confirmed to the unit.
      if (event === 'sync:progress' && (payload as SyncProgress).phase === 'indexing' && pulledAt === 0) {
        pulledAt = performance.now();
        pulledCpu = cpuMs(c0);
      }
    },
  });
  try {
    for (let i = 0; i < 100 && !companion.list().some((e) => e.id === u.id && e.online); i++) {
      await companion.refresh();
      await new Promise((r) => setTimeout(r, 100));
    }
    const t = performance.now();
    c0 = process.cpuUsage();
    const [result] = await companion.handlers['sync:diagnostics']({ ids: [u.id] });
    const searchable = performance.now() - t;
    if (!result?.ok || result.logs !== RECORDS) throw new Error(`pull incomplete: ${JSON.stringify(result)}`);
    if (!(pulledAt > 0)) throw new Error('no indexing progress event: the pulled time is unknown');
    return { pulled: pulledAt - t, pulledCpu, searchable };
  } finally {
    await companion.close();
  }
}

/** `n` rounds of plain transfer, bare mTLS (when `agent` is given), a gzip pull and an uncompressed one, the order alternating. */
async function measureRounds(u: Ready, host: string, n: number, dir: string, agent: https.Agent | null, keepFirst: string | null): Promise<Round[]> {
  let bare: (() => Promise<{ ms: number; cpu: number }>) | null = null;
  if (agent) {
    const boots = (await tlsGet(agent, host, u.port, Routes.logBoots.path, true)).body!;
    const boot = (JSON.parse(boots.toString('utf8')) as { boots: { boot: string }[] }).boots[0]!.boot;
    bare = () => tlsGet(agent, host, u.port, routePath(Routes.logs, { query: { boot, after: 0, limit: RECORDS } }));
  }
  const rounds: Round[] = [];
  for (let i = 0; i < n; i++) {
    const dataDir = i === 0 && keepFirst ? keepFirst : join(dir, `round-${i}`);
    const baselines = async () => {
      const p = await plainTransfer(host, u.plainPort);
      const b = bare ? await bare() : null;
      return { plain: p.ms, plainCpu: p.cpu, tls: b?.ms ?? null, tlsCpu: b?.cpu ?? null };
    };
    const pulls = async () => {
      const gzip = await pullOnce(u, host, dataDir, true);
      const identityDir = join(dir, `round-${i}-identity`);
      const identity = await pullOnce(u, host, identityDir, false);
      rmSync(identityDir, { recursive: true, force: true });
      return { gzip, identity };
    };
    let base: Awaited<ReturnType<typeof baselines>>;
    let pull: Awaited<ReturnType<typeof pulls>>;
    if (i % 2 === 0) {
      base = await baselines();
      pull = await pulls();
    } else {
      pull = await pulls();
      base = await baselines();
    }
    if (dataDir !== keepFirst) rmSync(dataDir, { recursive: true, force: true });
    rounds.push({ ...base, ...pull });
    process.stderr.write(`  round ${i + 1}/${n}: plain ${base.plain.toFixed(0)} ms, pulled ${pull.gzip.pulled.toFixed(0)} ms (gzip), ${pull.identity.pulled.toFixed(0)} ms (uncompressed)\n`);
  }
  return rounds;
}

function report(rounds: Round[], target: string): void {
  const ms = (x: number | null) => (x === null ? '-' : x.toFixed(0)).padStart(8);
  console.log(`  round    plain     mTLS | gzip: pulled searchable | uncompressed: pulled searchable | CPU ms: plain   mTLS   gzip  uncomp.`);
  rounds.forEach((r, i) =>
    console.log(
      `  ${String(i + 1).padStart(5)} ${ms(r.plain)} ${ms(r.tls)} |     ${ms(r.gzip.pulled)} ${ms(r.gzip.searchable)}   |             ${ms(r.identity.pulled)} ${ms(r.identity.searchable)}   |       ${ms(r.plainCpu)} ${ms(r.tlsCpu).slice(2)} ${ms(r.gzip.pulledCpu).slice(2)} ${ms(r.identity.pulledCpu).slice(1)}`,
    ),
  );
  const ratio = (f: (r: Round) => number) => median(rounds.map(f)).toFixed(2);
  console.log(`  median of per-round ratios to the plain transfer (uncompressed NDJSON; ${target}):`);
  console.log(`    pulled with gzip ${ratio((r) => r.gzip.pulled / r.plain)}, pulled uncompressed ${ratio((r) => r.identity.pulled / r.plain)}; searchable ${ratio((r) => r.gzip.searchable / r.plain)} / ${ratio((r) => r.identity.searchable / r.plain)} (no target)`);
  if (rounds.every((r) => r.tls !== null)) {
    console.log(`    bare mTLS ${ratio((r) => r.tls! / r.plain)}; uncompressed pull over bare mTLS ${ratio((r) => r.identity.pulled / r.tls!)} (what staging and the confirm add to the transport)`);
    console.log(`    companion CPU: gzip pull ${ratio((r) => r.gzip.pulledCpu / r.plainCpu)}, uncompressed pull ${ratio((r) => r.identity.pulledCpu / r.plainCpu)}, bare mTLS ${ratio((r) => r.tlsCpu! / r.plainCpu)}`);
  }
  const ingest = (p: (r: Round) => Pull) => Math.round(RECORDS / (median(rounds.map((r) => p(r).searchable - p(r).pulled)) / 1000)).toLocaleString();
  console.log(`  ingest rate in the pull: ${ingest((r) => r.gzip)} / ${ingest((r) => r.identity)} records/s (records / (searchable - pulled), median)`);
}

/** A write connection of this thread's own (the measurements below time the work itself, on one thread). */
function ownConnection(dir: string) {
  mkdirSync(dir, { recursive: true });
  return openDatabaseFile(join(dir, DATABASE_FILE));
}

/** Ingest alone from a staged file (the writer thread's work, here on the main thread at normal priority, on a connection of its own). */
async function ingestAlone(u: Ready, tmp: string): Promise<void> {
  const body = (await plainTransfer('127.0.0.1', u.plainPort, true)).body!;
  const stageDb = ownConnection(join(tmp, 'staged'));
  const stageStore = new LogWriter(stageDb);
  const path = join(tmp, 'bench.stage');
  const boot = (JSON.parse(body.subarray(0, body.indexOf(10)).toString()) as { boot: string }).boot;
  const writer = await StagingWriter.create(path, { unit: u.id, boot, startedAt: new Date().toISOString(), after: 0, lastSeq: RECORDS }, () => undefined);
  for (let at = 0; at < body.length; ) {
    let end = body.lastIndexOf(10, Math.min(body.length, at + FRAME_BYTES) - 1) + 1;
    if (end <= at) end = body.length;
    void writer.append('lines', body.subarray(at, end), 0);
    at = end;
  }
  await writer.sync();
  await writer.close();
  const ts = performance.now();
  const staged = new StagedFileIngest(stageStore, path).finish();
  const stagedMs = performance.now() - ts;
  if (staged.added !== RECORDS) throw new Error(`staged ingest stored ${staged.added}`);
  console.log(`ingest alone, one thread     ${Math.round(RECORDS / (stagedMs / 1000)).toLocaleString()} records/s (${stagedMs.toFixed(0)} ms: parse, validate, redact, SQLite + FTS5)`);
  stageDb.close();
}

/** SQLite alone: prepared rows, 25k-record transactions, FTS5 filled per transaction. */
function sqliteAlone(tmp: string): void {
  const ingestDb = ownConnection(join(tmp, 'ingest'));
  const store = new LogWriter(ingestDb);
  const sqlBoot = randomUUID();
  const unitId = randomUUID();
  const recs: IngestRecord[] = Array.from({ length: 25_000 }, (_, i) => ({ boot: sqlBoot, seq: i + 1, timeMs: Date.now() + i, level: 30, subsystem: 'gnss', msg: `fix satellites ${i % 97} lap sector crossing after ${i % 13} ms`, fw: '0.4.0', commit: 'a1b2c3d', extra: i % 5 ? '{}' : '{"durationMs":12,"stage":"nmea"}' }));
  const cursor = { boot: sqlBoot, startedAt: new Date().toISOString(), storedSeq: 0, confirmedSeq: 0, unitLastSeq: RECORDS };
  const ti = performance.now();
  for (let b = 0; b < RECORDS / 25_000; b++) {
    for (const r of recs) r.seq += b === 0 ? 0 : 25_000;
    cursor.storedSeq = recs.at(-1)!.seq;
    store.ingest(unitId, cursor, recs, []);
  }
  const ingestMs = performance.now() - ti;
  console.log(`SQLite + FTS5 insert alone   ${Math.round(RECORDS / (ingestMs / 1000)).toLocaleString()} records/s (${ingestMs.toFixed(0)} ms for ${RECORDS.toLocaleString()})`);
  ingestDb.close();
}

/** FTS over the pulled records: words, prefixes, phrases, with and without filters. */
function searchLatency(dataDir: string, unitId: string): void {
  const searchDb = openDatabase(dataDir);
  const search = new LogStore(searchDb);
  // Searchable means searchable: the full-text index agrees with the rows (checked, not timed).
  const ftsCount = (searchDb.prepare("SELECT count(*) AS n FROM log_fts WHERE log_fts MATCH 'satellites'").get() as { n: number }).n;
  const likeCount = (searchDb.prepare("SELECT count(*) AS n FROM log_records WHERE msg LIKE '%satellites%' OR extra LIKE '%satellites%'").get() as { n: number }).n;
  if (ftsCount !== likeCount) throw new Error(`the full-text index has ${ftsCount} rows for 'satellites', the table ${likeCount}`);
  const queries: Parameters<LogStore['query']>[0][] = [
    { text: 'satellites', limit: 300 },
    { text: 'watchdog overrun', limit: 300 },
    { text: 'chec*', limit: 300 },
    { text: '"sample rate"', limit: 300 },
    { text: 'nmea', level: 'error', limit: 300 },
    { text: 'crossing', unitId, subsystem: 'gnss', limit: 300 },
    { text: 'latch 42', limit: 300 },
    { text: 'nothing-matches-this', limit: 300 },
  ];
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const q of queries) {
      const s = performance.now();
      search.query(q);
      times.push(performance.now() - s);
    }
  }
  console.log(`FTS search over ${search.count().toLocaleString()} records: median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (${times.length} queries, page of 300 + count)`);
  searchDb.close();
}

async function loopback(tmp: string): Promise<void> {
  const unit = await startReadyProcess<Ready>([process.execPath, '--import', 'tsx', UNIT, String(RECORDS)], { label: 'bench unit', timeoutMs: 120_000 });
  try {
    const u = unit.ready;
    console.log(`records ${RECORDS.toLocaleString()} (${(u.bytes / 1e6).toFixed(0)} MB NDJSON)`);
    console.log(`loopback, ${ROUNDS} rounds (unit and companion on the same 2 cores; times in ms):`);
    const agent = await clientAgent();
    const kept = join(tmp, 'kept');
    const rounds = await measureRounds(u, '127.0.0.1', ROUNDS, tmp, agent, kept);
    agent.destroy();
    report(rounds, 'target <= 1.5 on the field link below; here TLS on both ends and a durable write of every byte share 2 cores');
    await ingestAlone(u, tmp);
    sqliteAlone(tmp);
    searchLatency(kept, u.id);
  } finally {
    await unit.stop('SIGTERM');
  }
}

function runIn(ns: string, args: string[]): Promise<string> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args[0]} exited ${code}`)))));
}

async function shapedLink(tmp: string): Promise<void> {
  if (LINK_ROUNDS === 0) return;
  if (process.getuid?.() !== 0) {
    console.log('shaped link: skipped (needs root for network namespaces)');
    return;
  }
  const lan = createSimLan(lanPrefix('bdg'));
  try {
    const ns = lan.addUnit();
    const dev = execFileSync('ip', ['-n', ns.ns, '-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' }).split(':')[1]!.trim().split('@')[0]!;
    // The unit's egress (the download direction), as its Wi-Fi would limit it.
    execFileSync('ip', ['netns', 'exec', ns.ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${LINK_MBIT}mbit`, 'burst', '64kb', 'latency', '50ms']);
    const unit = await startReadyProcess<Ready>([process.execPath, '--import', 'tsx', UNIT, String(RECORDS), '0.0.0.0'], { label: 'bench unit (namespace)', netns: ns.ns, timeoutMs: 120_000 });
    try {
      const readyFile = join(tmp, 'ready.json');
      writeFileSync(readyFile, JSON.stringify(unit.ready));
      console.log(`shaped link: ${LINK_MBIT} Mbit/s (tbf on a veth between network namespaces), ${LINK_ROUNDS} rounds (times in ms):`);
      const out = await runIn(lan.hostNs, ['client', ns.address, readyFile, tmp]);
      const rounds = JSON.parse(out.trim().split('\n').at(-1)!) as Round[];
      report(rounds, 'target <= 1.5');
      const plain = median(rounds.map((r) => r.plain));
      console.log(`  link throughput (plain): ${((unit.ready.bytes * 8) / plain / 1000).toFixed(1)} Mbit/s`);
    } finally {
      await unit.stop('SIGTERM');
    }
  } finally {
    lan.destroy();
  }
}

export async function runDiagnosticsBench(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-bench-diag-'));
  try {
    await loopback(tmp);
    await shapedLink(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Inside the companion's namespace: rounds of plain transfer and pull, printed as JSON. */
async function client(host: string, readyFile: string, dir: string): Promise<void> {
  const u = JSON.parse(readFileSync(readyFile, 'utf8')) as Ready;
  const rounds = await measureRounds(u, host, LINK_ROUNDS, mkdtempSync(join(dir, 'link-')), null, null);
  process.stdout.write(`${JSON.stringify(rounds)}\n`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'client') await client(args[0]!, args[1]!, args[2]!).then(() => process.exit(0));

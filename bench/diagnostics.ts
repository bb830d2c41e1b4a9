// Diagnostics benchmark: pulling 1,000,000 log records from a unit against a plain HTTP
// transfer of the same bytes (same run), the SQLite ingest rate, and FTS search latency.
// Two times are measured for the pull, each against the plain transfer:
//   pulled      mTLS transfer into the staging file, fsync, confirm to the unit (the target
//               ratio <= 1.5 applies to this: the unit may drop the records, the operator may go);
//   searchable  every record parsed, validated, redacted and in SQLite + FTS5 (the sync call returns).
// The plain transfer runs three times before the pull and three times after; ratios are given
// to the median and to the best of the six. A bare mTLS transfer of the same bytes from the
// unit's API (nothing done with them) is shown too: what the transport alone costs here.
import http from 'node:http';
import https from 'node:https';
import { createPrivateKey, randomUUID, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCompanion } from '../app/src/companion.js';
import { createSelfSignedCertificate, generateEd25519 } from '../app/src/identity/operator-certificate.js';
import { openDatabase } from '../app/src/store/database.js';
import { PinRepo } from '../app/src/store/pin-repo.js';
import { DiagnosticsStore, type IngestRecord } from '../app/src/diagnostics/diagnostics-store.js';
import { StagedFileIngest } from '../app/src/diagnostics/log-ingest.js';
import { FRAME_BYTES } from '../app/src/diagnostics/log-staging.js';
import { StagingWriter } from '../app/src/diagnostics/staging-file.js';
import type { SyncProgress } from '@pitwall/protocol';
import { startReadyProcess } from '../testbed/ready-process.js';

const RECORDS = Number(process.env.PITWALL_BENCH_RECORDS ?? 1_000_000);
const UNIT = fileURLToPath(new URL('./diagnostics-unit.ts', import.meta.url));

interface Ready { id: string; target: string; fingerprint: string; certificate: string; plainPort: number; bytes: number }

function plainTransfer(port: number, keep = false): Promise<{ ms: number; bytes: number; body: Buffer | null }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (keep) chunks.push(c);
        });
        res.on('end', () => resolve({ ms: performance.now() - t, bytes, body: keep ? Buffer.concat(chunks) : null }));
      })
      .on('error', reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** GET `path` from the unit over mutual TLS (any client certificate: the stand-in accepts it), reading and dropping the bytes. */
function tlsGet(agent: https.Agent, target: string, path: string, keep = false): Promise<{ ms: number; bytes: number; text: string }> {
  const [host, port] = target.split(':');
  const t = performance.now();
  return new Promise((resolve, reject) => {
    https
      .get({ host, port: Number(port), path, agent }, (res) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (keep) chunks.push(c);
        });
        res.on('end', () => resolve({ ms: performance.now() - t, bytes, text: keep ? Buffer.concat(chunks).toString('utf8') : '' }));
      })
      .on('error', reject);
  });
}

async function clientAgent(): Promise<https.Agent> {
  const keys = await generateEd25519();
  const key = createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' });
  return new https.Agent({ key: key.export({ type: 'pkcs8', format: 'pem' }), cert: await createSelfSignedCertificate(keys, randomUUID()), rejectUnauthorized: false, keepAlive: true });
}

export async function runDiagnosticsBench(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-bench-diag-'));
  const unit = await startReadyProcess<Ready>([process.execPath, '--import', 'tsx', UNIT, String(RECORDS)], { label: 'bench unit', timeoutMs: 120_000 });
  try {
    const u = unit.ready;
    const dataDir = join(tmp, 'companion');
    const first = createCompanion({ dataDir, mdns: false, serial: false, hotplug: false, events: () => undefined });
    await first.handlers['devices:add-address']({ address: u.target });
    await first.close();
    const db = openDatabase(dataDir);
    new PinRepo(db).save({ unitId: u.id, fingerprint: u.fingerprint, certificate: u.certificate, role: 'owner', via: 'net', pairedAt: Date.now() });
    db.close();
    let pulledAt = 0;
    const companion = createCompanion({
      dataDir,
      mdns: false,
      serial: false,
      hotplug: false,
      pollIntervalMs: 500,
      events: (event, payload) => {
        // The first `indexing` event: transferred, durable in the staging file, confirmed to the unit.
        if (event === 'sync:progress' && (payload as SyncProgress).phase === 'indexing' && pulledAt === 0) pulledAt = performance.now();
      },
    });
    for (let i = 0; i < 100 && !companion.list().some((e) => e.id === u.id && e.online); i++) {
      await companion.refresh();
      await new Promise((r) => setTimeout(r, 100));
    }

    // Baselines before and after, to even out warm-up and a machine that others use too.
    const agent = await clientAgent();
    const boot = (JSON.parse((await tlsGet(agent, u.target, '/v1/logs/boots', true)).text) as { boots: { boot: string }[] }).boots[0]!.boot;
    const bare = () => tlsGet(agent, u.target, `/v1/logs?boot=${boot}&after=0&limit=${RECORDS}`);
    const plain: number[] = [];
    const tls: number[] = [];
    for (let i = 0; i < 3; i++) plain.push((await plainTransfer(u.plainPort)).ms);
    tls.push((await bare()).ms);
    const t = performance.now();
    const [result] = await companion.handlers['sync:diagnostics']({ ids: [u.id] });
    const searchableMs = performance.now() - t;
    const pullMs = pulledAt - t;
    tls.push((await bare()).ms);
    for (let i = 0; i < 3; i++) plain.push((await plainTransfer(u.plainPort)).ms);
    agent.destroy();
    if (!result?.ok || result.logs !== RECORDS) throw new Error(`pull incomplete: ${JSON.stringify(result)}`);
    if (!(pulledAt > 0)) throw new Error('no indexing progress event: the pulled time is unknown');
    const mid = median(plain);
    const best = Math.min(...plain);
    const ratios = (ms: number) => `ratio to plain ${(ms / mid).toFixed(2)} (median) / ${(ms / best).toFixed(2)} (best)`;
    const tlsMs = Math.min(...tls);
    console.log(`records                      ${RECORDS.toLocaleString()} (${(u.bytes / 1e6).toFixed(0)} MB NDJSON)`);
    console.log(`plain HTTP transfer          median ${mid.toFixed(0)} ms, best ${best.toFixed(0)} ms, worst ${Math.max(...plain).toFixed(0)} ms (${((u.bytes / 1e6) / (mid / 1000)).toFixed(0)} MB/s; 3 before, 3 after)`);
    console.log(`bare mTLS transfer           ${tlsMs.toFixed(0)} ms   ${ratios(tlsMs)} (same bytes from the unit's API, dropped; best of 2)`);
    console.log(`pulled: mTLS transfer -> staging file, fsync, confirmed to the unit`);
    console.log(`                             ${pullMs.toFixed(0)} ms   ${ratios(pullMs)} (target <= 1.5 applies to this)`);
    console.log(`searchable: + parse, validate, redact, SQLite + FTS5 (worker thread), sync call returned`);
    console.log(`                             ${searchableMs.toFixed(0)} ms   ${ratios(searchableMs)} (no target)`);
    console.log(`ingest rate in the pull      ${Math.round(RECORDS / (searchableMs / 1000)).toLocaleString()} records/s (records / time to searchable)`);
    await companion.close();

    // Ingest alone from a staged file (the worker's work, here on the main thread at normal
    // priority): parse, validate, redact, SQLite + FTS5, one transaction per 4 MiB frame.
    {
      const body = (await plainTransfer(u.plainPort, true)).body!;
      const stageDb = openDatabase(join(tmp, 'staged'));
      const stageStore = new DiagnosticsStore(stageDb);
      const path = join(tmp, 'bench.stage');
      const writer = await StagingWriter.create(path, { unit: u.id, boot: JSON.parse(body.subarray(0, body.indexOf(10)).toString()).boot, startedAt: new Date().toISOString(), after: 0, lastSeq: RECORDS }, () => undefined);
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
      console.log(`ingest alone from staging    ${Math.round(RECORDS / (stagedMs / 1000)).toLocaleString()} records/s (${stagedMs.toFixed(0)} ms: parse, validate, redact, SQLite + FTS5)`);
      stageDb.close();
    }

    // SQLite alone: prepared rows, 25k-record transactions, FTS5 filled per transaction.
    const ingestDb = openDatabase(join(tmp, 'ingest'));
    const store = new DiagnosticsStore(ingestDb);
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

    // FTS over the pulled 1M records: words, prefixes, phrases, with and without filters.
    const searchDb = openDatabase(dataDir);
    const search = new DiagnosticsStore(searchDb);
    // Searchable means searchable: the full-text index agrees with the rows (checked, not timed).
    const ftsCount = (searchDb.prepare("SELECT count(*) AS n FROM log_fts WHERE log_fts MATCH 'satellites'").get() as { n: number }).n;
    const likeCount = (searchDb.prepare("SELECT count(*) AS n FROM log_records WHERE msg LIKE '%satellites%' OR extra LIKE '%satellites%'").get() as { n: number }).n;
    if (ftsCount !== likeCount) throw new Error(`the full-text index has ${ftsCount} rows for 'satellites', the table ${likeCount}`);
    const queries: Parameters<DiagnosticsStore['queryLogs']>[0][] = [
      { text: 'satellites', limit: 300 },
      { text: 'watchdog overrun', limit: 300 },
      { text: 'chec*', limit: 300 },
      { text: '"sample rate"', limit: 300 },
      { text: 'nmea', level: 'error', limit: 300 },
      { text: 'crossing', unitId: u.id, subsystem: 'gnss', limit: 300 },
      { text: 'latch 42', limit: 300 },
      { text: 'nothing-matches-this', limit: 300 },
    ];
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const q of queries) {
        const s = performance.now();
        search.queryLogs(q);
        times.push(performance.now() - s);
      }
    }
    console.log(`FTS search over ${search.countRecords().toLocaleString()} records: median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (${times.length} queries, page of 300 + count)`);
    searchDb.close();
  } finally {
    await unit.stop('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }
}

// Diagnostics benchmark: pulling 1,000,000 log records from a unit against a plain HTTP
// transfer of the same bytes (same run), the SQLite ingest rate, and FTS search latency.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCompanion } from '../app/src/companion.js';
import { openDatabase } from '../app/src/store/database.js';
import { PinRepo } from '../app/src/store/pin-repo.js';
import { DiagnosticsStore, type IngestRecord } from '../app/src/diagnostics/diagnostics-store.js';
import { startReadyProcess } from '../testbed/ready-process.js';

const RECORDS = Number(process.env.PITWALL_BENCH_RECORDS ?? 1_000_000);
const UNIT = fileURLToPath(new URL('./diagnostics-unit.ts', import.meta.url));

interface Ready { id: string; target: string; fingerprint: string; certificate: string; plainPort: number; bytes: number }

function plainTransfer(port: number): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ ms: performance.now() - t, bytes }));
      })
      .on('error', reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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
    const companion = createCompanion({ dataDir, mdns: false, serial: false, hotplug: false, pollIntervalMs: 500, events: () => undefined });
    for (let i = 0; i < 100 && !companion.list().some((e) => e.id === u.id && e.online); i++) {
      await companion.refresh();
      await new Promise((r) => setTimeout(r, 100));
    }

    // Baseline first and again after, to even out warm-up.
    const plainA = await plainTransfer(u.plainPort);
    const t = performance.now();
    const [result] = await companion.handlers['sync:diagnostics']({ ids: [u.id] });
    const pullMs = performance.now() - t;
    const plainB = await plainTransfer(u.plainPort);
    const plainMs = Math.min(plainA.ms, plainB.ms);
    if (!result?.ok || result.logs !== RECORDS) throw new Error(`pull incomplete: ${JSON.stringify(result)}`);
    console.log(`records                      ${RECORDS.toLocaleString()} (${(u.bytes / 1e6).toFixed(0)} MB NDJSON)`);
    console.log(`plain HTTP transfer          ${plainMs.toFixed(0)} ms (${((u.bytes / 1e6) / (plainMs / 1000)).toFixed(0)} MB/s)`);
    console.log(`pull (mTLS + parse + redact + SQLite/FTS5 + confirm)  ${pullMs.toFixed(0)} ms`);
    console.log(`ratio pull / plain transfer  ${(pullMs / plainMs).toFixed(2)} (target <= 1.5)`);
    console.log(`pull rate end to end        ${Math.round(RECORDS / (pullMs / 1000)).toLocaleString()} records/s`);
    await companion.close();

    // Ingest alone: prepared statements, 25k-record transactions, FTS5 trigger.
    const ingestDb = openDatabase(join(tmp, 'ingest'));
    const store = new DiagnosticsStore(ingestDb);
    const boot = randomUUID();
    const unitId = randomUUID();
    const recs: IngestRecord[] = Array.from({ length: 25_000 }, (_, i) => ({ boot, seq: i + 1, timeMs: Date.now() + i, level: 30, subsystem: 'gnss', msg: `fix satellites ${i % 97} lap sector crossing after ${i % 13} ms`, fw: '0.4.0', commit: 'a1b2c3d', extra: i % 5 ? '{}' : '{"durationMs":12,"stage":"nmea"}' }));
    const cursor = { boot, startedAt: new Date().toISOString(), storedSeq: 0, confirmedSeq: 0, unitLastSeq: RECORDS };
    const ti = performance.now();
    for (let b = 0; b < RECORDS / 25_000; b++) {
      for (const r of recs) r.seq += b === 0 ? 0 : 25_000;
      cursor.storedSeq = recs.at(-1)!.seq;
      store.ingest(unitId, cursor, recs, []);
    }
    const ingestMs = performance.now() - ti;
    console.log(`SQLite ingest alone          ${Math.round(RECORDS / (ingestMs / 1000)).toLocaleString()} records/s (${ingestMs.toFixed(0)} ms for ${RECORDS.toLocaleString()})`);
    ingestDb.close();

    // FTS over the pulled 1M records: words, prefixes, phrases, with and without filters.
    const searchDb = openDatabase(dataDir);
    const search = new DiagnosticsStore(searchDb);
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

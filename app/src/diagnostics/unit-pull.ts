import { Buffer } from 'node:buffer';
import { LOG_PAGE_MAX, type LogBoot, type SyncPhase, type UnitSyncResult } from '@pitwall/protocol';
import type { Cursor, DiagnosticsStore } from './diagnostics-store.js';
import type { Ingester, IngestFile } from './ingester.js';
import type { StagedFileResult } from './log-ingest.js';
import { BootStager, FRAME_BYTES, leftoverStaging, stagingPath } from './log-staging.js';
import type { DiskReserve } from '../store/disk-space.js';
import { StagingWriter } from './staging-file.js';
import { pullHealthAndCrashes } from './crash-pull.js';
import type { DiagnosticsSource } from './unit-source.js';

export interface PullOptions {
  /**
   * Phases: `logs` (records staged: transferred and written to the staging file), `health`,
   * `crashes`, then `indexing` (records read into SQLite + FTS5). The first `indexing` event
   * marks the end of the pull proper: everything is durable in the companion and confirmed.
   */
  onProgress?: (phase: SyncPhase, done: number, total: number, message?: string) => void;
  /** Records asked for per request (default: as many as the unit allows, LOG_PAGE_MAX). */
  requestLimit?: number;
  /** Pull only the newest boot's logs (the live tail), no health or crashes. */
  logsOnly?: 'latest-boot';
  /** Say so on every record the unit sent that failed validation. */
  onInvalid?: (reason: string) => void;
  /** Notes: staged data left out (torn tail, bad checksum) and asked for again. */
  onNote?: (message: string) => void;
  /** Bytes per staging frame (tests make it small). */
  frameBytes?: number;
  /** Free space staging leaves on the disk (a unit sending without end stops there). */
  disk?: DiskReserve;
}

/** Where a pull stages what it transfers, and what turns staged files into rows. */
export interface Staging {
  dir: string;
  ingester: Ingester;
}

/**
 * Ingests a unit's staging files left by an earlier pull that did not finish (the companion was
 * killed, or the ingest failed): their records were transferred, and perhaps confirmed, but are
 * not all in the store yet. Run before pulling more, so the stored cursor says where to resume.
 */
export async function ingestLeftovers(staging: Staging, unitId: string, onFile: (r: StagedFileResult) => void = () => undefined): Promise<StagedFileResult[]> {
  const results: StagedFileResult[] = [];
  for (const path of leftoverStaging(staging.dir, unitId)) {
    const r = await staging.ingester.open(path).finish();
    onFile(r);
    results.push(r);
  }
  return results;
}

/**
 * Pulls one unit's diagnostics. Logs, per boot from the stored cursor: the unit's NDJSON is
 * staged in a checksummed file at transfer speed, synced, and only then confirmed to the unit;
 * an ingester (a worker thread) turns the staged frames into rows meanwhile. Then health since
 * the newest stored snapshot and crash dumps not yet stored (confirmed after they are stored).
 * Resolves when every record is in the store and searchable.
 */
export async function pullUnit(store: DiagnosticsStore, staging: Staging, source: DiagnosticsSource, unitId: string, opts: PullOptions = {}): Promise<UnitSyncResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const onInvalid = opts.onInvalid ?? (() => undefined);
  const result: UnitSyncResult = { unitId, ok: true, logs: 0, health: 0, crashes: 0, gaps: [], error: null };
  let invalid = 0;
  const collect = (r: StagedFileResult): void => {
    result.logs += r.added;
    result.gaps.push(...r.gaps);
    for (const reason of r.reasons) if (invalid++ < 3) onInvalid(reason);
    if (r.problem) opts.onNote?.(`staged logs of boot ${r.boot ?? '?'}: ${r.problem}; the rest is asked for again`);
  };
  await ingestLeftovers(staging, unitId, collect);

  let boots = [...(await source.boots())].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  if (opts.logsOnly === 'latest-boot') boots = boots.slice(-1);
  const cursors = store.logs.cursors(unitId);
  const total = boots.reduce((n, b) => n + Math.max(0, b.lastSeq - (cursors.get(b.boot)?.storedSeq ?? 0)), 0);
  let staged = 0;
  let indexing = false;
  const read = new Map<IngestFile, number>();
  const onCommit = (file: IngestFile) => (_added: number, records: number) => {
    read.set(file, records);
    if (indexing) progress('indexing', Math.min(sum(read), total), total);
  };
  const files: Promise<StagedFileResult>[] = [];
  progress('logs', 0, total);
  try {
    for (const b of boots) {
      const cursor = cursors.get(b.boot) ?? { boot: b.boot, startedAt: b.startedAt, storedSeq: 0, confirmedSeq: 0, unitLastSeq: b.lastSeq };
      cursor.unitLastSeq = Math.max(cursor.unitLastSeq, b.lastSeq);
      const from = staged;
      const done = await stageBoot(store, staging, source, unitId, b, cursor, opts, onCommit, (n) => {
        staged = from + n;
        progress('logs', Math.min(staged, total), total);
      });
      if (done) files.push(done.ingested);
    }
  } catch (err) {
    // What was staged before the failure still goes into the store (nothing of it was confirmed).
    await Promise.allSettled(files);
    throw err;
  }
  progress('logs', total, total);

  // Until it ends, the ingest holds its staging file: a pull that fails after this point must
  // wait for it, or the next pull would ingest the same file a second time, as a leftover.
  if (!opts.logsOnly) await pullHealthAndCrashes(store, source, unitId, result, { progress, disk: opts.disk, dir: staging.dir, note: opts.onNote }).catch(async (err: unknown) => {
    await Promise.allSettled(files);
    throw err;
  });

  // Pulled: all of it is durable here and confirmed. What is left is indexing into SQLite.
  indexing = true;
  progress('indexing', Math.min(sum(read), total), total);
  for (const f of files) collect(await f);
  progress('indexing', total, total);
  return result;
}

const sum = (m: Map<unknown, number>): number => {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
};

/**
 * Transfers one boot's new records into a staging file (several requests if the unit sends them
 * in parts), syncs it, confirms to the unit, and hands the file to the ingester. Returns the
 * ingest's completion (not awaited here), or null when there was nothing new.
 */
async function stageBoot(
  store: DiagnosticsStore,
  staging: Staging,
  source: DiagnosticsSource,
  unitId: string,
  b: LogBoot,
  cursor: Cursor,
  opts: PullOptions,
  onCommit: (file: IngestFile) => (added: number, records: number) => void,
  onStaged: (records: number) => void,
): Promise<{ ingested: Promise<StagedFileResult> } | null> {
  const last = cursor.unitLastSeq;
  const confirmed = Math.max(cursor.confirmedSeq, b.confirmedSeq);
  if (cursor.storedSeq >= last) {
    // All stored (perhaps by a pull interrupted before its confirm): confirm if the unit was not told.
    if (cursor.storedSeq > confirmed) await confirm(store, source, unitId, cursor, cursor.storedSeq);
    return null;
  }
  const start = cursor.storedSeq;
  const path = stagingPath(staging.dir, unitId, b.boot, start);
  let file: IngestFile | null = null;
  const writer = await StagingWriter.create(path, { unit: unitId, boot: b.boot, startedAt: b.startedAt, after: start, lastSeq: last }, (bytes) => file?.written(bytes), opts.disk);
  // The ingest starts once the transfer is over: on a small machine the worker, the unit's link
  // and the TLS stream would share the cores, and the transfer is what keeps the unit waiting.
  const ingest = (): IngestFile => {
    if (!file) {
      const opened = staging.ingester.open(path, (added, records) => onCommit(opened)(added, records));
      file = opened;
      file.written(writer.length);
    }
    return file;
  };
  const onInvalid = (reason: string): void => opts.onInvalid?.(reason);
  let seq = start;
  const frameBytes = opts.frameBytes ?? FRAME_BYTES;
  try {
    while (seq < last) {
      const before = seq;
      const stager = new BootStager(writer, unitId, b.boot, before, (s) => onStaged(s - start), onInvalid, frameBytes);
      await source.logs(b.boot, before, opts.requestLimit ?? LOG_PAGE_MAX, (chunk) => stager.push(chunk));
      await stager.finish();
      seq = stager.lastSeq;
      // The unit listed records up to `last` but sent none after `before`: they are gone on the unit.
      if (seq === before) break;
    }
    const to = Math.max(seq, last);
    await writer.append('end', Buffer.from(JSON.stringify({ to })), to);
    // Durable in the companion (the staging file is synced, and a restart ingests it): only now
    // may the unit drop these records.
    await writer.sync();
    if (to > confirmed) await confirm(store, source, unitId, cursor, to);
  } catch (err) {
    // The transfer broke: what was staged goes into the store now (none of it was confirmed);
    // if even that fails, the file stays for the next pull.
    await writer.close().catch(() => undefined);
    await ingest().finish().catch(() => undefined);
    throw err;
  }
  await writer.close();
  const ingested = ingest().finish();
  ingested.catch(() => undefined); // awaited by the caller, after health and crashes
  return { ingested };
}

async function confirm(store: DiagnosticsStore, source: DiagnosticsSource, unitId: string, cursor: Cursor, seq: number): Promise<void> {
  await source.confirmLogs(cursor.boot, seq);
  cursor.confirmedSeq = seq;
  store.logs.saveCursor(unitId, cursor);
}

import { logRecord, type LogBoot, type LogGap, type SyncPhase, type UnitSyncResult } from '@pitwall/protocol';
import type { Cursor, DiagnosticsStore, IngestRecord } from './diagnostics-store.js';
import { LEVEL_NUMBER } from './log-search.js';
import { redactText, redactValue } from './redact.js';
import type { DiagnosticsSource } from './unit-source.js';
import { LineSplitter } from './unit-stream.js';

export interface PullOptions {
  onProgress?: (phase: SyncPhase, done: number, total: number, message?: string) => void;
  /** Records per transaction (default 25,000). */
  batchSize?: number;
  /** Records asked for per request (default 250,000). */
  requestLimit?: number;
  /** Pull only the newest boot's logs (the live tail), no health or crashes. */
  logsOnly?: 'latest-boot';
  /** Say so on every record the unit sent that failed validation. */
  onInvalid?: (reason: string) => void;
}

const FIXED = new Set(['time', 'level', 'subsystem', 'msg', 'fw', 'commit', 'unit', 'boot', 'seq']);

/**
 * One unit's record stream for one boot, turned into store batches: validated, redacted,
 * deduplicated against the cursor, gaps noted. Each batch is committed with its cursor.
 */
class BootIngest {
  private batch: IngestRecord[] = [];
  private gaps: { from: number; to: number }[] = [];
  readonly allGaps: LogGap[] = [];
  added = 0;
  invalid = 0;

  constructor(
    private readonly store: DiagnosticsStore,
    private readonly unitId: string,
    readonly cursor: Cursor,
    private readonly batchSize: number,
    private readonly onCommit: (n: number) => void,
    private readonly onInvalid: (reason: string) => void,
  ) {}

  lines(lines: string[]): void {
    for (const line of lines) this.line(line);
  }

  line(line: string): void {
    if (line.length === 0 || line === '\r') return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      this.reject('a line that is not JSON');
      return;
    }
    if (!logRecord.is(rec)) return this.reject('a record that does not match the log schema');
    if (rec.unit !== this.unitId || rec.boot !== this.cursor.boot) return this.reject(`a record of another unit or boot (${rec.unit}/${rec.boot})`);
    const expected = this.cursor.storedSeq + 1;
    if (rec.seq < expected) return; // already stored
    if (rec.seq > expected) {
      this.gaps.push({ from: expected, to: rec.seq - 1 });
      this.allGaps.push({ unitId: this.unitId, boot: this.cursor.boot, fromSeq: expected, toSeq: rec.seq - 1 });
    }
    let extra: Record<string, unknown> | null = null;
    for (const k of Object.keys(rec)) {
      if (FIXED.has(k)) continue;
      (extra ??= {})[k] = (rec as Record<string, unknown>)[k];
    }
    this.batch.push({
      boot: rec.boot,
      seq: rec.seq,
      timeMs: Date.parse(rec.time),
      level: LEVEL_NUMBER[rec.level],
      subsystem: rec.subsystem,
      msg: redactText(rec.msg),
      fw: rec.fw,
      commit: rec.commit,
      extra: extra ? JSON.stringify(redactValue(extra)) : '{}',
    });
    this.cursor.storedSeq = rec.seq;
    if (this.batch.length >= this.batchSize) this.commit();
  }

  private reject(reason: string): void {
    this.invalid++;
    if (this.invalid <= 3) this.onInvalid(reason);
  }

  /** Writes the pending batch and the cursor in one transaction. */
  commit(extraGap?: { from: number; to: number }): void {
    if (extraGap) {
      this.gaps.push(extraGap);
      this.allGaps.push({ unitId: this.unitId, boot: this.cursor.boot, fromSeq: extraGap.from, toSeq: extraGap.to });
    }
    const n = this.batch.length;
    this.added += this.store.ingest(this.unitId, this.cursor, this.batch, this.gaps);
    this.batch = [];
    this.gaps = [];
    this.onCommit(n);
  }
}

/**
 * Pulls one unit's diagnostics into the store: logs incrementally per boot (resumable from the
 * stored cursor, confirmed to the unit only after the commit), then health since the newest
 * stored snapshot, then crash dumps not yet stored (confirmed after they are stored).
 */
export async function pullUnit(store: DiagnosticsStore, source: DiagnosticsSource, unitId: string, opts: PullOptions = {}): Promise<UnitSyncResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const result: UnitSyncResult = { unitId, ok: true, logs: 0, health: 0, crashes: 0, gaps: [], error: null };
  const batchSize = opts.batchSize ?? 25_000;
  const limit = opts.requestLimit ?? 250_000;

  let boots = await source.boots();
  boots = [...boots].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  if (opts.logsOnly === 'latest-boot') boots = boots.slice(-1);
  const cursors = store.cursors(unitId);
  const total = boots.reduce((n, b) => n + Math.max(0, b.lastSeq - (cursors.get(b.boot)?.storedSeq ?? 0)), 0);
  let done = 0;
  progress('logs', 0, total);
  for (const b of boots) {
    const cursor = cursors.get(b.boot) ?? { boot: b.boot, startedAt: b.startedAt, storedSeq: 0, confirmedSeq: 0, unitLastSeq: b.lastSeq };
    cursor.unitLastSeq = Math.max(cursor.unitLastSeq, b.lastSeq);
    const added = await pullBoot(store, source, unitId, b, cursor, batchSize, limit, (n) => {
      done += n;
      progress('logs', Math.min(done, total), total);
    }, opts.onInvalid ?? (() => undefined), result.gaps);
    result.logs += added;
  }
  progress('logs', total, total);
  if (opts.logsOnly) return result;

  const since = store.latestHealthTime(unitId);
  progress('health', 0, 1);
  const snapshots = (await source.health(since)).filter((s) => s.unit === unitId).map((s) => redactValue(s) as typeof s);
  result.health = store.addHealth(unitId, snapshots);
  progress('health', 1, 1);

  const list = await source.crashes();
  progress('crashes', 0, list.length);
  const stored: string[] = [];
  let i = 0;
  for (const c of list) {
    if (!store.hasCrash(unitId, c.id)) {
      const dump = await source.crash(c.id);
      if (dump.unit !== unitId || dump.id !== c.id) throw new Error(`the unit answered crash ${c.id} with a dump of ${dump.unit}/${dump.id}`);
      if (store.addCrash(unitId, redactValue(dump) as typeof dump)) result.crashes++;
    }
    if (!c.confirmed) stored.push(c.id);
    progress('crashes', ++i, list.length);
  }
  // Told only after the dumps are committed: the unit may drop them now.
  for (let k = 0; k < stored.length; k += 1000) await source.confirmCrashes(stored.slice(k, k + 1000));
  store.markCrashesConfirmed(unitId, list.map((c) => c.id));
  return result;
}

async function pullBoot(
  store: DiagnosticsStore,
  source: DiagnosticsSource,
  unitId: string,
  b: LogBoot,
  cursor: Cursor,
  batchSize: number,
  limit: number,
  onCommit: (n: number) => void,
  onInvalid: (reason: string) => void,
  gaps: LogGap[],
): Promise<number> {
  const ingest = new BootIngest(store, unitId, cursor, batchSize, onCommit, onInvalid);
  while (cursor.storedSeq < cursor.unitLastSeq) {
    const before = cursor.storedSeq;
    const splitter = new LineSplitter((lines) => ingest.lines(lines));
    await source.logs(b.boot, before, limit, (chunk) => splitter.push(chunk));
    const torn = splitter.end();
    // A last line without its newline is complete only if it parses; otherwise it is refetched.
    if (torn) {
      try {
        JSON.parse(torn);
        ingest.line(torn);
      } catch {
        /* torn: the next request asks again from the cursor */
      }
    }
    if (cursor.storedSeq === before) {
      // The unit listed records up to lastSeq but sent none after `before`: they are gone on the unit.
      ingest.commit({ from: before + 1, to: cursor.unitLastSeq });
      cursor.storedSeq = cursor.unitLastSeq;
      store.saveCursor(unitId, cursor);
      break;
    }
    ingest.commit();
  }
  ingest.commit();
  gaps.push(...ingest.allGaps);
  // Confirmed only after the commit above: the unit keeps everything not confirmed.
  if (cursor.storedSeq > Math.max(cursor.confirmedSeq, b.confirmedSeq) && cursor.storedSeq > 0) {
    await source.confirmLogs(b.boot, cursor.storedSeq);
    cursor.confirmedSeq = cursor.storedSeq;
    store.saveCursor(unitId, cursor);
  }
  return ingest.added;
}

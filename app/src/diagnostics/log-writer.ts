import type { Db } from '../store/database.js';
import { prepared } from '../store/statements.js';
import { yieldToWrites } from '../store/writer-yield.js';

/** A log record ready for the store: fixed fields, redacted text, the other fields as JSON. */
export interface IngestRecord {
  boot: string;
  seq: number;
  timeMs: number;
  level: number;
  subsystem: string;
  msg: string;
  fw: string;
  commit: string;
  extra: string;
}

export interface Cursor {
  boot: string;
  startedAt: string;
  storedSeq: number;
  confirmedSeq: number;
  unitLastSeq: number;
}

/** Log rows per multi-row INSERT (10 parameters each). */
const ROWS_PER_INSERT = 50;

const UPSERT_CURSOR = `INSERT INTO log_cursors (unit_id, boot, started_at, stored_seq, confirmed_seq, unit_last_seq) VALUES (@unit, @boot, @startedAt, @stored, @confirmed, @last)
  ON CONFLICT (unit_id, boot) DO UPDATE SET stored_seq = max(stored_seq, excluded.stored_seq),
    confirmed_seq = max(confirmed_seq, excluded.confirmed_seq), unit_last_seq = max(unit_last_seq, excluded.unit_last_seq)`;

export function readCursors(db: Db, unitId: string): Map<string, Cursor> {
  const rows = prepared(
    db,
    `SELECT boot, started_at AS startedAt, stored_seq AS storedSeq, confirmed_seq AS confirmedSeq, unit_last_seq AS unitLastSeq FROM log_cursors WHERE unit_id = ?`,
  ).all(unitId) as Cursor[];
  return new Map(rows.map((r) => [r.boot, r]));
}

function saveCursor(db: Db, unitId: string, c: Cursor): void {
  prepared(db, UPSERT_CURSOR).run({ unit: unitId, boot: c.boot, startedAt: c.startedAt, stored: c.storedSeq, confirmed: c.confirmedSeq, last: c.unitLastSeq });
}

/** The log tables' small writes, run by the store's writer (store-writer.ts). */
export const logWrites = {
  'logs.saveCursor': saveCursor,
};

/**
 * The log tables as the log ingest writes them: on the store's writer connection (the writer
 * thread, or the one connection of an in-memory store). Prepared statements, big transactions.
 */
export class LogWriter {
  private readonly insertLog;
  private readonly insertLogs;
  private readonly maxId;
  private readonly indexSince;
  private readonly insertGap;

  constructor(private readonly db: Db) {
    const insert = (rows: number) =>
      db.prepare(
        `INSERT OR IGNORE INTO log_records (unit_id, boot, seq, time_ms, level, subsystem, msg, fw, commit_sha, extra)
         VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
    this.insertLog = insert(1);
    this.insertLogs = insert(ROWS_PER_INSERT);
    this.maxId = db.prepare('SELECT coalesce(max(id), 0) AS m FROM log_records');
    this.indexSince = db.prepare('INSERT INTO log_fts(rowid, msg, extra) SELECT id, msg, extra FROM log_records WHERE id > ?');
    this.insertGap = db.prepare(`INSERT OR IGNORE INTO log_gaps (unit_id, boot, from_seq, to_seq, found_at) VALUES (?, ?, ?, ?, ?)`);
  }

  cursors(unitId: string): Map<string, Cursor> {
    return readCursors(this.db, unitId);
  }

  /**
   * Stores a batch of one boot's records and moves its cursor, in one transaction: after a
   * crash either both are there or neither. Returns how many rows were new.
   */
  ingest(unitId: string, cursor: Cursor, records: IngestRecord[], gaps: { from: number; to: number }[]): number {
    // The main thread's small writes waiting for this thread go first: they wait at most one batch.
    yieldToWrites();
    let added = 0;
    this.db.transaction(() => {
      const before = (this.maxId.get() as { m: number }).m;
      // Many rows per statement: half the cost of one call per row.
      const args: unknown[] = new Array(ROWS_PER_INSERT * 10);
      let i = 0;
      for (; i + ROWS_PER_INSERT <= records.length; i += ROWS_PER_INSERT) {
        for (let k = 0; k < ROWS_PER_INSERT; k++) {
          const r = records[i + k]!;
          const a = k * 10;
          args[a] = unitId;
          args[a + 1] = r.boot;
          args[a + 2] = r.seq;
          args[a + 3] = r.timeMs;
          args[a + 4] = r.level;
          args[a + 5] = r.subsystem;
          args[a + 6] = r.msg;
          args[a + 7] = r.fw;
          args[a + 8] = r.commit;
          args[a + 9] = r.extra;
        }
        added += this.insertLogs.run(args).changes;
      }
      for (; i < records.length; i++) {
        const r = records[i]!;
        added += this.insertLog.run(unitId, r.boot, r.seq, r.timeMs, r.level, r.subsystem, r.msg, r.fw, r.commit, r.extra).changes;
      }
      // The new rows (ids above the old maximum: this connection is the only writer) into the full-text index.
      if (added > 0) this.indexSince.run(before);
      const now = Date.now();
      for (const g of gaps) this.insertGap.run(unitId, cursor.boot, g.from, g.to, now);
      saveCursor(this.db, unitId, cursor);
    })();
    return added;
  }

  /**
   * Saves the cursor in a commit that syncs the write-ahead log: every commit before it is
   * durable too (the WAL is one sequential file). Run before a staging file is deleted.
   */
  saveCursorDurably(unitId: string, c: Cursor): void {
    const was = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = FULL');
    try {
      this.db.transaction(() => saveCursor(this.db, unitId, c))();
    } finally {
      this.db.pragma(`synchronous = ${Math.trunc(was)}`);
    }
  }
}

import type { Statement } from 'better-sqlite3';
import type { CrashDump, HealthSnapshot, LogGap, LogRecord, LogRow, LogsQueryParams, LogPage, StoredCrash } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { ftsQuery, isoToMs, LEVEL_NAME, LEVEL_NUMBER } from './log-search.js';

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

const COUNT_CAP = 10_000;
/** Log rows per multi-row INSERT (10 parameters each). */
const ROWS_PER_INSERT = 50;

/** The diagnostics tables: one writer, prepared statements, big transactions. */
export class DiagnosticsStore {
  private readonly insertLog: Statement;
  private readonly insertLogs: Statement;
  private readonly upsertCursor: Statement;
  private readonly insertGap: Statement;
  private readonly insertHealth: Statement;
  private readonly insertCrash: Statement;
  private readonly maxId: Statement;
  private readonly indexSince: Statement;

  constructor(private readonly db: Db) {
    const insert = (rows: number) =>
      db.prepare(
        `INSERT OR IGNORE INTO log_records (unit_id, boot, seq, time_ms, level, subsystem, msg, fw, commit_sha, extra)
         VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
    this.insertLog = insert(1);
    this.insertLogs = insert(ROWS_PER_INSERT);
    this.upsertCursor = db.prepare(
      `INSERT INTO log_cursors (unit_id, boot, started_at, stored_seq, confirmed_seq, unit_last_seq) VALUES (@unit, @boot, @startedAt, @stored, @confirmed, @last)
       ON CONFLICT (unit_id, boot) DO UPDATE SET stored_seq = max(stored_seq, excluded.stored_seq),
         confirmed_seq = max(confirmed_seq, excluded.confirmed_seq), unit_last_seq = max(unit_last_seq, excluded.unit_last_seq)`,
    );
    this.maxId = db.prepare('SELECT coalesce(max(id), 0) AS m FROM log_records');
    this.indexSince = db.prepare('INSERT INTO log_fts(rowid, msg, extra) SELECT id, msg, extra FROM log_records WHERE id > ?');
    this.insertGap = db.prepare(`INSERT OR IGNORE INTO log_gaps (unit_id, boot, from_seq, to_seq, found_at) VALUES (?, ?, ?, ?, ?)`);
    this.insertHealth = db.prepare(`INSERT OR IGNORE INTO health_snapshots (unit_id, time_ms, boot, time, snapshot) VALUES (?, ?, ?, ?, ?)`);
    this.insertCrash = db.prepare(
      `INSERT OR IGNORE INTO crash_dumps (unit_id, crash_id, time_ms, time, kind, message, fw, dump) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  cursors(unitId: string): Map<string, Cursor> {
    const rows = this.db
      .prepare(`SELECT boot, started_at AS startedAt, stored_seq AS storedSeq, confirmed_seq AS confirmedSeq, unit_last_seq AS unitLastSeq FROM log_cursors WHERE unit_id = ?`)
      .all(unitId) as Cursor[];
    return new Map(rows.map((r) => [r.boot, r]));
  }

  /**
   * Stores a batch of one boot's records and moves its cursor, in one transaction: after a
   * crash either both are there or neither. Returns how many rows were new.
   */
  ingest(unitId: string, cursor: Cursor, records: IngestRecord[], gaps: { from: number; to: number }[]): number {
    let added = 0;
    // IMMEDIATE: the transaction reads before it writes, and the main thread writes to the same
    // database (health, dumps, confirms). A deferred one fails at once with "database is locked"
    // when another connection commits between its read and its first write (SQLite's busy
    // handler does not wait for a stale snapshot); this one waits for the lock before reading.
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
      // The new rows (ids above the old maximum: this store is the only writer) into the full-text index.
      if (added > 0) this.indexSince.run(before);
      const now = Date.now();
      for (const g of gaps) this.insertGap.run(unitId, cursor.boot, g.from, g.to, now);
      this.saveCursor(unitId, cursor);
    }).immediate();
    return added;
  }

  saveCursor(unitId: string, c: Cursor): void {
    this.upsertCursor.run({ unit: unitId, boot: c.boot, startedAt: c.startedAt, stored: c.storedSeq, confirmed: c.confirmedSeq, last: c.unitLastSeq });
  }

  /**
   * Saves the cursor in a commit that syncs the write-ahead log: every commit before it is
   * durable too (the WAL is one sequential file). Run before a staging file is deleted.
   */
  saveCursorDurably(unitId: string, c: Cursor): void {
    const was = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = FULL');
    try {
      this.db.transaction(() => this.saveCursor(unitId, c))();
    } finally {
      this.db.pragma(`synchronous = ${Math.trunc(was)}`);
    }
  }

  gaps(unitId?: string): LogGap[] {
    const rows = this.db
      .prepare(`SELECT unit_id AS unitId, boot, from_seq AS fromSeq, to_seq AS toSeq FROM log_gaps ${unitId ? 'WHERE unit_id = ?' : ''} ORDER BY found_at`)
      .all(...(unitId ? [unitId] : [])) as LogGap[];
    return rows;
  }

  latestHealthTime(unitId: string): string | null {
    const row = this.db.prepare(`SELECT time FROM health_snapshots WHERE unit_id = ? ORDER BY time_ms DESC LIMIT 1`).get(unitId) as { time: string } | undefined;
    return row?.time ?? null;
  }

  addHealth(unitId: string, snapshots: HealthSnapshot[]): number {
    let added = 0;
    this.db.transaction(() => {
      for (const s of snapshots) {
        const ms = Date.parse(s.time);
        if (!Number.isFinite(ms)) continue;
        added += this.insertHealth.run(unitId, ms, s.boot, s.time, JSON.stringify(s)).changes;
      }
    })();
    return added;
  }

  health(unitId: string, fromMs: number | null, toMs: number | null, limit = 20_000): HealthSnapshot[] {
    const rows = this.db
      .prepare(
        `SELECT snapshot FROM (SELECT snapshot, time_ms FROM health_snapshots WHERE unit_id = ? AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms DESC LIMIT ?) ORDER BY time_ms`,
      )
      .all(unitId, fromMs ?? 0, toMs ?? Number.MAX_SAFE_INTEGER, limit) as { snapshot: string }[];
    return rows.map((r) => JSON.parse(r.snapshot) as HealthSnapshot);
  }

  hasCrash(unitId: string, crashId: string): boolean {
    return this.db.prepare(`SELECT 1 FROM crash_dumps WHERE unit_id = ? AND crash_id = ?`).get(unitId, crashId) !== undefined;
  }

  addCrash(unitId: string, dump: CrashDump): boolean {
    const ms = Date.parse(dump.time);
    return this.insertCrash.run(unitId, dump.id, Number.isFinite(ms) ? ms : 0, dump.time, dump.kind, dump.error.message, dump.fw, JSON.stringify(dump)).changes === 1;
  }

  /** Crash dumps stored for a unit, and their bytes (for its quota). */
  crashUsage(unitId: string): { count: number; bytes: number } {
    return this.db.prepare(`SELECT count(*) AS count, coalesce(sum(length(dump)), 0) AS bytes FROM crash_dumps WHERE unit_id = ?`).get(unitId) as { count: number; bytes: number };
  }

  markCrashesConfirmed(unitId: string, ids: string[]): void {
    const st = this.db.prepare(`UPDATE crash_dumps SET confirmed = 1 WHERE unit_id = ? AND crash_id = ?`);
    this.db.transaction(() => ids.forEach((id) => st.run(unitId, id)))();
  }

  crashes(unitId?: string): StoredCrash[] {
    const rows = this.db
      .prepare(
        `SELECT c.crash_id AS crashId, c.unit_id AS unitId, coalesce(u.name, c.unit_id) AS unitName, c.time, c.kind, c.message, c.fw
         FROM crash_dumps c LEFT JOIN units u ON u.id = c.unit_id ${unitId ? 'WHERE c.unit_id = ?' : ''} ORDER BY c.time_ms DESC LIMIT 1000`,
      )
      .all(...(unitId ? [unitId] : [])) as StoredCrash[];
    return rows;
  }

  crash(unitId: string, crashId: string): { summary: StoredCrash; dump: CrashDump } | null {
    const row = this.db
      .prepare(
        `SELECT c.crash_id AS crashId, c.unit_id AS unitId, coalesce(u.name, c.unit_id) AS unitName, c.time, c.kind, c.message, c.fw, c.dump
         FROM crash_dumps c LEFT JOIN units u ON u.id = c.unit_id WHERE c.unit_id = ? AND c.crash_id = ?`,
      )
      .get(unitId, crashId) as (StoredCrash & { dump: string }) | undefined;
    if (!row) return null;
    const { dump, ...summary } = row;
    return { summary, dump: JSON.parse(dump) as CrashDump };
  }

  crashDumps(unitId: string): CrashDump[] {
    return (this.db.prepare(`SELECT dump FROM crash_dumps WHERE unit_id = ? ORDER BY time_ms`).all(unitId) as { dump: string }[]).map((r) => JSON.parse(r.dump) as CrashDump);
  }

  crashCountSince(unitId: string, sinceMs: number): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM crash_dumps WHERE unit_id = ? AND time_ms >= ?`).get(unitId, sinceMs) as { n: number }).n;
  }

  notePull(unitId: string, error: string | null): void {
    this.db
      .prepare(`INSERT INTO diagnostics_pulls (unit_id, last_pull, last_error) VALUES (?, ?, ?) ON CONFLICT (unit_id) DO UPDATE SET last_pull = excluded.last_pull, last_error = excluded.last_error`)
      .run(unitId, Date.now(), error);
  }

  lastPull(unitId: string): number | null {
    return (this.db.prepare(`SELECT last_pull AS t FROM diagnostics_pulls WHERE unit_id = ?`).get(unitId) as { t: number } | undefined)?.t ?? null;
  }

  /** Units that have any diagnostics stored (a forgotten unit's data stays readable). */
  unitsWithData(): string[] {
    return (
      this.db
        .prepare(`SELECT unit_id FROM log_cursors UNION SELECT unit_id FROM health_snapshots UNION SELECT unit_id FROM crash_dumps`)
        .all() as { unit_id: string }[]
    ).map((r) => r.unit_id);
  }

  /**
   * One page of log rows, newest first (by arrival: a unit's records arrive in time order),
   * filtered. The text filter goes through FTS5 as escaped strings and drives the query, read
   * newest first, so a page costs the same whether a word is rare or common.
   */
  queryLogs(q: LogsQueryParams): LogPage {
    const where: string[] = [];
    const args: unknown[] = [];
    const match = q.text ? ftsQuery(q.text) : null;
    if (q.unitId) {
      where.push('r.unit_id = ?');
      args.push(q.unitId);
    }
    if (q.subsystem) {
      where.push('r.subsystem = ?');
      args.push(q.subsystem);
    }
    if (q.level) {
      where.push('r.level >= ?');
      args.push(LEVEL_NUMBER[q.level]);
    }
    const from = isoToMs(q.from);
    const to = isoToMs(q.to);
    if (from !== null) {
      where.push('r.time_ms >= ?');
      args.push(from);
    }
    if (to !== null) {
      where.push('r.time_ms <= ?');
      args.push(to);
    }
    const source = match ? 'log_fts f JOIN log_records r ON r.id = f.rowid' : 'log_records r';
    const allWhere = match ? ['log_fts MATCH ?', ...where] : where;
    const allArgs = match ? [match, ...args] : args;
    const order = match ? 'f.rowid DESC' : 'r.id DESC';
    const pageWhere = q.before ? [...allWhere, `${match ? 'f.rowid' : 'r.id'} < ?`] : allWhere;
    const pageArgs = q.before ? [...allArgs, q.before] : allArgs;
    const sqlWhere = (w: string[]) => (w.length ? `WHERE ${w.join(' AND ')}` : '');
    const rows = this.db
      .prepare(
        `SELECT r.id, r.unit_id AS unitId, coalesce(u.name, r.unit_id) AS unitName, r.time_ms AS timeMs, r.level, r.subsystem, r.msg, r.boot, r.seq
         FROM ${source} LEFT JOIN units u ON u.id = r.unit_id ${sqlWhere(pageWhere)} ORDER BY ${order} LIMIT ?`,
      )
      .all(...pageArgs, q.limit + 1) as (Omit<LogRow, 'time' | 'level'> & { timeMs: number; level: number })[];
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit).map(toRow);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${source} ${sqlWhere(allWhere)} LIMIT ${COUNT_CAP + 1})`).get(...allArgs) as { n: number }).n;
    return { rows: page, next: more ? (page.at(-1)?.id ?? null) : null, total: Math.min(total, COUNT_CAP), capped: total > COUNT_CAP };
  }

  /** Rows of one unit newer than `afterId` (the live tail), oldest first. */
  rowsAfter(unitId: string, afterId: number, limit = 500): LogRow[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.unit_id AS unitId, coalesce(u.name, r.unit_id) AS unitName, r.time_ms AS timeMs, r.level, r.subsystem, r.msg, r.boot, r.seq
         FROM log_records r LEFT JOIN units u ON u.id = r.unit_id WHERE r.unit_id = ? AND r.id > ? ORDER BY r.id LIMIT ?`,
      )
      .all(unitId, afterId, limit) as (Omit<LogRow, 'time' | 'level'> & { timeMs: number; level: number })[];
    return rows.map(toRow);
  }

  maxRowId(unitId: string): number {
    return (this.db.prepare(`SELECT coalesce(max(id), 0) AS m FROM log_records WHERE unit_id = ?`).get(unitId) as { m: number }).m;
  }

  /** The whole stored record (fixed fields + extra), as the unit sent it after redaction. */
  record(id: number): { unitId: string; unitName: string; record: LogRecord } | null {
    const r = this.db
      .prepare(
        `SELECT r.unit_id AS unitId, coalesce(u.name, r.unit_id) AS unitName, r.boot, r.seq, r.time_ms AS timeMs, r.level, r.subsystem, r.msg, r.fw, r.commit_sha AS commitSha, r.extra
         FROM log_records r LEFT JOIN units u ON u.id = r.unit_id WHERE r.id = ?`,
      )
      .get(id) as { unitId: string; unitName: string; boot: string; seq: number; timeMs: number; level: number; subsystem: string; msg: string; fw: string; commitSha: string; extra: string } | undefined;
    if (!r) return null;
    return { unitId: r.unitId, unitName: r.unitName, record: toRecord(r.unitId, r) };
  }

  /** Every stored record of a unit in (boot, seq) order, for exports. */
  *iterateRecords(unitId: string): Generator<LogRecord> {
    const st = this.db.prepare(
      `SELECT boot, seq, time_ms AS timeMs, level, subsystem, msg, fw, commit_sha AS commitSha, extra FROM log_records WHERE unit_id = ? ORDER BY time_ms, boot, seq`,
    );
    for (const r of st.iterate(unitId) as Iterable<{ boot: string; seq: number; timeMs: number; level: number; subsystem: string; msg: string; fw: string; commitSha: string; extra: string }>) {
      yield toRecord(unitId, r);
    }
  }

  countRecords(unitId?: string): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM log_records ${unitId ? 'WHERE unit_id = ?' : ''}`).get(...(unitId ? [unitId] : [])) as { n: number }).n;
  }
}

function toRow(r: Omit<LogRow, 'time' | 'level'> & { timeMs: number; level: number }): LogRow {
  const { timeMs, level, ...rest } = r;
  return { ...rest, time: new Date(timeMs).toISOString(), level: LEVEL_NAME[level] ?? 'info' };
}

function toRecord(unitId: string, r: { boot: string; seq: number; timeMs: number; level: number; subsystem: string; msg: string; fw: string; commitSha: string; extra: string }): LogRecord {
  const extra = JSON.parse(r.extra) as Record<string, unknown>;
  return {
    ...extra,
    time: new Date(r.timeMs).toISOString(),
    level: LEVEL_NAME[r.level] ?? 'info',
    subsystem: r.subsystem as LogRecord['subsystem'],
    msg: r.msg,
    fw: r.fw,
    commit: r.commitSha,
    unit: unitId,
    boot: r.boot,
    seq: r.seq,
  };
}

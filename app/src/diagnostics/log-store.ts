import type { LogGap, LogRecord, LogRow, LogsQueryParams, LogPage } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { prepared } from '../store/statements.js';
import { storeWriter, type StoreWriter } from '../store/store-writer.js';
import { readCursors, type Cursor, type IngestRecord } from './log-writer.js';
import { ftsQuery, isoToMs, LEVEL_NAME, LEVEL_NUMBER } from './log-search.js';

const COUNT_CAP = 10_000;

/** A `log_records` row as the list queries select it. */
interface RawLogRow {
  id: number;
  unitId: string;
  unitName: string;
  timeMs: number;
  level: number;
  subsystem: string;
  msg: string;
  boot: string;
  seq: number;
}

/** A whole `log_records` row (for the record view and exports); `commit` is an SQL keyword, so its column reads as commitSha. */
type RawLogRecord = Omit<IngestRecord, 'commit'> & { commitSha: string };

const ROW_COLUMNS = `r.id, r.unit_id AS unitId, coalesce(u.name, r.unit_id) AS unitName, r.time_ms AS timeMs, r.level, r.subsystem, r.msg, r.boot, r.seq`;
const RECORD_COLUMNS = `r.boot, r.seq, r.time_ms AS timeMs, r.level, r.subsystem, r.msg, r.fw, r.commit_sha AS commitSha, r.extra`;

/** The stored logs of every unit: cursors, gaps, search, the live tail, records for export. */
export class LogStore {
  private readonly writer: StoreWriter;

  constructor(private readonly db: Db) {
    this.writer = storeWriter(db);
  }

  cursors(unitId: string): Map<string, Cursor> {
    return readCursors(this.db, unitId);
  }

  saveCursor(unitId: string, c: Cursor): void {
    this.writer.run('logs.saveCursor', unitId, c);
  }

  gaps(unitId?: string): LogGap[] {
    return this.db
      .prepare(`SELECT unit_id AS unitId, boot, from_seq AS fromSeq, to_seq AS toSeq FROM log_gaps ${unitId ? 'WHERE unit_id = ?' : ''} ORDER BY found_at`)
      .all(...(unitId ? [unitId] : [])) as LogGap[];
  }

  /**
   * One page of log rows, newest first (by arrival: a unit's records arrive in time order),
   * filtered. The text filter goes through FTS5 as escaped strings and drives the query, read
   * newest first, so a page costs the same whether a word is rare or common.
   */
  query(q: LogsQueryParams): LogPage {
    const where: string[] = [];
    const args: unknown[] = [];
    const match = q.text ? ftsQuery(q.text) : null;
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      args.push(value);
    };
    if (q.unitId) add('r.unit_id = ?', q.unitId);
    if (q.subsystem) add('r.subsystem = ?', q.subsystem);
    if (q.level) add('r.level >= ?', LEVEL_NUMBER[q.level]);
    const from = isoToMs(q.from);
    const to = isoToMs(q.to);
    if (from !== null) add('r.time_ms >= ?', from);
    if (to !== null) add('r.time_ms <= ?', to);
    const source = match ? 'log_fts f JOIN log_records r ON r.id = f.rowid' : 'log_records r';
    const allWhere = match ? ['log_fts MATCH ?', ...where] : where;
    const allArgs = match ? [match, ...args] : args;
    const order = match ? 'f.rowid DESC' : 'r.id DESC';
    const pageWhere = q.before ? [...allWhere, `${match ? 'f.rowid' : 'r.id'} < ?`] : allWhere;
    const pageArgs = q.before ? [...allArgs, q.before] : allArgs;
    const sqlWhere = (w: string[]) => (w.length ? `WHERE ${w.join(' AND ')}` : '');
    const rows = this.db
      .prepare(`SELECT ${ROW_COLUMNS} FROM ${source} LEFT JOIN units u ON u.id = r.unit_id ${sqlWhere(pageWhere)} ORDER BY ${order} LIMIT ?`)
      .all(...pageArgs, q.limit + 1) as RawLogRow[];
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit).map(toRow);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${source} ${sqlWhere(allWhere)} LIMIT ${COUNT_CAP + 1})`).get(...allArgs) as { n: number }).n;
    return { rows: page, next: more ? (page.at(-1)?.id ?? null) : null, total: Math.min(total, COUNT_CAP), capped: total > COUNT_CAP };
  }

  /** Rows of one unit newer than `afterId` (the live tail), oldest first. */
  rowsAfter(unitId: string, afterId: number, limit = 500): LogRow[] {
    const rows = prepared(this.db, `SELECT ${ROW_COLUMNS} FROM log_records r LEFT JOIN units u ON u.id = r.unit_id WHERE r.unit_id = ? AND r.id > ? ORDER BY r.id LIMIT ?`).all(
      unitId,
      afterId,
      limit,
    ) as RawLogRow[];
    return rows.map(toRow);
  }

  maxRowId(unitId: string): number {
    return (prepared(this.db, `SELECT coalesce(max(id), 0) AS m FROM log_records WHERE unit_id = ?`).get(unitId) as { m: number }).m;
  }

  /** The whole stored record (fixed fields + extra), as the unit sent it after redaction. */
  record(id: number): { unitId: string; unitName: string; record: LogRecord } | null {
    const r = prepared(this.db, `SELECT r.unit_id AS unitId, coalesce(u.name, r.unit_id) AS unitName, ${RECORD_COLUMNS} FROM log_records r LEFT JOIN units u ON u.id = r.unit_id WHERE r.id = ?`).get(id) as
      | (RawLogRecord & { unitId: string; unitName: string })
      | undefined;
    if (!r) return null;
    return { unitId: r.unitId, unitName: r.unitName, record: toRecord(r.unitId, r) };
  }

  /** Every stored record of a unit in (boot, seq) order, for exports. */
  *iterateRecords(unitId: string): Generator<LogRecord> {
    const st = this.db.prepare(`SELECT ${RECORD_COLUMNS} FROM log_records r WHERE unit_id = ? ORDER BY time_ms, boot, seq`);
    for (const r of st.iterate(unitId) as Iterable<RawLogRecord>) yield toRecord(unitId, r);
  }

  count(unitId?: string): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM log_records ${unitId ? 'WHERE unit_id = ?' : ''}`).get(...(unitId ? [unitId] : [])) as { n: number }).n;
  }
}

function toRow(r: RawLogRow): LogRow {
  const { timeMs, level, ...rest } = r;
  return { ...rest, time: new Date(timeMs).toISOString(), level: LEVEL_NAME[level] ?? 'info' };
}

function toRecord(unitId: string, r: RawLogRecord): LogRecord {
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

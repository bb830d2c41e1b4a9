import type { CrashDump, StoredCrash } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { prepared } from '../store/statements.js';
import { storeWriter, type StoreWriter } from '../store/store-writer.js';

/** The crash dumps' writes, run by the store's writer (store-writer.ts). */
export const crashWrites = {
  'crashes.add': (db: Db, unitId: string, dump: CrashDump): boolean => {
    const ms = Date.parse(dump.time);
    return (
      prepared(db, `INSERT OR IGNORE INTO crash_dumps (unit_id, crash_id, time_ms, time, kind, message, fw, dump) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
        unitId,
        dump.id,
        Number.isFinite(ms) ? ms : 0,
        dump.time,
        dump.kind,
        dump.error.message,
        dump.fw,
        JSON.stringify(dump),
      ).changes === 1
    );
  },
  'crashes.markConfirmed': (db: Db, unitId: string, ids: string[]): void => {
    const st = prepared(db, `UPDATE crash_dumps SET confirmed = 1 WHERE unit_id = ? AND crash_id = ?`);
    db.transaction(() => ids.forEach((id) => st.run(unitId, id)))();
  },
};

const SUMMARY_COLUMNS = `c.crash_id AS crashId, c.unit_id AS unitId, coalesce(u.name, c.unit_id) AS unitName, c.time, c.kind, c.message, c.fw`;

/** The crash dumps pulled from the units (redacted). */
export class CrashStore {
  private readonly writer: StoreWriter;

  constructor(private readonly db: Db) {
    this.writer = storeWriter(db);
  }

  has(unitId: string, crashId: string): boolean {
    return prepared(this.db, `SELECT 1 FROM crash_dumps WHERE unit_id = ? AND crash_id = ?`).get(unitId, crashId) !== undefined;
  }

  /** Stores a dump; false when it was stored already. */
  add(unitId: string, dump: CrashDump): boolean {
    return this.writer.run('crashes.add', unitId, dump);
  }

  markConfirmed(unitId: string, ids: string[]): void {
    this.writer.run('crashes.markConfirmed', unitId, ids);
  }

  list(unitId?: string): StoredCrash[] {
    return this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM crash_dumps c LEFT JOIN units u ON u.id = c.unit_id ${unitId ? 'WHERE c.unit_id = ?' : ''} ORDER BY c.time_ms DESC LIMIT 1000`)
      .all(...(unitId ? [unitId] : [])) as StoredCrash[];
  }

  get(unitId: string, crashId: string): { summary: StoredCrash; dump: CrashDump } | null {
    const row = prepared(this.db, `SELECT ${SUMMARY_COLUMNS}, c.dump FROM crash_dumps c LEFT JOIN units u ON u.id = c.unit_id WHERE c.unit_id = ? AND c.crash_id = ?`).get(unitId, crashId) as
      | (StoredCrash & { dump: string })
      | undefined;
    if (!row) return null;
    const { dump, ...summary } = row;
    return { summary, dump: JSON.parse(dump) as CrashDump };
  }

  dumps(unitId: string): CrashDump[] {
    return (prepared(this.db, `SELECT dump FROM crash_dumps WHERE unit_id = ? ORDER BY time_ms`).all(unitId) as { dump: string }[]).map((r) => JSON.parse(r.dump) as CrashDump);
  }

  /** Crash dumps stored for a unit, and their bytes (for its quota). */
  usage(unitId: string): { count: number; bytes: number } {
    return prepared(this.db, `SELECT count(*) AS count, coalesce(sum(length(dump)), 0) AS bytes FROM crash_dumps WHERE unit_id = ?`).get(unitId) as { count: number; bytes: number };
  }

  countSince(unitId: string, sinceMs: number): number {
    return (prepared(this.db, `SELECT count(*) AS n FROM crash_dumps WHERE unit_id = ? AND time_ms >= ?`).get(unitId, sinceMs) as { n: number }).n;
  }
}

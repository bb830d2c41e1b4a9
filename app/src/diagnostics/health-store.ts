import type { HealthSnapshot } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { prepared } from '../store/statements.js';
import { storeWriter, type StoreWriter } from '../store/store-writer.js';

/** The health tables' writes, run by the store's writer (store-writer.ts). */
export const healthWrites = {
  'health.add': (db: Db, unitId: string, snapshots: HealthSnapshot[]): number => {
    const insert = prepared(db, `INSERT OR IGNORE INTO health_snapshots (unit_id, time_ms, boot, time, snapshot) VALUES (?, ?, ?, ?, ?)`);
    let added = 0;
    db.transaction(() => {
      for (const s of snapshots) {
        const ms = Date.parse(s.time);
        if (!Number.isFinite(ms)) continue;
        added += insert.run(unitId, ms, s.boot, s.time, JSON.stringify(s)).changes;
      }
    })();
    return added;
  },
};

/** The units' health snapshots, as pulled. */
export class HealthStore {
  private readonly writer: StoreWriter;

  constructor(private readonly db: Db) {
    this.writer = storeWriter(db);
  }

  latestTime(unitId: string): string | null {
    const row = prepared(this.db, `SELECT time FROM health_snapshots WHERE unit_id = ? ORDER BY time_ms DESC LIMIT 1`).get(unitId) as { time: string } | undefined;
    return row?.time ?? null;
  }

  /** Stores the snapshots not stored yet; returns how many were new. */
  add(unitId: string, snapshots: HealthSnapshot[]): number {
    return this.writer.run('health.add', unitId, snapshots);
  }

  /** The newest `limit` snapshots between the times (ms, inclusive), oldest first. */
  list(unitId: string, fromMs: number | null, toMs: number | null, limit = 20_000): HealthSnapshot[] {
    const rows = prepared(
      this.db,
      `SELECT snapshot FROM (SELECT snapshot, time_ms FROM health_snapshots WHERE unit_id = ? AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms DESC LIMIT ?) ORDER BY time_ms`,
    ).all(unitId, fromMs ?? 0, toMs ?? Number.MAX_SAFE_INTEGER, limit) as { snapshot: string }[];
    return rows.map((r) => JSON.parse(r.snapshot) as HealthSnapshot);
  }
}

import type { Db } from '../store/database.js';
import { prepared } from '../store/statements.js';
import { storeWriter, type StoreWriter } from '../store/store-writer.js';

/** The pull records' writes, run by the store's writer (store-writer.ts). */
export const pullWrites = {
  'pulls.note': (db: Db, unitId: string, at: number, error: string | null): void =>
    void prepared(
      db,
      `INSERT INTO diagnostics_pulls (unit_id, last_pull, last_error) VALUES (?, ?, ?) ON CONFLICT (unit_id) DO UPDATE SET last_pull = excluded.last_pull, last_error = excluded.last_error`,
    ).run(unitId, at, error),
};

/** When each unit's diagnostics were last pulled, and how that went. */
export class PullStore {
  private readonly writer: StoreWriter;

  constructor(private readonly db: Db) {
    this.writer = storeWriter(db);
  }

  note(unitId: string, error: string | null): void {
    this.writer.run('pulls.note', unitId, Date.now(), error);
  }

  last(unitId: string): number | null {
    return (prepared(this.db, `SELECT last_pull AS t FROM diagnostics_pulls WHERE unit_id = ?`).get(unitId) as { t: number } | undefined)?.t ?? null;
  }
}

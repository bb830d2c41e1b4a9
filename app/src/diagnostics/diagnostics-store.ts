import type { Db } from '../store/database.js';
import { CrashStore } from './crash-dumps.js';
import { HealthStore } from './health-store.js';
import { LogStore } from './log-store.js';
import { PullStore } from './pull-store.js';

export type { Cursor, IngestRecord } from './log-writer.js';

/** What the companion stores of its units' diagnostics: logs, health, crash dumps, pulls. */
export class DiagnosticsStore {
  readonly logs: LogStore;
  readonly health: HealthStore;
  readonly crashes: CrashStore;
  readonly pulls: PullStore;

  constructor(readonly db: Db) {
    this.logs = new LogStore(db);
    this.health = new HealthStore(db);
    this.crashes = new CrashStore(db);
    this.pulls = new PullStore(db);
  }

  /** Units that have any diagnostics stored (a forgotten unit's data stays readable). */
  unitsWithData(): string[] {
    return (
      this.db.prepare(`SELECT unit_id FROM log_cursors UNION SELECT unit_id FROM health_snapshots UNION SELECT unit_id FROM crash_dumps`).all() as { unit_id: string }[]
    ).map((r) => r.unit_id);
  }
}

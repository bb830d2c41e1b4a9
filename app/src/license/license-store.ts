import { licenseStatus, type LicenseStatus, type UnitLicenseView } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { prepared } from '../store/statements.js';
import { storeWriter, type StoreWriter } from '../store/store-writer.js';

/** The licence statuses' writes, run by the store's writer (store-writer.ts). */
export const licenseWrites = {
  /** Keeps a unit's latest reported licence; an answer older than the one stored changes nothing. */
  'licenses.save': (db: Db, unitId: string, status: string, seenAt: number): void =>
    void prepared(
      db,
      `INSERT INTO unit_licenses (unit_id, status, seen_at) VALUES (?, ?, ?)
       ON CONFLICT (unit_id) DO UPDATE SET status = excluded.status, seen_at = excluded.seen_at WHERE excluded.seen_at >= unit_licenses.seen_at`,
    ).run(unitId, status, seenAt),
};

/**
 * The latest licence status each unit reported to this companion, in SQLite: what the unit cards
 * and the Licences screen show when the unit is out of reach. A stored row that no longer
 * matches the schema (written by another version) reads as never heard.
 */
export class LicenseStore {
  private readonly writer: StoreWriter;

  constructor(private readonly db: Db) {
    this.writer = storeWriter(db);
  }

  save(unitId: string, status: LicenseStatus, seenAt = Date.now()): UnitLicenseView {
    this.writer.run('licenses.save', unitId, JSON.stringify(status), seenAt);
    return { unitId, status, seenAt };
  }

  get(unitId: string): UnitLicenseView {
    const row = prepared(this.db, 'SELECT unit_id, status, seen_at FROM unit_licenses WHERE unit_id = ?').get(unitId) as Row | undefined;
    return row ? toView(row) : { unitId, status: null, seenAt: null };
  }

  /** Every unit with a stored licence. */
  all(): UnitLicenseView[] {
    return (prepared(this.db, 'SELECT unit_id, status, seen_at FROM unit_licenses ORDER BY unit_id').all() as Row[]).map(toView);
  }
}

interface Row {
  unit_id: string;
  status: string;
  seen_at: number;
}

function toView(r: Row): UnitLicenseView {
  let status: LicenseStatus | null = null;
  try {
    const parsed: unknown = JSON.parse(r.status);
    status = licenseStatus.is(parsed) ? parsed : null;
  } catch {
    status = null;
  }
  return { unitId: r.unit_id, status, seenAt: status ? r.seen_at : null };
}

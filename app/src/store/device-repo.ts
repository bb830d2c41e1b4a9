import type { LinkKind } from '@pitwall/protocol';
import type { Db } from './database.js';
import { prepared } from './statements.js';
import { storeWriter, type StoreWriter } from './store-writer.js';

export interface UnitRow {
  id: string;
  name: string;
  model: string;
  firmware: string;
  commit: string | null;
  firstSeen: number;
  lastSeen: number;
}

export interface LinkRow {
  unitId: string;
  kind: LinkKind;
  target: string;
  lastSeen: number;
}

export interface ManualAddressRow {
  target: string;
  unitId: string | null;
  addedAt: number;
}

interface RawUnit {
  id: string;
  name: string;
  model: string;
  firmware: string;
  commit_sha: string | null;
  first_seen: number;
  last_seen: number;
}

const UPSERT_UNIT = `INSERT INTO units (id, name, model, firmware, commit_sha, first_seen, last_seen)
  VALUES (@id, @name, @model, @firmware, @commit, @lastSeen, @lastSeen)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name, model = excluded.model,
    firmware = excluded.firmware, commit_sha = COALESCE(excluded.commit_sha, units.commit_sha),
    last_seen = MAX(units.last_seen, excluded.last_seen)`;
const UPSERT_LINK = `INSERT INTO links (unit_id, kind, target, last_seen) VALUES (@unitId, @kind, @target, @lastSeen)
  ON CONFLICT(unit_id, kind, target) DO UPDATE SET last_seen = MAX(links.last_seen, excluded.last_seen)`;

/** The device tables' writes, run by the store's writer (store-writer.ts). */
export const unitWrites = {
  'units.recordSighting': (db: Db, unit: Omit<UnitRow, 'firstSeen'>, link: Omit<LinkRow, 'unitId'> | null): void =>
    db.transaction(() => {
      prepared(db, UPSERT_UNIT).run(unit);
      if (link) prepared(db, UPSERT_LINK).run({ unitId: unit.id, ...link });
    })(),
  'units.deleteLink': (db: Db, unitId: string, kind: LinkKind, target: string): void => void prepared(db, 'DELETE FROM links WHERE unit_id = ? AND kind = ? AND target = ?').run(unitId, kind, target),
  'units.forget': (db: Db, id: string): boolean => prepared(db, 'DELETE FROM units WHERE id = ?').run(id).changes > 0,
  'units.saveManualAddress': (db: Db, target: string, unitId: string | null, addedAt: number): void =>
    void prepared(db, 'INSERT INTO manual_addresses (target, unit_id, added_at) VALUES (?, ?, ?) ON CONFLICT(target) DO UPDATE SET unit_id = excluded.unit_id').run(target, unitId, addedAt),
  'units.deleteManualAddress': (db: Db, target: string): void => void prepared(db, 'DELETE FROM manual_addresses WHERE target = ?').run(target),
};

/** Typed queries over the device tables: reads on this connection, writes through the store's writer. */
export class DeviceRepo {
  private readonly stmts;
  private readonly writer: StoreWriter;

  constructor(db: Db) {
    this.writer = storeWriter(db);
    this.stmts = {
      listUnits: db.prepare('SELECT * FROM units ORDER BY first_seen, id'),
      getUnit: db.prepare('SELECT * FROM units WHERE id = ?'),
      listLinks: db.prepare('SELECT unit_id AS unitId, kind, target, last_seen AS lastSeen FROM links ORDER BY unit_id, kind, target'),
      listManual: db.prepare('SELECT target, unit_id AS unitId, added_at AS addedAt FROM manual_addresses ORDER BY added_at, target'),
    };
  }

  /**
   * Records that a unit was seen (creating it on first sight) together with the link it was
   * seen on. Posted: the caller (discovery, many times a minute) never waits for the writer.
   */
  recordSighting(unit: Omit<UnitRow, 'firstSeen'>, link: Omit<LinkRow, 'unitId'> | null): void {
    this.writer.post('units.recordSighting', unit, link);
  }

  deleteLink(unitId: string, kind: LinkKind, target: string): void {
    this.writer.run('units.deleteLink', unitId, kind, target);
  }

  getUnit(id: string): UnitRow | undefined {
    const raw = this.stmts.getUnit.get(id) as RawUnit | undefined;
    return raw && toUnit(raw);
  }

  listUnits(): UnitRow[] {
    return (this.stmts.listUnits.all() as RawUnit[]).map(toUnit);
  }

  listLinks(): LinkRow[] {
    return this.stmts.listLinks.all() as LinkRow[];
  }

  /** Removes a unit with its links and the manual addresses that led to it. */
  forgetUnit(id: string): boolean {
    return this.writer.run('units.forget', id);
  }

  saveManualAddress(target: string, unitId: string | null, addedAt = Date.now()): void {
    this.writer.run('units.saveManualAddress', target, unitId, addedAt);
  }

  listManualAddresses(): ManualAddressRow[] {
    return this.stmts.listManual.all() as ManualAddressRow[];
  }

  deleteManualAddress(target: string): void {
    this.writer.run('units.deleteManualAddress', target);
  }
}

function toUnit(r: RawUnit): UnitRow {
  return {
    id: r.id,
    name: r.name,
    model: r.model,
    firmware: r.firmware,
    commit: r.commit_sha,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  };
}

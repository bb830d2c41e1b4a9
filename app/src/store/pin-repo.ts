import type { Role } from '@pitwall/protocol';
import type { Db } from './database.js';
import { prepared } from './statements.js';
import { storeWriter, type StoreWriter } from './store-writer.js';

/** A unit's pinned identity: the fingerprint and certificate it presented at pairing. */
export interface Pin {
  unitId: string;
  fingerprint: string;
  /** PEM; its key verifies the unit's challenge signatures. */
  certificate: string;
  role: Role;
  via: 'usb' | 'net';
  pairedAt: number;
}

interface RawPin {
  unit_id: string;
  fingerprint: string;
  certificate: string;
  role: Role;
  via: 'usb' | 'net';
  paired_at: number;
}

const UPSERT_PIN = `INSERT INTO pins (unit_id, fingerprint, certificate, role, via, paired_at)
  VALUES (@unitId, @fingerprint, @certificate, @role, @via, @pairedAt)
  ON CONFLICT(unit_id) DO UPDATE SET fingerprint = excluded.fingerprint, certificate = excluded.certificate,
    role = excluded.role, via = excluded.via, paired_at = excluded.paired_at`;

/** The pins' writes, run by the store's writer (store-writer.ts). */
export const pinWrites = {
  'pins.save': (db: Db, pin: Pin): void => void prepared(db, UPSERT_PIN).run(pin),
  'pins.delete': (db: Db, unitId: string): boolean => prepared(db, 'DELETE FROM pins WHERE unit_id = ?').run(unitId).changes > 0,
};

/** Typed queries over `pins` (migration 2): reads on this connection, writes through the store's writer. */
export class PinRepo {
  private readonly stmts;
  private readonly writer: StoreWriter;

  constructor(db: Db) {
    this.writer = storeWriter(db);
    this.stmts = {
      get: db.prepare('SELECT * FROM pins WHERE unit_id = ?'),
      list: db.prepare('SELECT * FROM pins ORDER BY paired_at, unit_id'),
    };
  }

  /** The unit must already be in `units` (the registry records it on first sight). */
  save(pin: Pin): void {
    this.writer.run('pins.save', pin);
  }

  get(unitId: string): Pin | undefined {
    const raw = this.stmts.get.get(unitId) as RawPin | undefined;
    return raw && toPin(raw);
  }

  list(): Pin[] {
    return (this.stmts.list.all() as RawPin[]).map(toPin);
  }

  delete(unitId: string): boolean {
    return this.writer.run('pins.delete', unitId);
  }
}

function toPin(r: RawPin): Pin {
  return { unitId: r.unit_id, fingerprint: r.fingerprint, certificate: r.certificate, role: r.role, via: r.via, pairedAt: r.paired_at };
}

import type { Kysely, Transaction } from 'kysely';
import { emptyLapColumns, nameInterner, packSharedLaps, type LapColumns, type SharedSession } from '@pitwall/protocol';
import type { FleetLapColumnsTable, HubTables } from '../db/tables.js';

/** What fleet_lap_columns keeps of a shared session (shared_sessions' columns). */
export interface FleetLapSession {
  unit_id: string;
  session_id: string;
  driver_id: string;
  started_at: string;
  track_id: string | null;
  /** The laps as shared_sessions keeps them (JSON text) or as uploaded. */
  laps: string | SharedSession['laps'];
}

// Rows per statement, under SQLite's 32,766 bound parameters and PostgreSQL's 65,535: a row
// binds 7, a session key 2.
const ROWS_PER_INSERT = 1000;
const KEYS_PER_DELETE = 3000;

/** The fleet_lap_columns row of a session: null for one off any track, or without laps. */
export function fleetLapRow(s: FleetLapSession): FleetLapColumnsTable | null {
  const laps = typeof s.laps === 'string' ? (JSON.parse(s.laps) as SharedSession['laps']) : s.laps;
  if (s.track_id === null || laps.length === 0) return null;
  const p = packSharedLaps(s.started_at, laps);
  return { unit_id: s.unit_id, session_id: s.session_id, track_id: s.track_id, driver_id: s.driver_id, laps: p.laps, sectors: p.sectors, columns: new Uint8Array(p.columns.buffer) };
}

/**
 * Keeps the fleet distributions' copy of shared sessions (their laps packed as float64 columns),
 * in the caller's transaction, with the sessions' own rows: one call per write of
 * shared_sessions, for one session or a batch, a few statements whatever the batch's size. A
 * session off any track, or without laps, has no row.
 */
export async function writeFleetLapColumns(db: Kysely<HubTables> | Transaction<HubTables>, sessions: readonly FleetLapSession[]): Promise<void> {
  for (let i = 0; i < sessions.length; i += KEYS_PER_DELETE) {
    const byUnit = new Map<string, string[]>();
    for (const s of sessions.slice(i, i + KEYS_PER_DELETE)) {
      const ids = byUnit.get(s.unit_id);
      if (ids) ids.push(s.session_id);
      else byUnit.set(s.unit_id, [s.session_id]);
    }
    await db
      .deleteFrom('fleet_lap_columns')
      .where((eb) => eb.or([...byUnit].map(([unit, ids]) => eb.and([eb('unit_id', '=', unit), eb('session_id', 'in', ids)]))))
      .execute();
  }
  const rows = sessions.map(fleetLapRow).filter((r) => r !== null);
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await db.insertInto('fleet_lap_columns').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
}

type Row = { name: string; unit_id: string; session_id: string; laps: number; sectors: number; columns: Uint8Array };

const byUnitAndSession = (a: Row, b: Row) => (a.unit_id !== b.unit_id ? (a.unit_id < b.unit_id ? -1 : 1) : a.session_id < b.session_id ? -1 : a.session_id > b.session_id ? 1 : 0);

/**
 * A track's laps shared with any of the given groups (each session once however many of the
 * groups it is shared with) as protocol's LapColumns, from one range of fleet_lap_columns' track
 * index: no JSON to parse. Isolation is the caller's: `groupIds` are groups they are in. Sectors
 * are a column each for a session with the track's most sectors, NaN otherwise; the hub keeps no
 * traces, so no corners. Sessions in unit and session order (of their UTF-16 code units): the
 * distribution's member order and its ties follow the order of the laps.
 */
export async function readFleetLapColumns(db: Kysely<HubTables>, trackId: string, groupIds: readonly string[]): Promise<LapColumns> {
  if (groupIds.length === 0) return emptyLapColumns(0, 0, 0);
  const all: Row[] = await db
    .selectFrom('fleet_lap_columns as f')
    .innerJoin('members', 'members.id', 'f.driver_id')
    .select(['members.name', 'f.unit_id', 'f.session_id', 'f.laps', 'f.sectors', 'f.columns'])
    .where('f.track_id', '=', trackId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('session_shares')
          .select('session_shares.group_id')
          .whereRef('session_shares.unit_id', '=', 'f.unit_id')
          .whereRef('session_shares.session_id', '=', 'f.session_id')
          .where('session_shares.group_id', 'in', groupIds),
      ),
    )
    .execute();
  // Ordered here, not by the database: PostgreSQL would sort the wide rows (spilling to disk
  // past work_mem at 100,000 laps), and the order is the same whatever the collation.
  // A row whose blob does not match its counts (a damaged row) is left out, not misread.
  const rows = all.filter((r) => r.columns.byteLength === r.laps * (3 + r.sectors) * 8).sort(byUnitAndSession);
  let n = 0;
  let S = 0;
  for (const r of rows) {
    n += r.laps;
    S = Math.max(S, r.sectors);
  }
  const out = emptyLapColumns(n, S, 0);
  const driverOf = nameInterner(out.drivers);
  const unitOf = nameInterner(out.units);
  // Each blob may sit at any byte offset: copied into one aligned scratch array (an array a
  // row would be thousands of allocations), then column by column into the track's columns.
  let cols = new Float64Array(0);
  let bytes = new Uint8Array(0);
  let at = 0;
  for (const r of rows) {
    const m = r.laps;
    if (cols.length < m * (3 + r.sectors)) bytes = new Uint8Array((cols = new Float64Array(m * (3 + r.sectors))).buffer);
    bytes.set(r.columns);
    out.driver.fill(driverOf(r.name), at, at + m);
    out.unit.fill(unitOf(r.unit_id), at, at + m);
    for (let i = 0; i < m; i++) {
      out.startT[at + i] = cols[m + i]!;
      out.timeMs[at + i] = cols[2 * m + i]!;
    }
    if (r.sectors === S) for (let k = 0; k < S; k++) for (let i = 0; i < m; i++) out.sectorsMs[k * n + at + i] = cols[(3 + k) * m + i]!;
    at += m;
  }
  return out;
}

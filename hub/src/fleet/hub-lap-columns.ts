import type { Kysely } from 'kysely';
import { emptyLapColumns, nameInterner, type LapColumns, type SharedSession } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';

/** A shared session as the fleet distributions read it: its driver's name, unit, start and laps. */
export interface FleetSessionRow {
  driver: string;
  unitId: string;
  startedAt: string;
  laps: SharedSession['laps'];
}

/**
 * The sessions on a track shared with any of the given groups, each once however many of the
 * groups it is shared with. Isolation is the caller's: `groupIds` are groups they are in.
 */
export async function readFleetSessions(db: Kysely<HubTables>, trackId: string, groupIds: readonly string[]): Promise<FleetSessionRow[]> {
  if (groupIds.length === 0) return [];
  const rows = await db
    .selectFrom('shared_sessions')
    .innerJoin('members', 'members.id', 'shared_sessions.driver_id')
    .select(['members.name', 'shared_sessions.unit_id', 'shared_sessions.started_at', 'shared_sessions.laps'])
    .where('shared_sessions.track_id', '=', trackId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('session_shares')
          .select('session_shares.group_id')
          .whereRef('session_shares.unit_id', '=', 'shared_sessions.unit_id')
          .whereRef('session_shares.session_id', '=', 'shared_sessions.session_id')
          .where('session_shares.group_id', 'in', groupIds),
      ),
    )
    .execute();
  return rows.map((r) => ({ driver: r.name, unitId: r.unit_id, startedAt: r.started_at, laps: JSON.parse(r.laps) as SharedSession['laps'] }));
}


/**
 * Shared sessions as protocol's LapColumns. A shared lap has no start time of its own: it is
 * the session's start plus the laps before it (which orders a driver's laps and puts them on
 * the session's day, all the progress by day needs). Sectors are a column each when a lap has
 * the track's most sectors, NaN otherwise; the hub keeps no traces, so no corners.
 */
export function sharedLapColumns(sessions: readonly FleetSessionRow[]): LapColumns {
  let n = 0;
  let S = 0;
  for (const s of sessions) {
    n += s.laps.length;
    for (const l of s.laps) S = Math.max(S, l.sectorsMs.length);
  }
  // The hub keeps no traces: no corner speeds.
  const c = emptyLapColumns(n, S, 0);
  const driverOf = nameInterner(c.drivers);
  const unitOf = nameInterner(c.units);
  let i = 0;
  for (const s of sessions) {
    const d = driverOf(s.driver);
    const u = unitOf(s.unitId);
    let t = Date.parse(s.startedAt);
    for (const l of [...s.laps].sort((a, b) => a.lap - b.lap)) {
      c.driver[i] = d;
      c.unit[i] = u;
      c.startT[i] = t;
      c.timeMs[i] = l.timeMs;
      if (l.sectorsMs.length === S) l.sectorsMs.forEach((v, k) => (c.sectorsMs[k * n + i] = v));
      t += l.timeMs;
      i++;
    }
  }
  return c;
}

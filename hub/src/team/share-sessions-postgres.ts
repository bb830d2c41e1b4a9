import { sql, type Kysely } from 'kysely';
import type { SharedSessionBatchItem } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { fleetLapRow } from '../fleet/hub-lap-columns.js';
import type { SessionRow } from './share-sessions.js';
import type { SharingRightsQuery } from './sharing-rights.js';

/** Why the one statement refused a batch: the caller's rights (sharingRights names which), or a session another driver holds. */
export type StatementRefusal = 'sharing-refused' | 'session-of-another-driver';

/** The refusal hub_refuse raised in the statement, else null. */
export function statementRefusal(err: unknown): StatementRefusal | null {
  const e = err as { code?: string; message?: string };
  return e.code === 'P0001' && (e.message === 'sharing-refused' || e.message === 'session-of-another-driver') ? e.message : null;
}

/**
 * The writes of shareSessions in one PostgreSQL statement, so a batch costs the hub one round
 * trip instead of a transaction's six (over a network, or a loaded machine, those are most of
 * its cost): each session upserted unless another driver holds it (in key order, so two batches
 * touching the same sessions queue instead of deadlocking), its groups made exactly those sent
 * and its fleet_lap_columns row replaced (or removed). The sessions come as one JSON document
 * (`laps` kept as the very text sent), the packed lap columns as one bytea sliced per session. A
 * session another driver holds, or a right the caller lacks, aborts the whole statement
 * (hub_refuse, migration 0010): the statement is its own transaction, so nothing of the batch is
 * written. The rights are read in it too (`rights`, the sharingRights query of the batch's groups
 * and units, embedded as it is: the rule is written once); `groupCount` is how many groups it names.
 * A batch costs the hub the token's lookup and this statement.
 */
export async function shareSessionsInOneStatement(db: Kysely<HubTables>, rows: readonly SessionRow[], items: readonly SharedSessionBatchItem[], rights: SharingRightsQuery, groupCount: number): Promise<void> {
  const columns: Uint8Array[] = [];
  let at = 0;
  const records = rows.map((r, i) => {
    const p = fleetLapRow({ ...r, laps: items[i]!.laps });
    const slice = p ? { lap_count: p.laps, sector_count: p.sectors, columns_at: at, columns_bytes: p.columns.byteLength } : {};
    if (p) {
      columns.push(p.columns);
      at += p.columns.byteLength;
    }
    const fields = JSON.stringify({ unit_id: r.unit_id, session_id: r.session_id, started_at: r.started_at, track_id: r.track_id, groups: items[i]!.groups, ...slice });
    // The laps as shared_sessions keeps them (already JSON): spliced in, not stringified twice.
    return `${fields.slice(0, -1)},"laps":${r.laps}}`;
  });
  const [json, bytes, driver, updatedAt] = [`[${records.join(',')}]`, Buffer.concat(columns), rows[0]!.driver_id, rows[0]!.updated_at];
  await sql`
WITH rights AS (${rights}), incoming AS (
  SELECT * FROM json_to_recordset(${json}::json) AS i(unit_id text, session_id text, started_at text, track_id text, laps json, groups json, lap_count int, sector_count int, columns_at int, columns_bytes int)
), up AS (
  INSERT INTO shared_sessions AS s (unit_id, session_id, driver_id, started_at, track_id, laps, updated_at)
  SELECT unit_id, session_id, ${driver}, started_at, track_id, laps::text, ${updatedAt} FROM incoming ORDER BY unit_id, session_id
  ON CONFLICT (unit_id, session_id) DO UPDATE
    SET started_at = excluded.started_at, track_id = excluded.track_id, laps = excluded.laps, updated_at = excluded.updated_at
    WHERE s.driver_id = excluded.driver_id
  RETURNING s.unit_id, s.session_id
), mine AS (
  SELECT i.* FROM incoming i JOIN up ON up.unit_id = i.unit_id AND up.session_id = i.session_id
), wanted AS (
  SELECT g.group_id, m.unit_id, m.session_id FROM mine m, json_array_elements_text(m.groups) AS g(group_id)
), unshared AS (
  DELETE FROM session_shares x USING mine m
  WHERE x.unit_id = m.unit_id AND x.session_id = m.session_id
    AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.group_id = x.group_id AND w.unit_id = x.unit_id AND w.session_id = x.session_id)
), shared AS (
  INSERT INTO session_shares (group_id, unit_id, session_id) SELECT group_id, unit_id, session_id FROM wanted
  ON CONFLICT DO NOTHING
), packed AS (
  INSERT INTO fleet_lap_columns AS f (unit_id, session_id, track_id, driver_id, laps, sectors, columns)
  SELECT unit_id, session_id, track_id, ${driver}, lap_count, sector_count, substring(${bytes}::bytea FROM columns_at + 1 FOR columns_bytes) FROM mine WHERE columns_bytes IS NOT NULL
  ON CONFLICT (unit_id, session_id) DO UPDATE
    SET track_id = excluded.track_id, driver_id = excluded.driver_id, laps = excluded.laps, sectors = excluded.sectors, columns = excluded.columns
), unpacked AS (
  DELETE FROM fleet_lap_columns f USING mine m WHERE f.unit_id = m.unit_id AND f.session_id = m.session_id AND m.columns_bytes IS NULL
)
SELECT CASE
  WHEN (SELECT count(*) FROM rights WHERE kind = 'unit') > 0 OR (SELECT count(*) FROM rights WHERE kind = 'role' AND value = 'driver') <> ${groupCount} THEN hub_refuse('sharing-refused')
  WHEN count(*) <> ${rows.length} THEN hub_refuse('session-of-another-driver')
  ELSE count(*)::int END AS written FROM up`.execute(db);
}

import { CompanionError, fleetDistribution, trackAnalysis, trackDisplayName, type FleetDistributionResult, type FleetTrack, type MethodParams, type TrackDefinition } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { readTrackLaps } from './lap-features.js';

/** Tracks with laps in the store: their drivers (a session's driver, else its unit) and units. */
export function fleetTracks(db: Db, tracks: readonly TrackDefinition[]): FleetTrack[] {
  const rows = db
    .prepare(
      `SELECT track_id, SUM(laps) AS laps, json_group_array(DISTINCT driver) AS drivers, json_group_array(DISTINCT unit_name) AS units
       FROM (SELECT track_id, laps, COALESCE(driver, unit_name) AS driver, unit_name FROM lap_features
             UNION ALL
             SELECT track_id, laps, driver, unit_id FROM hub_lap_features h
             WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.unit_id = h.unit_id AND s.session_id = h.session_id))
       GROUP BY track_id ORDER BY laps DESC`,
    )
    .all() as { track_id: string; laps: number; drivers: string; units: string }[];
  return rows.map((r) => {
    const t = tracks.find((x) => x.id === r.track_id);
    return { trackId: r.track_id, name: t ? trackDisplayName(t) : r.track_id, laps: r.laps, drivers: (JSON.parse(r.drivers) as string[]).sort(), units: (JSON.parse(r.units) as string[]).sort() };
  });
}

/**
 * One track's distributions for a group, computed here from the store (offline at the track):
 * one range read of lap_features and protocol's fleetDistribution, the same code the hub runs
 * for a whole organisation.
 */
export function fleetForTrack(db: Db, tracks: readonly TrackDefinition[], p: MethodParams<'fleet:distribution'>): FleetDistributionResult {
  const started = performance.now();
  const track = tracks.find((t) => t.id === p.trackId);
  const cols = readTrackLaps(db, p.trackId);
  if (!track && cols.count === 0) throw new CompanionError('not-found', `no track "${p.trackId}" and no laps on it here`);
  const d = fleetDistribution(cols, { groupBy: p.groupBy, members: p.members, mark: p.mark });
  const corners = track ? (trackAnalysis(track)?.corners ?? []) : [];
  return {
    trackId: p.trackId,
    trackName: track ? trackDisplayName(track) : p.trackId,
    groupBy: d.groupBy,
    mark: p.mark ?? null,
    laps: d.laps,
    members: d.members,
    lapTimes: d.lapTimes,
    sectors: d.sectors,
    // Corner rows were measured on the track's corners as they are now; a changed outline re-times them.
    corners: d.corners.map((minKmh, i) => ({ number: i + 1, direction: corners[i]?.direction ?? 'left', apexM: corners[i]?.apexM ?? 0, minKmh })),
    theoreticalBest: d.theoreticalBest,
    progress: d.progress,
    markedLapsMs: d.markedLapsMs,
    computeMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

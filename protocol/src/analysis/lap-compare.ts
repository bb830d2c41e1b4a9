import { cornerSpeedsOn, ANALYSIS_STEP_M, type CornerSpeeds, type TrackAnalysis } from './corner-speeds.js';
import { interpolateAt, lapAtStations, stationGrid, type LapSpan, type StationFix } from './lap-stations.js';
import type { TrackCorner } from './track-corners.js';

/** One lap to compare: its fixes (any rate; a little before and after the lap helps), span and sector times. */
export interface CompareLap extends LapSpan {
  fixes: readonly StationFix[];
  sectorsMs: readonly number[];
}

export interface SectorComparison {
  sector: number;
  aMs: number | null;
  bMs: number | null;
  /** b - a; positive: b slower. */
  deltaMs: number | null;
}

export interface CornerComparison {
  corner: TrackCorner;
  a: CornerSpeeds;
  b: CornerSpeeds;
  /** Time b lost (positive) or gained between the corner's entry and exit. */
  deltaMs: number;
}

export interface LapComparison {
  lengthM: number;
  /** The common distance axis, metres from the start/finish. */
  stationsM: number[];
  a: { elapsedMs: number[]; speedMps: number[] };
  b: { elapsedMs: number[]; speedMps: number[] };
  /** b's elapsed minus a's at each station: positive, b is behind. Ends at the lap-time difference. */
  deltaMs: number[];
  sectors: SectorComparison[];
  corners: CornerComparison[];
}

/**
 * Two laps of one track compared by distance along its reference line: both are projected on
 * the line and their elapsed time and speed interpolated at common stations, so laps from
 * different units, GNSS rates and lines driven meet at the same places. Sectors come from the
 * lap timer's splits (the same lines for both); corners from the track's curvature.
 */
export function compareLaps(analysis: TrackAnalysis, a: CompareLap, b: CompareLap, stepM = ANALYSIS_STEP_M): LapComparison {
  const grid = stationGrid(analysis.line.lengthM, stepM);
  const sa = lapAtStations(analysis.line, a.fixes, a, grid);
  const sb = lapAtStations(analysis.line, b.fixes, b, grid);
  const deltaMs = grid.map((_, i) => sb.elapsedMs[i]! - sa.elapsedMs[i]!);
  const ca = cornerSpeedsOn(grid, sa.speedMps, analysis.corners);
  const cb = cornerSpeedsOn(grid, sb.speedMps, analysis.corners);
  const deltaAt = (s: number) => interpolateAt(grid, deltaMs, Math.min(grid.at(-1)!, Math.max(0, s)));
  const n = Math.max(a.sectorsMs.length, b.sectorsMs.length);
  const sectors: SectorComparison[] = Array.from({ length: n }, (_, i) => {
    const aMs = a.sectorsMs[i] ?? null;
    const bMs = b.sectorsMs[i] ?? null;
    return { sector: i + 1, aMs, bMs, deltaMs: aMs !== null && bMs !== null ? bMs - aMs : null };
  });
  return {
    lengthM: analysis.line.lengthM,
    stationsM: grid,
    a: sa,
    b: sb,
    deltaMs,
    sectors,
    corners: analysis.corners.map((corner, i) => ({ corner, a: ca[i]!, b: cb[i]!, deltaMs: deltaAt(corner.exitM) - deltaAt(corner.entryM) })),
  };
}

import type { LatLonTuple, TrackDefinition } from '../tracks/track-definition.js';
import { interpolateAt, lapAtStations, stationGrid, type LapSpan, type StationFix } from './lap-stations.js';
import { ReferenceLine } from './reference-line.js';
import { findCorners, type TrackCorner } from './track-corners.js';

/** Speeds through one corner, m/s. */
export interface CornerSpeeds {
  entryMps: number;
  minMps: number;
  exitMps: number;
  /** Station of the slowest point. */
  minAtM: number;
}

/** A track's common distance axis and its corners, made once per track definition. */
export interface TrackAnalysis {
  line: ReferenceLine;
  corners: TrackCorner[];
}

/** Station spacing for corner speeds and comparisons, metres. */
export const ANALYSIS_STEP_M = 2;

const cache = new WeakMap<TrackDefinition, TrackAnalysis>();

/**
 * The reference line and corners of a track: from its outline (every catalog and own track has
 * one); a track without one is measured on `fallbackPath` (a driven lap's positions), or null.
 */
export function trackAnalysis(track: TrackDefinition, fallbackPath?: readonly LatLonTuple[]): TrackAnalysis | null {
  const known = cache.get(track);
  if (known) return known;
  const outline = track.outline ?? fallbackPath;
  if (!outline || outline.length < 3) return null;
  const line = ReferenceLine.fromOutline(outline, track.startFinish);
  const made = { line, corners: findCorners(line) };
  if (track.outline) cache.set(track, made);
  return made;
}

/**
 * Entry, minimum and exit speed of each corner on a lap already on stations (`grid`,
 * `speedMps`). A corner that runs over the start/finish is measured on the part inside the lap.
 */
export function cornerSpeedsOn(grid: readonly number[], speedMps: readonly number[], corners: readonly TrackCorner[]): CornerSpeeds[] {
  const L = grid.at(-1)!;
  return corners.map((c) => {
    const from = Math.max(0, c.entryM);
    const to = Math.min(L, c.exitM);
    let minMps = Infinity;
    let minAtM = from;
    const consider = (s: number, v: number) => {
      if (v < minMps) [minMps, minAtM] = [v, s];
    };
    consider(from, interpolateAt(grid, speedMps, from));
    for (let i = 0; i < grid.length; i++) if (grid[i]! > from && grid[i]! < to) consider(grid[i]!, speedMps[i]!);
    consider(to, interpolateAt(grid, speedMps, to));
    return { entryMps: interpolateAt(grid, speedMps, from), minMps, exitMps: interpolateAt(grid, speedMps, to), minAtM };
  });
}

/** Corner speeds of one lap from its fixes (for the per-lap rows stored at ingest). */
export function lapCornerSpeeds(analysis: TrackAnalysis, fixes: readonly StationFix[], lap: LapSpan): CornerSpeeds[] {
  const grid = stationGrid(analysis.line.lengthM, ANALYSIS_STEP_M);
  const { speedMps } = lapAtStations(analysis.line, fixes, lap, grid);
  return cornerSpeedsOn(grid, speedMps, analysis.corners);
}

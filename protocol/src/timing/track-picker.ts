import type { TrackDefinition } from '../tracks/track-definition.js';
import { LocalProjection, haversineM, midpoint, pointSegmentDistance, type LatLon, type Xy } from './geo.js';

export interface TrackCandidate {
  track: TrackDefinition;
  /** From the position to the track's start/finish (or to its outline, when nearer). */
  distanceM: number;
  /** |nominal length - driven lap length|, when a lap length was given. */
  lengthErrorM: number | null;
  /** Mean distance of the given path to the outline, when a path was given and the track has one. */
  outlineErrorM: number | null;
}

export type PickReason = 'none-nearby' | 'nearest' | 'lap-length' | 'outline' | 'ambiguous';

export interface TrackPick {
  track: TrackDefinition | null;
  /** 0..1: how sure the choice is. */
  confidence: number;
  reason: PickReason;
  /** Tracks within the radius, nearest first; the layouts sharing the chosen line come first. */
  candidates: TrackCandidate[];
}

export interface TrackPickInput {
  position: LatLon;
  /** Distance of a completed lap, metres: tells apart layouts that share a start/finish. */
  lapLengthM?: number;
  /** Positions driven (e.g. one lap): tells layouts apart by closeness to their outlines. */
  path?: readonly LatLon[];
}

export interface TrackPickOptions {
  /** Only start/finish lines (or outlines) within this distance are candidates. Default 2 km. */
  radiusM?: number;
  /** Layouts whose start/finish midpoints are this close share a line. Default 10 m. */
  sharedLineM?: number;
  /**
   * With a lap length or path to judge by, start/finish lines this close are compared too: the
   * same venue's line differs by 2-40 m between sources. Default 150 m.
   */
  venueLineM?: number;
}

const MAX_PATH_POINTS = 200;
/** Beyond this the outline is not even looked at (the longest circuits are ~25 km round). */
const OUTLINE_SEARCH_M = 30_000;

/** Picks the track being driven from the catalog. Pure; cost grows with catalog and path size. */
export function pickTrack(tracks: readonly TrackDefinition[], input: TrackPickInput, options: TrackPickOptions = {}): TrackPick {
  const radiusM = options.radiusM ?? 2_000;
  const judged = input.lapLengthM !== undefined || (input.path?.length ?? 0) > 0;
  const sharedLineM = judged ? Math.max(options.sharedLineM ?? 10, options.venueLineM ?? 150) : (options.sharedLineM ?? 10);
  const near: { track: TrackDefinition; sfDistanceM: number; distanceM: number }[] = [];
  for (const track of tracks) {
    const sfDistanceM = haversineM(input.position, lineMid(track));
    let distanceM = sfDistanceM;
    if (distanceM > radiusM && distanceM < OUTLINE_SEARCH_M && track.outline) {
      distanceM = Math.min(distanceM, outlineDistanceM(track, [input.position]));
    }
    if (distanceM <= radiusM) near.push({ track, sfDistanceM, distanceM });
  }
  if (near.length === 0) return { track: null, confidence: 0, reason: 'none-nearby', candidates: [] };
  near.sort((a, b) => a.distanceM - b.distanceM || a.sfDistanceM - b.sfDistanceM);
  const nearestMid = lineMid(near[0]!.track);
  const candidates: TrackCandidate[] = near.map(({ track, distanceM }) => ({
    track,
    distanceM,
    lengthErrorM: input.lapLengthM === undefined ? null : Math.abs(track.lengthM - input.lapLengthM),
    outlineErrorM: input.path && input.path.length > 0 && track.outline ? outlineDistanceM(track, input.path) : null,
  }));
  const shared = candidates.filter((c) => haversineM(lineMid(c.track), nearestMid) <= sharedLineM);
  const others = candidates.filter((c) => !shared.includes(c));
  const proximity = distanceConfidence(shared[0]!.distanceM, radiusM);
  if (shared.length === 1) {
    return { track: shared[0]!.track, confidence: proximity, reason: 'nearest', candidates: [...shared, ...others] };
  }
  const byLength = rank(shared, (c) => c.lengthErrorM);
  const byOutline = rank(shared, (c) => c.outlineErrorM);
  const lengthSeparates =
    byLength !== null && input.lapLengthM !== undefined && byLength.second - byLength.best >= 0.01 * input.lapLengthM;
  const chosen = lengthSeparates ? byLength : (byOutline ?? byLength);
  if (!chosen) {
    return { track: shared[0]!.track, confidence: proximity / shared.length, reason: 'ambiguous', candidates: [...shared, ...others] };
  }
  const separation = chosen.second <= 0 ? 0 : 1 - chosen.best / chosen.second;
  const ordered = [...chosen.ordered, ...others];
  return {
    track: chosen.ordered[0]!.track,
    confidence: proximity * Math.max(0, Math.min(1, separation)),
    reason: chosen === byLength ? 'lap-length' : 'outline',
    candidates: ordered,
  };
}

function rank(
  cs: TrackCandidate[],
  key: (c: TrackCandidate) => number | null,
): { ordered: TrackCandidate[]; best: number; second: number } | null {
  const scored = cs.filter((c) => key(c) !== null);
  if (scored.length === 0) return null;
  const ordered = [...scored].sort((a, b) => key(a)! - key(b)!);
  const rest = cs.filter((c) => !scored.includes(c));
  return { ordered: [...ordered, ...rest], best: key(ordered[0]!)!, second: ordered[1] ? key(ordered[1])! : Infinity };
}

function distanceConfidence(distanceM: number, radiusM: number): number {
  if (distanceM <= 100) return 1;
  return Math.max(0.5, 1 - (0.5 * (distanceM - 100)) / Math.max(1, radiusM - 100));
}

function lineMid(track: TrackDefinition): LatLon {
  return midpoint(track.startFinish.a, track.startFinish.b);
}

/** Mean distance from the path's points (subsampled) to the track outline, metres. */
export function outlineDistanceM(track: TrackDefinition, path: readonly LatLon[]): number {
  const outline = track.outline ?? [];
  if (outline.length < 2 || path.length === 0) return Infinity;
  const proj = new LocalProjection(lineMid(track));
  const pts: Xy[] = outline.map(([lat, lon]) => proj.toXy({ lat, lon }));
  const step = Math.max(1, Math.ceil(path.length / MAX_PATH_POINTS));
  let sum = 0;
  let n = 0;
  for (let i = 0; i < path.length; i += step) {
    const p = proj.toXy(path[i]!);
    let best = Infinity;
    for (let k = 1; k < pts.length; k++) best = Math.min(best, pointSegmentDistance(p, pts[k - 1]!, pts[k]!).distance);
    sum += best;
    n++;
  }
  return sum / n;
}

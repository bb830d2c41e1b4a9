import { haversineM, type LatLon } from './geo.js';
import { LapTrace } from './lap-trace.js';

/** A lap as parallel arrays: distance from the line (m, never decreasing) and elapsed time (ms). */
export interface DistanceTrace {
  distanceM: readonly number[];
  elapsedMs: readonly number[];
}

/** Distance (m) from the first position at each position: great-circle segments, as the lap timer adds them. */
export function distancesAlong(points: readonly LatLon[]): number[] {
  const out = new Array<number>(points.length);
  let d = 0;
  for (let i = 0; i < points.length; i++) {
    if (i > 0) d += haversineM(points[i - 1]!, points[i]!);
    out[i] = d;
  }
  return out;
}

/**
 * The time delta (ms; positive: slower than the reference) at each point of `lap`, by distance:
 * the lap's elapsed time there minus the reference's elapsed time at the same place. Two laps
 * differ a little in length (lines driven, GNSS noise), so "the same place" is the same
 * fraction of each lap's distance; the reference is interpolated between its points
 * (LapTrace, the lap timer's live delta). The one implementation, for the core's charts.
 */
export function deltaByDistance(lap: DistanceTrace, ref: DistanceTrace): number[] {
  const n = lap.distanceM.length;
  if (n === 0 || ref.distanceM.length === 0) return new Array<number>(n).fill(0);
  const trace = LapTrace.of(ref.distanceM.map((distanceM, i) => ({ distanceM, elapsedMs: ref.elapsedMs[i]! })));
  const lapTotal = lap.distanceM[n - 1]!;
  const scale = lapTotal > 0 ? trace.totalDistanceM / lapTotal : 1;
  const out = new Array<number>(n);
  // The lap's distances never decrease: LapTrace's cursor makes the lookups linear overall.
  for (let i = 0; i < n; i++) out[i] = lap.elapsedMs[i]! - trace.elapsedAt(lap.distanceM[i]! * scale)!;
  return out;
}

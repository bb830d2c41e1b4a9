import { deltaByDistance, distancesAlong, type SessionFix } from '@pitwall/protocol';

/** A lap's fixes with a position, as drawn: distance along the lap, elapsed, speed, position. */
export interface LapTraceData {
  distanceM: number[];
  elapsedMs: number[];
  speedKmh: number[];
  lat: number[];
  lon: number[];
}

/**
 * A lap as distance/elapsed/speed/position arrays, thinned to at most `maxPoints` for drawing
 * (every n-th fix, always keeping the last): a full 25 Hz session stays light in the UI.
 */
export function lapTrace(fixes: readonly SessionFix[], startT: number, maxPoints: number): LapTraceData {
  const out: LapTraceData = { distanceM: [], elapsedMs: [], speedKmh: [], lat: [], lon: [] };
  const pts = fixes.filter((f): f is SessionFix & { lat: number; lon: number } => f.lat !== null && f.lon !== null);
  const along = distancesAlong(pts);
  const step = Math.max(1, Math.ceil(pts.length / maxPoints));
  for (let i = 0; i < pts.length; i++) {
    if (i % step !== 0 && i !== pts.length - 1) continue;
    const f = pts[i]!;
    out.distanceM.push(Math.round(along[i]! * 10) / 10);
    out.elapsedMs.push(Math.round((f.t - startT) * 10) / 10);
    out.speedKmh.push(Math.round((f.speedMps ?? 0) * 36) / 10);
    out.lat.push(f.lat);
    out.lon.push(f.lon);
  }
  return out;
}

/**
 * The delta to `reference` at each point of `lap` (ms, positive: slower), by distance
 * (deltaByDistance), against every fix of the reference, not its thinned trace.
 */
export function lapDelta(lap: LapTraceData, referenceFixes: readonly SessionFix[], referenceStartT: number): number[] {
  return deltaByDistance(lap, lapTrace(referenceFixes, referenceStartT, Infinity));
}

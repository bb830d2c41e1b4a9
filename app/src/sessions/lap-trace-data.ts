import { haversineM, type SessionFix } from '@pitwall/protocol';

/**
 * A lap as distance/elapsed/speed/position arrays, thinned to at most `maxPoints` for drawing
 * (every n-th fix, always keeping the last): a full 25 Hz session stays light in the UI.
 */
export function lapTrace(fixes: readonly SessionFix[], startT: number, maxPoints: number) {
  const out = { distanceM: [] as number[], elapsedMs: [] as number[], speedKmh: [] as number[], lat: [] as number[], lon: [] as number[] };
  const pts = fixes.filter((f) => f.lat !== null && f.lon !== null);
  const step = Math.max(1, Math.ceil(pts.length / maxPoints));
  let d = 0;
  for (let i = 0; i < pts.length; i++) {
    const f = pts[i]!;
    if (i > 0) d += haversineM({ lat: pts[i - 1]!.lat!, lon: pts[i - 1]!.lon! }, { lat: f.lat!, lon: f.lon! });
    if (i % step !== 0 && i !== pts.length - 1) continue;
    out.distanceM.push(Math.round(d * 10) / 10);
    out.elapsedMs.push(Math.round((f.t - startT) * 10) / 10);
    out.speedKmh.push(Math.round((f.speedMps ?? 0) * 36) / 10);
    out.lat.push(f.lat!);
    out.lon.push(f.lon!);
  }
  return out;
}

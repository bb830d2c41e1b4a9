// Laps on the stadium track (synthetic-track.ts) whose time at every place is known in closed
// form: each lap drives its own line (an offset from the centre line) at its own speeds on the
// straights and in the half circles, sampled at its own rate. For the cross-device delta tests.
import type { TrackDefinition } from '../../src/tracks/track-definition.js';
import type { TimingFix } from '../../src/timing/index.js';
import { LocalProjection } from '../../src/timing/index.js';
import { LAP_M, ORIGIN, RADIUS_M, STRAIGHT_M, at, lineAt } from './synthetic-track.js';

const proj = new LocalProjection(ORIGIN);
const ARC_START = STRAIGHT_M / 2;
const ARC_M = Math.PI * RADIUS_M;

/** Is centre-line station s (one lap, 0..LAP_M) in a half circle? */
const inArc = (s: number) => {
  const d = ((s % LAP_M) + LAP_M) % LAP_M;
  return (d >= ARC_START && d < ARC_START + ARC_M) || (d >= ARC_START + ARC_M + STRAIGHT_M && d < ARC_START + 2 * ARC_M + STRAIGHT_M);
};

/** The stadium as a catalog track: outline every 10 m of the centre line, start/finish at station 0. */
export function stadiumTrack(): TrackDefinition {
  const outline: [number, number][] = [];
  for (let s = 0; s < LAP_M; s += 10) outline.push([at(s).p.lat, at(s).p.lon]);
  return {
    id: 'stadium-test',
    venue: 'Stadium',
    layout: 'Test',
    startFinish: lineAt(0, 30),
    lengthM: LAP_M,
    outline,
    origin: { source: 'synthetic', licence: 'MIT', ref: 'protocol/test/helpers/synthetic-track.ts' },
  };
}

export interface StadiumDriver {
  /** Metres outward of the centre line (the right, driving anticlockwise). */
  offsetM: number;
  straightMps: number;
  arcMps: number;
  periodMs: number;
  phaseMs: number;
}

/**
 * Seconds from the line to centre-line station s (0 <= s <= LAP_M): straights at straightMps,
 * half circles of radius R + offset driven at arcMps over the longer (R + offset) / R path.
 */
export function timeAtStation(d: StadiumDriver, s: number): number {
  const arcScale = (RADIUS_M + d.offsetM) / RADIUS_M;
  // Piecewise: integrate ds / speed over the pieces up to s.
  const cuts = [0, ARC_START, ARC_START + ARC_M, ARC_START + ARC_M + STRAIGHT_M, ARC_START + 2 * ARC_M + STRAIGHT_M, LAP_M];
  let t = 0;
  for (let i = 0; i < cuts.length - 1; i++) {
    const a = cuts[i]!;
    const b = Math.min(s, cuts[i + 1]!);
    if (b <= a) break;
    t += inArc((a + b) / 2) ? ((b - a) * arcScale) / d.arcMps : (b - a) / d.straightMps;
  }
  return t;
}

/** Fixes of one lap plus 2 s either side (on the straight), starting at t0 at the line. */
export function stadiumLap(d: StadiumDriver, t0: number): TimingFix[] {
  const lapS = timeAtStation(d, LAP_M);
  const stationAt = (tS: number): number => {
    if (tS < 0) return tS * d.straightMps;
    if (tS > lapS) return LAP_M + (tS - lapS) * d.straightMps;
    let lo = 0;
    let hi = LAP_M;
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (timeAtStation(d, mid) < tS) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const fixes: TimingFix[] = [];
  for (let t = -2000 + d.phaseMs; t <= lapS * 1000 + 2000; t += d.periodMs) {
    const s = stationAt(t / 1000);
    const { p, headingDeg } = at(s);
    const h = (headingDeg * Math.PI) / 180;
    const c = proj.toXy(p);
    // Right of the heading (east, north): (cos h, -sin h).
    const q = proj.toLatLon({ x: c.x + Math.cos(h) * d.offsetM, y: c.y - Math.sin(h) * d.offsetM });
    fixes.push({ t: t0 + t, lat: q.lat, lon: q.lon, speedMps: inArc(s) && s > 0 && s < LAP_M ? d.arcMps : d.straightMps });
  }
  return fixes;
}

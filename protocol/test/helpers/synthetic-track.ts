// A stadium-shaped track in local metres: two straights joined by half circles, driven
// anticlockwise at constant speed per lap, so every line crossing time is known exactly.
import { LocalProjection, lineAcross, type LatLon } from '../../src/timing/index.js';
import type { TimingFix } from '../../src/timing/index.js';

export const STRAIGHT_M = 300;
export const RADIUS_M = 80;
export const LAP_M = 2 * STRAIGHT_M + 2 * Math.PI * RADIUS_M;
export const ORIGIN: LatLon = { lat: 48.2, lon: 11.6 };
const proj = new LocalProjection(ORIGIN);

/**
 * Position and heading at distance s from the start/finish, which is the middle of the bottom
 * straight (y = -R), driving east.
 */
export function at(s: number): { p: LatLon; headingDeg: number } {
  let d = ((s % LAP_M) + LAP_M) % LAP_M;
  const half = STRAIGHT_M / 2;
  const arc = Math.PI * RADIUS_M;
  const xy = (x: number, y: number, h: number) => ({ p: proj.toLatLon({ x, y }), headingDeg: h });
  if (d < half) return xy(d, -RADIUS_M, 90);
  d -= half;
  if (d < arc) {
    const a = -Math.PI / 2 + d / RADIUS_M;
    return xy(half + RADIUS_M * Math.cos(a), RADIUS_M * Math.sin(a), (90 - (a * 180) / Math.PI - 90 + 360) % 360);
  }
  d -= arc;
  if (d < STRAIGHT_M) return xy(half - d, RADIUS_M, 270);
  d -= STRAIGHT_M;
  if (d < arc) {
    const a = Math.PI / 2 + d / RADIUS_M;
    return xy(-half + RADIUS_M * Math.cos(a), RADIUS_M * Math.sin(a), (360 - (a * 180) / Math.PI + 360) % 360);
  }
  d -= arc;
  return xy(-half + d, -RADIUS_M, 90);
}

/** A line square to the track at distance s. */
export const lineAt = (s: number, widthM = 20) => lineAcross(at(s).p, at(s).headingDeg, widthM);

/**
 * Fixes every `periodMs` from `phaseMs`, starting `leadM` before the line, for laps driven at
 * the given speeds (m/s). Speed changes half-way round, never between two fixes that straddle a
 * line on a straight, so linear interpolation there is exact. Returns the fixes and the time of
 * every start/finish crossing.
 */
export function drive(speeds: number[], opts: { periodMs?: number; phaseMs?: number; leadM?: number; t0?: number; reverse?: boolean } = {}) {
  const periodMs = opts.periodMs ?? 100;
  const leadM = opts.leadM ?? 50;
  const t0 = opts.t0 ?? 1_700_000_000_000;
  // Piecewise-constant speed: speeds[k] from s = (k - 0.5) L to (k + 0.5) L; s = 0 at t = tc0.
  const tc0 = t0 + (leadM / speeds[0]!) * 1000;
  const speedAt = (k: number) => speeds[Math.max(0, Math.min(speeds.length - 1, k))]!;
  const knots: { s: number; t: number }[] = [{ s: LAP_M / 2, t: tc0 + (LAP_M / 2 / speeds[0]!) * 1000 }];
  for (let k = 1; k <= speeds.length; k++) knots.push({ s: knots.at(-1)!.s + LAP_M, t: knots.at(-1)!.t + (LAP_M / speedAt(k)) * 1000 });
  const timeAt = (s: number): number => {
    if (s <= knots[0]!.s) return tc0 + (s / speeds[0]!) * 1000;
    for (let k = 1; k < knots.length; k++) if (s <= knots[k]!.s) return knots[k - 1]!.t + ((s - knots[k - 1]!.s) / speedAt(k)) * 1000;
    return knots.at(-1)!.t + ((s - knots.at(-1)!.s) / speedAt(speeds.length)) * 1000;
  };
  const distanceAt = (t: number): number => {
    if (t <= knots[0]!.t) return ((t - tc0) / 1000) * speeds[0]!;
    for (let k = 1; k < knots.length; k++) if (t <= knots[k]!.t) return knots[k - 1]!.s + ((t - knots[k - 1]!.t) / 1000) * speedAt(k);
    return knots.at(-1)!.s + ((t - knots.at(-1)!.t) / 1000) * speedAt(speeds.length);
  };
  const crossings = speeds.map((_, k) => timeAt(k * LAP_M));
  crossings.push(timeAt(speeds.length * LAP_M));
  const end = crossings.at(-1)! + 2_000;
  const fixes: TimingFix[] = [];
  for (let i = 0; ; i++) {
    const t = t0 + (opts.phaseMs ?? 0) + i * periodMs;
    if (t > end) break;
    const s = distanceAt(t);
    const { p } = at(opts.reverse ? -s : s);
    fixes.push({ t, lat: p.lat, lon: p.lon });
  }
  return { fixes, crossings, timeAt, distanceAt };
}

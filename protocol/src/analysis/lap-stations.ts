import type { ReferenceLine } from './reference-line.js';

/** How far inside the lap's ends an interior fix is kept (m). */
const INSIDE_M = 1e-3;

/** A fix as the analysis reads it: a stored session fix or a timing fix. */
export interface StationFix {
  t: number;
  lat: number | null;
  lon: number | null;
  speedMps?: number | null;
}

/** A lap's time span: the line crossings the lap timer interpolated. */
export interface LapSpan {
  startT: number;
  endT: number;
}

/** A lap on the common distance axis: elapsed time and speed at each station. */
export interface LapAtStations {
  elapsedMs: number[];
  speedMps: number[];
}

/** Stations every `stepM` from 0 to the line's length, the length itself included. */
export function stationGrid(lengthM: number, stepM: number): number[] {
  const n = Math.max(1, Math.ceil(lengthM / stepM - 1e-9));
  const out = new Array<number>(n + 1);
  for (let i = 0; i < n; i++) out[i] = i * stepM;
  out[n] = lengthM;
  return out;
}

/**
 * Where each fix of the lap lies along the reference line, as a distance from the start/finish
 * that never decreases: each fix is projected on the line (local search from the previous one)
 * and unwrapped to the turn nearest the previous station (so the start/finish does not jump
 * from the line's length back to 0); GNSS noise that moves a projection back is averaged out
 * with its neighbours (the closest non-decreasing sequence, pool-adjacent-violators) rather
 * than held, which would make a step in time there. The knots are (0, start) and
 * (length, end): the lap's own crossings.
 */
export function lapKnots(line: ReferenceLine, fixes: readonly StationFix[], lap: LapSpan): { stationM: number[]; t: number[]; fix: (StationFix | null)[] } {
  const L = line.lengthM;
  const raw: number[] = [];
  const t = [lap.startT];
  const fix: (StationFix | null)[] = [null];
  let prev = 0;
  let hint: number | undefined = 0;
  for (const f of fixes) {
    if (!(f.t > lap.startT && f.t < lap.endT) || f.lat === null || f.lon === null) continue;
    const { stationM: s } = line.stationOf({ lat: f.lat, lon: f.lon }, hint);
    hint = s;
    prev = s + Math.round((prev - s) / L) * L;
    raw.push(prev);
    t.push(f.t);
    fix.push(f);
  }
  // Strictly inside the lap: station 0 and the length belong to the crossings alone.
  const stationM = [0, ...nonDecreasing(raw).map((u) => Math.min(L - INSIDE_M, Math.max(INSIDE_M, u)))];
  stationM.push(L);
  t.push(lap.endT);
  fix.push(null);
  return { stationM, t, fix };
}

/** The least-squares non-decreasing fit of `xs` (pool adjacent violators), O(n). */
export function nonDecreasing(xs: readonly number[]): number[] {
  const mean: number[] = [];
  const size: number[] = [];
  for (const x of xs) {
    mean.push(x);
    size.push(1);
    while (mean.length > 1 && mean[mean.length - 2]! > mean[mean.length - 1]!) {
      const m = mean.pop()!;
      const n = size.pop()!;
      const k = mean.length - 1;
      mean[k] = (mean[k]! * size[k]! + m * n) / (size[k]! + n);
      size[k]! += n;
    }
  }
  const out: number[] = [];
  mean.forEach((m, i) => {
    for (let j = 0; j < size[i]!; j++) out.push(m);
  });
  return out;
}

/** Speed at time `t` from the fixes' own speeds, linearly between the two around it; null without speeds. */
function speedAtTime(fixes: readonly StationFix[], t: number): number | null {
  let before: StationFix | null = null;
  for (const f of fixes) {
    if (typeof f.speedMps !== 'number' || !Number.isFinite(f.speedMps)) continue;
    if (f.t <= t) before = f;
    else {
      if (!before) return f.speedMps;
      return before.speedMps! + ((t - before.t) / (f.t - before.t)) * (f.speedMps - before.speedMps!);
    }
  }
  return before?.speedMps ?? null;
}

/**
 * A lap's elapsed time and speed at each station of `grid`, linearly between its knots
 * (lapKnots). Speed is the receiver's own (Doppler) speed where the fix has one, else the
 * distance along the line over the time between the neighbouring knots.
 */
export function lapAtStations(line: ReferenceLine, fixes: readonly StationFix[], lap: LapSpan, grid: readonly number[]): LapAtStations {
  const k = lapKnots(line, fixes, lap);
  const n = k.stationM.length;
  const derived = (i: number) => {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    const dt = (k.t[b]! - k.t[a]!) / 1000;
    return dt > 0 ? (k.stationM[b]! - k.stationM[a]!) / dt : 0;
  };
  const speed = k.fix.map((f, i) => {
    const own = f ? f.speedMps : speedAtTime(fixes, k.t[i]!);
    return typeof own === 'number' && Number.isFinite(own) ? own : derived(i);
  });
  const elapsedMs = new Array<number>(grid.length);
  const speedMps = new Array<number>(grid.length);
  let j = 0;
  for (let g = 0; g < grid.length; g++) {
    const s = grid[g]!;
    // The first knot at or past s: on a plateau (noise held back) the earliest time counts.
    while (j < n - 2 && k.stationM[j + 1]! < s) j++;
    const s0 = k.stationM[j]!;
    const s1 = k.stationM[j + 1]!;
    const f = s1 > s0 ? Math.min(1, Math.max(0, (s - s0) / (s1 - s0))) : 0;
    elapsedMs[g] = k.t[j]! + f * (k.t[j + 1]! - k.t[j]!) - lap.startT;
    speedMps[g] = speed[j]! + f * (speed[j + 1]! - speed[j]!);
  }
  return { elapsedMs, speedMps };
}

/** Linear interpolation of `ys` (on the ascending `xs`) at x, clamped to the ends. */
export function interpolateAt(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo]!;
  const x1 = xs[hi]!;
  return x1 === x0 ? ys[lo]! : ys[lo]! + ((x - x0) / (x1 - x0)) * (ys[hi]! - ys[lo]!);
}

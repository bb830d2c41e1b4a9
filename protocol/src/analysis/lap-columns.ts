import type { LapColumns } from './fleet-distribution.js';

/** Columns for `count` laps, names still to fill: sectors and corners NaN until set. */
export function emptyLapColumns(count: number, sectorCount: number, cornerCount: number): LapColumns {
  return {
    count,
    driver: new Int32Array(count),
    drivers: [],
    unit: new Int32Array(count),
    units: [],
    startT: new Float64Array(count),
    timeMs: new Float64Array(count),
    sectorsMs: new Float64Array(count * sectorCount).fill(NaN),
    sectorCount,
    cornerMinKmh: new Float32Array(count * cornerCount).fill(NaN),
    cornerCount,
  };
}

/** Interns names into a column's name list: the index of `name` in `names`, added on first sight. */
export function nameInterner(names: string[]): (name: string) => number {
  const index = new Map<string, number>();
  return (name) => {
    let k = index.get(name);
    if (k === undefined) index.set(name, (k = names.push(name) - 1));
    return k;
  };
}

/**
 * Laps packed as float64 columns one after another, the layout the companion's lap_features and
 * the hub's fleet_lap_columns keep: lap numbers, start times, lap times, a column per sector (the
 * most any lap has; NaN for a lap with fewer), then one per corner's minimum speed.
 */
export function packLapColumns(
  laps: readonly { number: number; startT: number; timeMs: number; sectorsMs: readonly number[] }[],
  cornerMinKmh?: readonly (readonly number[])[],
): { sectors: number; corners: number; columns: Float64Array } {
  const n = laps.length;
  let S = 0;
  for (const l of laps) S = Math.max(S, l.sectorsMs.length);
  let C = 0;
  for (const c of cornerMinKmh ?? []) C = Math.max(C, c.length);
  const cols = new Float64Array(n * (3 + S + C)).fill(NaN);
  laps.forEach((l, i) => {
    cols[i] = l.number;
    cols[n + i] = l.startT;
    cols[2 * n + i] = l.timeMs;
    // A column per sector and per corner, as the track's columns are read.
    if (l.sectorsMs.length === S) l.sectorsMs.forEach((v, k) => (cols[(3 + k) * n + i] = v));
    (cornerMinKmh?.[i] ?? []).forEach((v, k) => (cols[(3 + S + k) * n + i] = v));
  });
  return { sectors: S, corners: C, columns: cols };
}

/**
 * A shared session's laps (the hub's: number, time and sectors, no start of their own) packed as
 * above. A lap starts at the session's start plus the laps before it, in lap order: that orders
 * a driver's laps and puts them on the session's day, all the progress by day needs.
 */
export function packSharedLaps(startedAt: string, laps: readonly { lap: number; timeMs: number; sectorsMs: readonly number[] }[]): { laps: number; sectors: number; columns: Float64Array } {
  let t = Date.parse(startedAt);
  const timed = [...laps]
    .sort((a, b) => a.lap - b.lap)
    .map((l) => {
      const lap = { number: l.lap, startT: t, timeMs: l.timeMs, sectorsMs: l.sectorsMs };
      t += l.timeMs;
      return lap;
    });
  const p = packLapColumns(timed);
  return { laps: timed.length, sectors: p.sectors, columns: p.columns };
}

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

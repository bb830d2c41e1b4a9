/** Five-number summary with Tukey whiskers, for box plots. */
export interface BoxStats {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** The lowest and highest values within 1.5 x IQR of the box. */
  lowWhisker: number;
  highWhisker: number;
  mean: number;
}

export interface Histogram {
  lo: number;
  width: number;
  counts: number[];
  /** Values below the first bin and above the last (a cut track, a slow in-lap far in the tail). */
  under: number;
  over: number;
}

/** Moves the k-th smallest of a[from..to] to a[k] (everything before it no larger, after it no smaller). Quickselect, O(n). */
function select(a: Float64Array, k: number, from: number, to: number): void {
  let lo = from;
  let hi = to;
  while (hi > lo) {
    // Median of three as pivot: sorted or reversed input stays linear.
    const mid = (lo + hi) >> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** Quantile p (0..1) of `a` with linear interpolation between order statistics; reorders `a`. */
function quantileIn(a: Float64Array, p: number, from: number): number {
  const n = a.length;
  const pos = p * (n - 1);
  const k = Math.floor(pos);
  select(a, k, from, n - 1);
  const v = a[k]!;
  if (k + 1 >= n || pos === k) return v;
  // The next order statistic is the smallest of what lies after k.
  let next = Infinity;
  for (let i = k + 1; i < n; i++) if (a[i]! < next) next = a[i]!;
  return v + (pos - k) * (next - v);
}

/**
 * Box statistics of the finite values, without sorting them: quickselect for the quartiles,
 * one pass for the rest. `values` is copied, never changed. Null when there is none.
 */
export function boxStats(values: ArrayLike<number>): BoxStats | null {
  return boxStatsOf(Float64Array.from(values));
}

/** boxStats on an array of the caller's that it may reorder and overwrite (no copy). */
export function boxStatsOf(a: Float64Array): BoxStats | null {
  // Keep the finite values at the front.
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) continue; // NaN or infinite
    a[n++] = v;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return null;
  const b = n === a.length ? a : a.subarray(0, n);
  // Quartiles in rising order: each select leaves the next one's search to the part after it.
  const q1 = quantileIn(b, 0.25, 0);
  const median = quantileIn(b, 0.5, Math.floor(0.25 * (n - 1)));
  const q3 = quantileIn(b, 0.75, Math.floor(0.5 * (n - 1)));
  const reach = 1.5 * (q3 - q1);
  let lowWhisker = q1;
  let highWhisker = q3;
  for (let i = 0; i < n; i++) {
    const v = b[i]!;
    if (v >= q1 - reach && v < lowWhisker) lowWhisker = v;
    if (v <= q3 + reach && v > highWhisker) highWhisker = v;
  }
  return { n, min, q1, median, q3, max, lowWhisker, highWhisker, mean: sum / n };
}

/**
 * Counts of the finite values in `bins` equal bins from 3 IQR below the first quartile to 3 IQR
 * above the third (within the data's range): a slow in-lap or a spin would otherwise squash
 * every other lap into one bin. Values beyond go to `under` and `over`.
 */
export function histogram(values: ArrayLike<number>, box: BoxStats, bins = 30): Histogram {
  const iqr = box.q3 - box.q1;
  const lo = Math.max(box.min, box.q1 - 3 * iqr);
  const hi = Math.min(box.max, box.q3 + 3 * iqr);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  let under = 0;
  let over = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) under++;
    else if (v > hi) over++;
    else counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  }
  return { lo, width, counts, under, over };
}

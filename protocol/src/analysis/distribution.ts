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

/** From this many values on, quartiles come from buckets (bucketedQuartiles) rather than quickselect. */
const BUCKETED_FROM = 4096;
const BUCKETS = 4096;

/**
 * The exact quartiles (interpolated like quantileIn) of many values in three passes: count the
 * values in equal buckets between min and max, find the bucket holding each order statistic
 * needed from the running counts, then sort only those buckets' values (a few dozen each for
 * laps spread over a range). Does not reorder `a`.
 */
function bucketedQuartiles(a: Float64Array, min: number, max: number): [number, number, number] {
  const n = a.length;
  const width = (max - min) / BUCKETS;
  const counts = new Int32Array(BUCKETS);
  for (let i = 0; i < n; i++) counts[Math.min(BUCKETS - 1, Math.floor((a[i]! - min) / width))]!++;
  const starts = new Int32Array(BUCKETS + 1);
  for (let k = 0; k < BUCKETS; k++) starts[k + 1] = starts[k]! + counts[k]!;
  const ranks = [0.25, 0.5, 0.75].flatMap((p) => [Math.floor(p * (n - 1)), Math.min(n - 1, Math.floor(p * (n - 1)) + 1)]);
  const bucketAt = (rank: number) => {
    let lo = 0;
    let hi = BUCKETS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid + 1]! <= rank) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // The (at most six) buckets holding a rank: their values gathered in one pass, then sorted.
  const slotOf = new Int8Array(BUCKETS).fill(-1);
  const values: Float64Array[] = [];
  const filled: number[] = [];
  for (const r of ranks) {
    const k = bucketAt(r);
    if (slotOf[k] === -1) {
      slotOf[k] = values.length;
      values.push(new Float64Array(counts[k]!));
      filled.push(0);
    }
  }
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    const slot = slotOf[Math.min(BUCKETS - 1, Math.floor((v - min) / width))]!;
    if (slot >= 0) values[slot]![filled[slot]!++] = v;
  }
  for (const list of values) list.sort();
  const nth = (rank: number) => {
    const k = bucketAt(rank);
    return values[slotOf[k]!]![rank - starts[k]!]!;
  };
  return [0.25, 0.5, 0.75].map((p) => {
    const pos = p * (n - 1);
    const k = Math.floor(pos);
    const v = nth(k);
    return k + 1 < n && pos > k ? v + (pos - k) * (nth(k + 1) - v) : v;
  }) as [number, number, number];
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
  let q1: number;
  let median: number;
  let q3: number;
  if (n >= BUCKETED_FROM && max > min) [q1, median, q3] = bucketedQuartiles(b, min, max);
  else {
    // Quartiles in rising order: each select leaves the next one's search to the part after it.
    q1 = quantileIn(b, 0.25, 0);
    median = quantileIn(b, 0.5, Math.floor(0.25 * (n - 1)));
    q3 = quantileIn(b, 0.75, Math.floor(0.5 * (n - 1)));
  }
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

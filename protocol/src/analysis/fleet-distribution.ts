import { boxStatsOf, histogram, type BoxStats, type Histogram } from './distribution.js';

/** One track's laps as columns (a companion's SQLite rows or the hub's): what a distribution reads. */
export interface LapColumns {
  count: number;
  /** Index into `drivers`: the session's driver, else its unit's name. */
  driver: Int32Array;
  drivers: string[];
  /** Index into `units`. */
  unit: Int32Array;
  units: string[];
  /** Lap start, epoch ms. */
  startT: Float64Array;
  timeMs: Float64Array;
  /** Sector s of lap i at [s * count + i] (a column per sector); NaN where the lap has no complete sectors. */
  sectorsMs: Float64Array;
  sectorCount: number;
  /** Corner k of lap i at [k * count + i] (a column per corner); NaN where unknown. */
  cornerMinKmh: Float32Array;
  cornerCount: number;
}

export interface DistributionOptions {
  /** Members are drivers (default) or units. */
  groupBy?: 'driver' | 'unit';
  /** The group: these members only (default every one). */
  members?: readonly string[];
  /** The member whose laps are marked. */
  mark?: string;
  bins?: number;
}

export interface Distribution {
  box: BoxStats | null;
  histogram: Histogram | null;
  /** The marked member's own box, or null. */
  marked: BoxStats | null;
}

export interface FleetDistribution {
  groupBy: 'driver' | 'unit';
  laps: number;
  members: { name: string; laps: number; bestMs: number; theoreticalBestMs: number | null; lapTimes: BoxStats }[];
  lapTimes: Distribution;
  sectors: Distribution[];
  corners: Distribution[];
  /** The best of each sector over the group's laps, and whose it was; null ms without complete sectors. */
  theoreticalBest: { ms: number | null; sectors: { ms: number; by: string }[] };
  /** Each member's best lap and lap count per day (UTC), over the season. */
  progress: { name: string; days: { day: string; bestMs: number; laps: number }[] }[];
  /** The marked member's lap times in lap order (the most recent MARKED_MAX). */
  markedLapsMs: number[];
}

const MARKED_MAX = 500;
const DAY_MS = 86_400_000;

/**
 * Lap-time, sector-time and corner-minimum-speed distributions of a group on one track, the
 * group's theoretical best and each member's progress by day: a few linear passes over the
 * columns and quickselect for the quartiles, no sorting of the laps.
 */
export function fleetDistribution(c: LapColumns, o: DistributionOptions = {}): FleetDistribution {
  const groupBy = o.groupBy ?? 'driver';
  const names = groupBy === 'driver' ? c.drivers : c.units;
  const key = groupBy === 'driver' ? c.driver : c.unit;
  const wanted = o.members ? new Set(o.members) : null;
  const inGroup = names.map((n) => !wanted || wanted.has(n));
  const markIndex = o.mark === undefined ? -1 : names.indexOf(o.mark);
  const bins = o.bins ?? 30;
  let count = 0;
  for (let i = 0; i < c.count; i++) if (inGroup[key[i]!]) count++;
  const rows = new Int32Array(count);
  for (let i = 0, j = 0; i < c.count; i++) if (inGroup[key[i]!]) rows[j++] = i;
  // The marked member's laps by a count and a fill (a filter's callback a lap costs more).
  let markedCount = 0;
  if (markIndex >= 0) for (let j = 0; j < rows.length; j++) if (key[rows[j]!] === markIndex) markedCount++;
  const marked = new Int32Array(markedCount);
  if (markedCount) for (let j = 0, m = 0; j < rows.length; j++) if (key[rows[j]!] === markIndex) marked[m++] = rows[j]!;

  // One scratch array for every dimension (each is done with it before the next): 18 columns
  // of 100,000 laps would otherwise be 14 MB of garbage a call.
  const scratch = new Float64Array(rows.length);
  const everyLap = rows.length === c.count;
  /** A column's values (from `offset`) of the given laps, in `into`, which the statistics may reorder. */
  const gather = (col: Float64Array | Float32Array, offset: number, at: Int32Array | null, into: Float64Array) => {
    if (!at) into.set(col.subarray(offset, offset + c.count));
    else for (let j = 0; j < at.length; j++) into[j] = col[offset + at[j]!]!;
    return into.subarray(0, at ? at.length : c.count);
  };
  const dimension = (col: Float64Array | Float32Array, offset: number): Distribution => {
    const all = gather(col, offset, everyLap ? null : rows, scratch);
    const box = boxStatsOf(all);
    return {
      box,
      histogram: box ? histogram(all.subarray(0, box.n), box, bins) : null,
      marked: marked.length ? boxStatsOf(gather(col, offset, marked, scratch)) : null,
    };
  };
  const S = c.sectorCount;
  const C = c.cornerCount;
  const n = c.count;
  const lapTimes = dimension(c.timeMs, 0);
  const sectors = Array.from({ length: S }, (_, s) => dimension(c.sectorsMs, s * n));
  const corners = Array.from({ length: C }, (_, k) => dimension(c.cornerMinKmh, k * n));

  // Per member: lap count, best, best of each sector; per member and day: best and count (typed
  // arrays over the season's days, not a map: this loop runs once per lap).
  const m = names.length;
  const laps = new Int32Array(m);
  const best = new Float64Array(m).fill(Infinity);
  const bestSector = new Float64Array(m * S).fill(Infinity);
  let firstDay = Infinity;
  let lastDay = -Infinity;
  for (let j = 0; j < rows.length; j++) {
    const day = Math.floor(c.startT[rows[j]!]! / DAY_MS);
    if (day < firstDay) firstDay = day;
    if (day > lastDay) lastDay = day;
  }
  const D = rows.length ? lastDay - firstDay + 1 : 0;
  const dayBest = new Float64Array(m * D).fill(Infinity);
  const dayLaps = new Int32Array(m * D);
  for (let j = 0; j < rows.length; j++) {
    const i = rows[j]!;
    const k = key[i]!;
    const t = c.timeMs[i]!;
    laps[k]!++;
    if (t < best[k]!) best[k] = t;
    for (let s = 0; s < S; s++) {
      const v = c.sectorsMs[s * n + i]!;
      if (v < bestSector[k * S + s]!) bestSector[k * S + s] = v;
    }
    const slot = k * D + Math.floor(c.startT[i]! / DAY_MS) - firstDay;
    dayLaps[slot]!++;
    if (t < dayBest[slot]!) dayBest[slot] = t;
  }
  // Each member's lap times in one array, member after member (a counting sort of the rows).
  const startOf = new Int32Array(m + 1);
  for (let k = 0; k < m; k++) startOf[k + 1] = startOf[k]! + laps[k]!;
  const byMember = new Float64Array(rows.length);
  const fill = startOf.slice(0, m);
  for (let j = 0; j < rows.length; j++) byMember[fill[key[rows[j]!]!]!++] = c.timeMs[rows[j]!]!;
  const members = names.flatMap((name, k) => {
    if (!inGroup[k] || laps[k] === 0) return [];
    const own = bestSector.subarray(k * S, (k + 1) * S);
    const lapBox = boxStatsOf(byMember.subarray(startOf[k]!, startOf[k + 1]!))!;
    return [{ name, laps: laps[k]!, bestMs: best[k]!, theoreticalBestMs: S > 0 && own.every(Number.isFinite) ? own.reduce((a, b) => a + b, 0) : null, lapTimes: lapBox }];
  });
  const groupSectors = Array.from({ length: S }, (_, s) => {
    let ms = Infinity;
    let by = -1;
    for (let k = 0; k < m; k++) if (bestSector[k * S + s]! < ms) [ms, by] = [bestSector[k * S + s]!, k];
    return { ms, by: by >= 0 ? names[by]! : '' };
  }).filter((x) => Number.isFinite(x.ms));
  const progress: FleetDistribution['progress'] = [];
  // Each day's name once, not once a member (40 drivers over a season: thousands of Dates).
  const dayNames: string[] = [];
  const dayName = (d: number) => (dayNames[d] ??= new Date((firstDay + d) * DAY_MS).toISOString().slice(0, 10));
  for (let k = 0; k < m; k++) {
    const list: { day: string; bestMs: number; laps: number }[] = [];
    for (let d = 0; d < D; d++) if (dayLaps[k * D + d]! > 0) list.push({ day: dayName(d), bestMs: dayBest[k * D + d]!, laps: dayLaps[k * D + d]! });
    if (list.length) progress.push({ name: names[k]!, days: list });
  }
  const ordered = [...marked].sort((a, b) => c.startT[a]! - c.startT[b]!);
  return {
    groupBy,
    laps: rows.length,
    members,
    lapTimes,
    sectors,
    corners,
    theoreticalBest: { ms: S > 0 && groupSectors.length === S ? groupSectors.reduce((a, x) => a + x.ms, 0) : null, sectors: groupSectors },
    progress,
    markedLapsMs: ordered.slice(-MARKED_MAX).map((i) => c.timeMs[i]!),
  };
}

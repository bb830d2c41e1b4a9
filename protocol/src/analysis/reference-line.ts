import type { LatLonTuple, TimingLine } from '../tracks/track-definition.js';
import { LocalProjection, midpoint, pointSegmentDistance, type LatLon, type Xy } from '../timing/geo.js';

/** Spacing of the reference line's points, metres. */
export const STATION_STEP_M = 2;
/** Segments searched behind and ahead of the last match before a full scan. */
const BEHIND = 10;
const AHEAD = 60;
/** A match farther than this from the line is checked against a full scan. */
const NEAR_M = 25;
/** Catmull-Rom samples per outline segment before the resampling by distance. */
const DENSE = 24;

/**
 * A track's centre line as a common distance axis ("stations"): the closed outline smoothed by
 * a Catmull-Rom spline, resampled every STATION_STEP_M, starting where the start/finish line
 * meets it. Any lap, from any unit at any GNSS rate, projected onto it gets the same distance
 * for the same place on the track, whatever line it drove and however long its own path was.
 */
export class ReferenceLine {
  readonly projection: LocalProjection;
  /** Points `step` metres apart from the start/finish, in the driving direction (closed: the last joins the first). */
  readonly points: readonly Xy[];
  readonly step: number;

  private constructor(projection: LocalProjection, points: Xy[], step: number) {
    this.projection = projection;
    this.points = points;
    this.step = step;
  }

  /** From a closed outline in the driving direction and the start/finish line (station 0). */
  static fromOutline(outline: readonly LatLonTuple[], startFinish: TimingLine, step = STATION_STEP_M): ReferenceLine {
    if (outline.length < 3) throw new Error('a reference line needs an outline of at least 3 points');
    const origin = midpoint(startFinish.a, startFinish.b);
    const projection = new LocalProjection(origin);
    let ctrl = outline.map(([lat, lon]) => projection.toXy({ lat, lon }));
    const first = ctrl[0]!;
    const last = ctrl.at(-1)!;
    if (Math.hypot(last.x - first.x, last.y - first.y) < 0.5) ctrl = ctrl.slice(0, -1);
    const { points, spacing } = resampleClosed(startingAtOrigin(catmullRomClosed(ctrl)), step);
    return new ReferenceLine(projection, points, spacing);
  }

  /** Length of the closed line, metres. */
  get lengthM(): number {
    return this.points.length * this.step;
  }

  /** Station (0 <= s < length) of the point on the line nearest `p`; `hint` is the last station found, for a local search. */
  station(p: Xy, hint?: number): { stationM: number; offsetM: number } {
    const n = this.points.length;
    let hit = hint === undefined ? null : this.scan(p, Math.floor(hint / this.step) - BEHIND, Math.floor(hint / this.step) + AHEAD);
    if (!hit || hit.distance > NEAR_M) {
      const full = this.scan(p, 0, n - 1);
      if (!hit || full.distance < hit.distance) hit = full;
    }
    return { stationM: (hit.segment + hit.fraction) * this.step, offsetM: hit.distance };
  }

  stationOf(p: LatLon, hint?: number): { stationM: number; offsetM: number } {
    return this.station(this.projection.toXy(p), hint);
  }

  /** Position on the line at station s (wrapped). */
  at(s: number): Xy {
    const n = this.points.length;
    const u = (((s / this.step) % n) + n) % n;
    const i = Math.floor(u);
    const f = u - i;
    const a = this.points[i]!;
    const b = this.points[(i + 1) % n]!;
    return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
  }

  private scan(p: Xy, from: number, to: number): { segment: number; fraction: number; distance: number } {
    const n = this.points.length;
    let best = { segment: 0, fraction: 0, distance: Infinity };
    for (let j = from; j <= to; j++) {
      const i = ((j % n) + n) % n;
      const r = pointSegmentDistance(p, this.points[i]!, this.points[(i + 1) % n]!);
      if (r.distance < best.distance) best = { segment: i, fraction: r.fraction, distance: r.distance };
    }
    return best;
  }
}

/** A closed uniform Catmull-Rom spline through the control points, DENSE samples per segment. */
function catmullRomClosed(ctrl: readonly Xy[]): Xy[] {
  const n = ctrl.length;
  const out: Xy[] = [];
  for (let i = 0; i < n; i++) {
    const p0 = ctrl[(i - 1 + n) % n]!;
    const p1 = ctrl[i]!;
    const p2 = ctrl[(i + 1) % n]!;
    const p3 = ctrl[(i + 2) % n]!;
    for (let k = 0; k < DENSE; k++) {
      const t = k / DENSE;
      const t2 = t * t;
      const t3 = t2 * t;
      const f = (a: number, b: number, c: number, d: number) => 0.5 * (2 * b + (c - a) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (3 * b - a - 3 * c + d) * t3);
      out.push({ x: f(p0.x, p1.x, p2.x, p3.x), y: f(p0.y, p1.y, p2.y, p3.y) });
    }
  }
  return out;
}

/** The closed curve rotated to start at its point nearest the origin (the start/finish line's middle). */
function startingAtOrigin(dense: readonly Xy[]): Xy[] {
  const n = dense.length;
  const o = { x: 0, y: 0 };
  let best = { i: 0, f: 0, d: Infinity };
  for (let i = 0; i < n; i++) {
    const r = pointSegmentDistance(o, dense[i]!, dense[(i + 1) % n]!);
    if (r.distance < best.d) best = { i, f: r.fraction, d: r.distance };
  }
  const a = dense[best.i]!;
  const b = dense[(best.i + 1) % n]!;
  const start = { x: a.x + (b.x - a.x) * best.f, y: a.y + (b.y - a.y) * best.f };
  return [start, ...dense.slice(best.i + 1), ...dense.slice(0, best.i + 1)];
}

/** Evenly spaced points along a closed polyline, as near `step` apart as divides its length. */
function resampleClosed(dense: readonly Xy[], step: number): { points: Xy[]; spacing: number } {
  const n = dense.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.hypot(dense[(i + 1) % n]!.x - dense[i]!.x, dense[(i + 1) % n]!.y - dense[i]!.y);
  const count = Math.max(3, Math.round(total / step));
  const spacing = total / count;
  const out: Xy[] = [];
  let seg = 0;
  let segStart = 0;
  for (let k = 0; k < count; k++) {
    const target = k * spacing;
    for (;;) {
      const a = dense[seg % n]!;
      const b = dense[(seg + 1) % n]!;
      const len = Math.hypot(b.x - a.x, b.y - a.y);
      if (segStart + len >= target || seg >= n - 1) {
        const f = len > 0 ? Math.min(1, (target - segStart) / len) : 0;
        out.push({ x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f });
        break;
      }
      segStart += len;
      seg++;
    }
  }
  return { points: out, spacing };
}

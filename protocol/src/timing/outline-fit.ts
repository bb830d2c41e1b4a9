import type { LatLonTuple } from '../tracks/track-definition.js';
import { LocalProjection, pointSegmentDistance, type LatLon, type Xy } from './geo.js';

export interface OutlineDistance {
  /** To the nearest segment of the closed outline, metres. */
  distanceM: number;
  /** The motion given runs against the outline's driving direction there (more than 90 degrees off). */
  against: boolean;
}

/** Segments searched on either side of the last nearest one before a full scan. */
const WINDOW = 8;

/**
 * A track outline prepared for many distance queries along a drive: a projection centred on
 * the track, and a search that starts at the segment found last (the car moves along), falling
 * back to a full scan when that neighbourhood is not near.
 */
export class OutlineFit {
  readonly projection: LocalProjection;
  private readonly pts: Xy[];
  private last = -1;
  /** The last full scan: where, and how far the outline was. */
  private far: { p: Xy; distanceM: number } | null = null;

  constructor(outline: readonly LatLonTuple[], origin: LatLon) {
    this.projection = new LocalProjection(origin);
    this.pts = outline.map(([lat, lon]) => this.projection.toXy({ lat, lon }));
  }

  get segments(): number {
    return this.pts.length;
  }

  /**
   * Distance from `p` (in this outline's projection), and whether `motion` goes against the
   * outline. Beyond `nearM` the distance may be a lower bound: far from the outline, a full scan
   * is repeated only once the car may have come within `nearM` of it.
   */
  measure(p: Xy, motion: Xy | null, nearM: number): OutlineDistance {
    if (this.far) {
      const bound = this.far.distanceM - Math.hypot(p.x - this.far.p.x, p.y - this.far.p.y);
      if (bound > nearM) return { distanceM: bound, against: false };
    }
    let best = this.last >= 0 ? this.scan(p, this.last - WINDOW, this.last + WINDOW) : null;
    if (!best || best.distanceM > nearM) {
      best = this.scan(p, 0, this.pts.length - 1);
      this.far = { p, distanceM: best.distanceM };
    }
    this.last = best.segment;
    let against = false;
    if (motion && (motion.x !== 0 || motion.y !== 0)) {
      const [a, b] = this.segment(best.segment);
      against = (b.x - a.x) * motion.x + (b.y - a.y) * motion.y < 0;
    }
    return { distanceM: best.distanceM, against };
  }

  /** Mean distance from the points to the outline (full scans; for one-off comparisons). */
  meanDistanceM(points: readonly LatLon[]): number {
    if (points.length === 0 || this.pts.length < 2) return Infinity;
    let sum = 0;
    for (const p of points) sum += this.scan(this.projection.toXy(p), 0, this.pts.length - 1).distanceM;
    return sum / points.length;
  }

  private segment(i: number): [Xy, Xy] {
    const n = this.pts.length;
    const k = ((i % n) + n) % n;
    return [this.pts[k]!, this.pts[(k + 1) % n]!];
  }

  private scan(p: Xy, from: number, to: number): { segment: number; distanceM: number } {
    const n = this.pts.length;
    let segment = 0;
    let distanceM = Infinity;
    for (let i = from; i <= to; i++) {
      const [a, b] = this.segment(i);
      const d = pointSegmentDistance(p, a, b).distance;
      if (d < distanceM) {
        distanceM = d;
        segment = ((i % n) + n) % n;
      }
    }
    return { segment, distanceM };
  }
}

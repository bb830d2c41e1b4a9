import type { TimingLine } from '../tracks/track-definition.js';
import { LocalProjection, bearingDeg, crossZ, midpoint, segmentIntersection, type LatLon, type Xy } from './geo.js';

export interface LineCrossing {
  /** Fraction along the fix-to-fix segment where the line is met, in [0, 1]. */
  fraction: number;
  /** Fraction along the line from a to b. */
  along: number;
}

/**
 * A timing line prepared for repeated tests: it has its own projection centred on its midpoint,
 * so the crossing fraction does not suffer from the projection's distortion far from the origin.
 */
export class PreparedLine {
  readonly projection: LocalProjection;
  private readonly a: Xy;
  private readonly b: Xy;

  /** `marginM` lengthens the line at both ends (for lines drawn narrower than the track). */
  constructor(
    readonly line: TimingLine,
    marginM = 0,
  ) {
    this.projection = new LocalProjection(midpoint(line.a, line.b));
    const a = this.projection.toXy(line.a);
    const b = this.projection.toXy(line.b);
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const k = len > 0 ? marginM / len : 0;
    this.a = { x: a.x - (b.x - a.x) * k, y: a.y - (b.y - a.y) * k };
    this.b = { x: b.x + (b.x - a.x) * k, y: b.y + (b.y - a.y) * k };
  }

  get widthM(): number {
    return Math.hypot(this.b.x - this.a.x, this.b.y - this.a.y);
  }

  /**
   * The forward crossing between two consecutive positions, or null. A position exactly on the
   * line belongs to the far side, so a fix sitting on the line is counted once, by the segment
   * that ends on it.
   */
  crossing(p0: LatLon, p1: LatLon): LineCrossing | null {
    const q0 = this.projection.toXy(p0);
    const q1 = this.projection.toXy(p1);
    const s0 = crossZ(this.a, this.b, q0);
    const s1 = crossZ(this.a, this.b, q1);
    if (!(s0 < 0 && s1 >= 0)) return null;
    const hit = segmentIntersection(q0, q1, this.a, this.b);
    if (!hit) return null;
    // The side test is exact; recompute the fraction from the signed distances, which is better
    // conditioned than the intersection formula when the segment is nearly parallel to the line.
    return { fraction: s0 / (s0 - s1), along: hit.u };
  }
}

/**
 * Orders a line's end points so that `headingDeg` (direction of travel, degrees from north) is
 * its forward direction.
 */
export function orientLine(line: TimingLine, headingDeg: number): TimingLine {
  const normal = (bearingDeg(line.a, line.b) + 270) % 360; // forward = a->b turned 90 degrees left
  const diff = Math.abs((((headingDeg - normal) % 360) + 540) % 360 - 180);
  return diff <= 90 ? line : { a: line.b, b: line.a };
}

/** The forward direction of a line, degrees from north. */
export function lineHeadingDeg(line: TimingLine): number {
  return (bearingDeg(line.a, line.b) + 270) % 360;
}

/** A line of `widthM` centred on `at`, square to `headingDeg`, oriented forward along it. */
export function lineAcross(at: LatLon, headingDeg: number, widthM: number): TimingLine {
  const proj = new LocalProjection(at);
  const h = headingDeg * (Math.PI / 180);
  // Unit vector of travel (east, north) and its left normal.
  const fx = Math.sin(h);
  const fy = Math.cos(h);
  const half = widthM / 2;
  const left = { x: -fy * half, y: fx * half };
  return {
    a: proj.toLatLon({ x: left.x, y: left.y }),
    b: proj.toLatLon({ x: -left.x, y: -left.y }),
  };
}

/** Geometry for lap timing: great-circle distances and a local flat projection. */

export interface LatLon {
  lat: number;
  lon: number;
}

/** East/north metres in a local tangent plane. */
export interface Xy {
  x: number;
  y: number;
}

/** IUGG mean Earth radius. */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

export function haversineM(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a: LatLon, b: LatLon): number {
  const p1 = a.lat * RAD;
  const p2 = b.lat * RAD;
  const dl = (b.lon - a.lon) * RAD;
  const y = Math.sin(dl) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return ((Math.atan2(y, x) / RAD) % 360 + 360) % 360;
}

/**
 * Equirectangular projection around a reference point. Within a few km of the reference the
 * distortion is far below GNSS noise, and a line's crossing fraction is computed in a projection
 * centred on that line, where it is exact to well under a millimetre.
 */
export class LocalProjection {
  readonly mPerDegLat: number;
  readonly mPerDegLon: number;

  constructor(readonly origin: LatLon) {
    this.mPerDegLat = EARTH_RADIUS_M * RAD;
    this.mPerDegLon = EARTH_RADIUS_M * RAD * Math.cos(origin.lat * RAD);
  }

  toXy(p: LatLon): Xy {
    return { x: (p.lon - this.origin.lon) * this.mPerDegLon, y: (p.lat - this.origin.lat) * this.mPerDegLat };
  }

  toLatLon(p: Xy): LatLon {
    return { lat: this.origin.lat + p.y / this.mPerDegLat, lon: this.origin.lon + p.x / this.mPerDegLon };
  }
}

/** z of the 2-D cross product (b - a) x (p - a): positive when p is left of a->b. */
export function crossZ(a: Xy, b: Xy, p: Xy): number {
  return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
}

export interface SegmentHit {
  /** Fraction along p0->p1 where it meets q0->q1, in [0, 1]. */
  t: number;
  /** Fraction along q0->q1, in [0, 1]. */
  u: number;
}

/**
 * Intersection of segments p0->p1 and q0->q1, or null (parallel, collinear or disjoint).
 * Endpoints count as touching so that a fix lying exactly on a line is not missed; the caller
 * decides which side an endpoint belongs to.
 */
export function segmentIntersection(p0: Xy, p1: Xy, q0: Xy, q1: Xy): SegmentHit | null {
  const rx = p1.x - p0.x;
  const ry = p1.y - p0.y;
  const sx = q1.x - q0.x;
  const sy = q1.y - q0.y;
  const denom = rx * sy - ry * sx;
  if (denom === 0) return null;
  const qpx = q0.x - p0.x;
  const qpy = q0.y - p0.y;
  const t = (qpx * sy - qpy * sx) / denom;
  const u = (qpx * ry - qpy * rx) / denom;
  if (t < 0 || t > 1 || u < 0 || u > 1) return null;
  return { t, u };
}

/** Distance from p to segment a->b, and the fraction along it of the nearest point. */
export function pointSegmentDistance(p: Xy, a: Xy, b: Xy): { distance: number; fraction: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const f = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return { distance: Math.hypot(p.x - (a.x + f * dx), p.y - (a.y + f * dy)), fraction: f };
}

/** Length of a polyline in metres (haversine per leg). */
export function polylineLengthM(points: readonly LatLon[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += haversineM(points[i - 1]!, points[i]!);
  return total;
}

export function midpoint(a: LatLon, b: LatLon): LatLon {
  return { lat: (a.lat + b.lat) / 2, lon: (a.lon + b.lon) / 2 };
}

/** The signed (shoelace) area of a closed polygon in the plane: positive when it runs anticlockwise. */
export function signedArea(xy: readonly Xy[]): number {
  let a = 0;
  for (let i = 0; i < xy.length; i++) {
    const p = xy[i]!;
    const q = xy[(i + 1) % xy.length]!;
    a += p.x * q.y - q.x * p.y;
  }
  return a / 2;
}

import { LocalProjection, midpoint, pointSegmentDistance, signedArea, type LatLon, type Xy } from '../timing/geo.js';
import { fnv1a } from './fnv1a.js';
import type { LatLonTuple, TrackDefinition } from './track-definition.js';

/**
 * A track's geometry as a short, normalised descriptor: its outline smoothed, resampled to
 * SIGNATURE_POINTS points evenly by distance from the start/finish, in the driving direction.
 * Why the id is built the way it is, and where it can fail: docs/track-signatures.md.
 */
export interface TrackSignature {
  /** `trk-` + 16 hex digits from the coarse quantised descriptor (`signatureKey`). */
  id: string;
  direction: 'cw' | 'ccw';
  /** Length of the smoothed loop, metres. */
  lengthM: number;
  /** Mean of the resampled points: moves far less than any single point under noise. */
  centroid: LatLon;
  /** Points from the start/finish (the first) every lengthM / SIGNATURE_POINTS metres. */
  points: LatLonTuple[];
}

export const SIGNATURE_POINTS = 512;
/** The outline is densified to this step before smoothing, metres. */
const DENSE_STEP_M = 2;
/** Half-width of the moving average that takes GNSS jitter (and a driven line's wobble) out. */
const SMOOTH_HALF_M = 10;
/** Grid of the centroid's cell, degrees of latitude (about 2.2 km). */
export const CELL_DEG = 0.02;
/** Width of a length bin, as a ratio: lengths 1.06x apart fall in different bins. */
export const LENGTH_BIN_RATIO = 1.06;
/** Chords of the shape code: the lap cut in this many pieces from the start/finish. */
export const SHAPE_CHORDS = 4;
/** A chord's direction, relative to the line's, in this many sectors. */
export const SHAPE_SECTORS = 4;

/** The quantised values the id is hashed from. */
export interface SignatureKey {
  cellLat: number;
  cellLon: number;
  direction: 'cw' | 'ccw';
  lengthBin: number;
  shape: number[];
}

/**
 * The signature of a track with an outline (null without one: nothing to hash). The start/finish
 * anchors it: the first point is where the line's middle meets the smoothed outline.
 */
export function trackSignature(t: Pick<TrackDefinition, 'startFinish' | 'outline'>): TrackSignature | null {
  if (!t.outline || t.outline.length < 3) return null;
  const proj = new LocalProjection(midpoint(t.startFinish.a, t.startFinish.b));
  const loop = smooth(densify(t.outline.map(([lat, lon]) => proj.toXy({ lat, lon }))));
  const cum = cumulative(loop);
  const lengthM = cum.at(-1)!;
  if (!(lengthM > 0)) return null;
  const anchorS = nearestArc(loop, cum, { x: 0, y: 0 });
  const xy: Xy[] = [];
  for (let k = 0; k < SIGNATURE_POINTS; k++) xy.push(pointAt(loop, cum, anchorS + (k * lengthM) / SIGNATURE_POINTS));
  const centroidXy = { x: mean(xy.map((p) => p.x)), y: mean(xy.map((p) => p.y)) };
  const centroid = proj.toLatLon(centroidXy);
  const points = xy.map((p): LatLonTuple => {
    const q = proj.toLatLon(p);
    return [round7(q.lat), round7(q.lon)];
  });
  const direction = signedArea(xy) >= 0 ? 'ccw' : 'cw';
  const sig = { id: '', direction, lengthM: Math.round(lengthM * 10) / 10, centroid: { lat: round7(centroid.lat), lon: round7(centroid.lon) }, points } satisfies TrackSignature;
  return { ...sig, id: signatureId(signatureKey(sig)) };
}

/** The coarse, quantised form of a signature: bins wide enough that noise rarely moves a value across an edge. */
export function signatureKey(s: Omit<TrackSignature, 'id'>): SignatureKey {
  return {
    cellLat: Math.floor(s.centroid.lat / CELL_DEG),
    cellLon: Math.floor(s.centroid.lon / CELL_DEG),
    direction: s.direction,
    lengthBin: Math.floor(Math.log(s.lengthM) / Math.log(LENGTH_BIN_RATIO)),
    shape: shapeCode(s.points),
  };
}

export function signatureId(k: SignatureKey): string {
  const text = [k.cellLat, k.cellLon, k.direction, k.lengthBin, k.shape.join('')].join('/');
  return `trk-${fnv1a(text, 0x811c9dc5)}${fnv1a(text, 0x01000193)}`;
}

/**
 * The direction of each of SHAPE_CHORDS chords of the lap, turned by the heading at the
 * start/finish (so the code describes the shape, not the compass), in SHAPE_SECTORS sectors.
 */
export function shapeCode(points: readonly LatLonTuple[]): number[] {
  const proj = new LocalProjection({ lat: points[0]![0], lon: points[0]![1] });
  const xy = points.map(([lat, lon]) => proj.toXy({ lat, lon }));
  const n = xy.length;
  const base = chordAngle(xy[n - 2]!, xy[2]!);
  const code: number[] = [];
  for (let c = 0; c < SHAPE_CHORDS; c++) {
    const from = xy[Math.round((c * n) / SHAPE_CHORDS) % n]!;
    const to = xy[Math.round(((c + 1) * n) / SHAPE_CHORDS) % n]!;
    code.push(sector(chordAngle(from, to) - base));
  }
  return code;
}

/** Where an angle (radians) falls among SHAPE_SECTORS sectors, and how far it is from the nearest edge, as a fraction of a sector. */
export function sectorOf(angle: number): { sector: number; edge: number } {
  const turns = (((angle / (2 * Math.PI)) % 1) + 1) % 1;
  const x = turns * SHAPE_SECTORS;
  const frac = x - Math.floor(x);
  return { sector: Math.floor(x) % SHAPE_SECTORS, edge: Math.min(frac, 1 - frac) };
}

const sector = (angle: number) => sectorOf(angle).sector;
const chordAngle = (a: Xy, b: Xy) => Math.atan2(b.y - a.y, b.x - a.x);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

/** The closed loop at DENSE_STEP_M steps (the last point is not repeated). */
function densify(pts: readonly Xy[]): Xy[] {
  const closed = [...pts, pts[0]!];
  const out: Xy[] = [];
  let carry = 0;
  for (let i = 1; i < closed.length; i++) {
    const a = closed[i - 1]!;
    const b = closed[i]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    let d = carry;
    for (; d < len; d += DENSE_STEP_M) out.push({ x: a.x + ((b.x - a.x) * d) / len, y: a.y + ((b.y - a.y) * d) / len });
    carry = d - len;
  }
  return out.length >= 3 ? out : [...pts];
}

/** Circular moving average over ±SMOOTH_HALF_M. */
function smooth(pts: readonly Xy[]): Xy[] {
  const n = pts.length;
  const half = Math.min(Math.floor(n / 4), Math.round(SMOOTH_HALF_M / DENSE_STEP_M));
  const out: Xy[] = [];
  for (let i = 0; i < n; i++) {
    let x = 0;
    let y = 0;
    for (let k = -half; k <= half; k++) {
      const p = pts[(i + k + n) % n]!;
      x += p.x;
      y += p.y;
    }
    out.push({ x: x / (2 * half + 1), y: y / (2 * half + 1) });
  }
  return out;
}

/** Arc length at each point of the closed loop; one more entry than points: the whole loop. */
function cumulative(loop: readonly Xy[]): number[] {
  const cum = [0];
  for (let i = 1; i <= loop.length; i++) {
    const a = loop[i - 1]!;
    const b = loop[i % loop.length]!;
    cum.push(cum[i - 1]! + Math.hypot(b.x - a.x, b.y - a.y));
  }
  return cum;
}

function nearestArc(loop: readonly Xy[], cum: readonly number[], p: Xy): number {
  let best = { d: Infinity, s: 0 };
  for (let i = 0; i < loop.length; i++) {
    const a = loop[i]!;
    const b = loop[(i + 1) % loop.length]!;
    const { distance, fraction } = pointSegmentDistance(p, a, b);
    if (distance < best.d) best = { d: distance, s: cum[i]! + fraction * (cum[i + 1]! - cum[i]!) };
  }
  return best.s;
}

function pointAt(loop: readonly Xy[], cum: readonly number[], s: number): Xy {
  const total = cum.at(-1)!;
  const w = ((s % total) + total) % total;
  let lo = 0;
  let hi = loop.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! <= w) lo = mid;
    else hi = mid;
  }
  const a = loop[lo]!;
  const b = loop[(lo + 1) % loop.length]!;
  const f = (w - cum[lo]!) / (cum[lo + 1]! - cum[lo]! || 1);
  return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
}

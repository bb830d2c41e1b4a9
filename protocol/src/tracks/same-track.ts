import { LocalProjection, haversineM, pointSegmentDistance, type Xy } from '../timing/geo.js';
import { fnv1a } from './fnv1a.js';
import type { TrackSignature } from './track-signature.js';

/** How far apart two signatures are, in the terms `sameTrack` judges. */
export interface SignatureDistance {
  sameDirection: boolean;
  /** Between the two start/finish anchors, metres. */
  anchorM: number;
  /** |a - b| / the shorter, e.g. 0.01 for 1 %. */
  lengthRatio: number;
  /** Mean distance of each outline's points to the other outline (the larger of the two ways), metres. */
  meanM: number;
  /** The largest such distance held over SUSTAIN_M of track, metres: a chicane or a link road one layout takes and the other not. */
  maxM: number;
}

/** The same loop drawn twice: S/F within this, metres. */
export const SAME_ANCHOR_M = 40;
export const SAME_LENGTH_RATIO = 0.06;
export const SAME_MEAN_M = 6;
/**
 * Two layouts of one venue differ by a stretch one of them leaves the other's outline for. The
 * catalog's layouts part by at least 20 m held over SUSTAIN_M (same-track.test.ts measures them
 * all); the real laps in testdata/ keep within 13 m of their catalog outline.
 */
export const SAME_MAX_M = 16;
/** The stretch a deviation must hold for, metres. */
const SUSTAIN_M = 12;

/** The distances between two signatures (far apart venues are answered at once, without the outline). */
export function signatureDistance(a: TrackSignature, b: TrackSignature): SignatureDistance {
  const anchorM = haversineM(ll(a.points[0]!), ll(b.points[0]!));
  const lengthRatio = Math.abs(a.lengthM - b.lengthM) / Math.min(a.lengthM, b.lengthM);
  const base = { sameDirection: a.direction === b.direction, anchorM, lengthRatio };
  if (haversineM(a.centroid, b.centroid) > 2000) return { ...base, meanM: Infinity, maxM: Infinity };
  const proj = new LocalProjection(a.centroid);
  const pa = a.points.map(([lat, lon]) => proj.toXy({ lat, lon }));
  const pb = b.points.map(([lat, lon]) => proj.toXy({ lat, lon }));
  const ab = toOutline(pa, pb, a.lengthM / pa.length);
  const ba = toOutline(pb, pa, b.lengthM / pb.length);
  return { ...base, meanM: Math.max(ab.mean, ba.mean), maxM: Math.max(ab.max, ba.max) };
}

/**
 * Whether two signatures are one track drawn twice: driven the same way round, the start/finish
 * in about the same place, the same length within 6 %, and each outline close to the other
 * everywhere. Used to resolve near-misses of the id (values on either side of a bin edge).
 */
export function sameTrack(a: TrackSignature, b: TrackSignature): boolean {
  if (a.direction !== b.direction || Math.abs(a.lengthM - b.lengthM) / Math.min(a.lengthM, b.lengthM) > SAME_LENGTH_RATIO) return false;
  if (haversineM(ll(a.points[0]!), ll(b.points[0]!)) > SAME_ANCHOR_M) return false;
  const d = signatureDistance(a, b);
  return d.sameDirection && d.anchorM <= SAME_ANCHOR_M && d.lengthRatio <= SAME_LENGTH_RATIO && d.meanM <= SAME_MEAN_M && d.maxM <= SAME_MAX_M;
}

/**
 * The id each track goes by once near-misses are resolved, as a pure function of the set (every
 * laptop holding the same tracks resolves them alike, in whatever order they arrived):
 * - tracks that are the same (directly or through others) take the id of one of them: a
 *   reference (`references`: the catalog every companion ships, the registry's entries) if one
 *   is among them, else the smallest;
 * - two different tracks whose coarse ids collide (layouts of one venue a chicane apart) each get
 *   a suffix from their own outline, so they never share an id.
 */
export function resolveTrackIds(signatures: readonly TrackSignature[], references: readonly TrackSignature[] = []): Map<string, string> {
  const byKey = new Map<string, TrackSignature>();
  const referenceKeys = new Set(references.map(signatureKeyOf));
  for (const s of [...references, ...signatures]) byKey.set(signatureKeyOf(s), s);
  // References first, so the root of a class (its smallest index) is a reference when it holds one.
  const rank = (s: TrackSignature) => `${referenceKeys.has(signatureKeyOf(s)) ? 0 : 1}${signatureKeyOf(s)}`;
  const sorted = [...byKey.values()].sort((x, y) => compare(rank(x), rank(y)));
  const parent = sorted.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : find(parent[i]!));
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const [ri, rj] = [find(i), find(j)];
      if (ri !== rj && sameTrack(sorted[i]!, sorted[j]!)) parent[Math.max(ri, rj)] = Math.min(ri, rj);
    }
  }
  const roots = [...new Set(sorted.map((_, i) => find(i)))];
  const classesWithId = new Map<string, number>();
  for (const r of roots) classesWithId.set(sorted[r]!.id, (classesWithId.get(sorted[r]!.id) ?? 0) + 1);
  const idOf = (r: number) => {
    const rep = sorted[r]!;
    return classesWithId.get(rep.id)! > 1 ? `${rep.id}-${outlineHash(rep)}` : rep.id;
  };
  const out = new Map<string, string>();
  sorted.forEach((s, i) => out.set(signatureKeyOf(s), idOf(find(i))));
  return out;
}

/** What tells two signatures apart in `resolveTrackIds`: the id, then the outline itself. */
export function signatureKeyOf(s: TrackSignature): string {
  let key = keys.get(s);
  if (key === undefined) keys.set(s, (key = `${s.id}:${outlineHash(s)}`));
  return key;
}
const keys = new WeakMap<TrackSignature, string>();

const outlineHash = (s: TrackSignature): string => fnv1a(s.points.map(([lat, lon]) => `${lat.toFixed(5)},${lon.toFixed(5)}`).join(';'));

const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const ll = ([lat, lon]: readonly [number, number]) => ({ lat, lon });

/**
 * Each point's distance to the other outline: the mean, and the largest held over SUSTAIN_M of
 * track (a stretch one layout takes and the other not; a driven lap's moment off the line, a
 * single stray point, does not make it another track).
 */
function toOutline(points: readonly Xy[], outline: readonly Xy[], stepM: number): { mean: number; max: number } {
  const n = points.length;
  const m = outline.length;
  // Both run from their anchors (close, or sameTrack stops before): point i lies near outline
  // point i * m / n. Search there first; scan the whole outline only for a point not found near.
  const window = Math.ceil(m * (SAME_LENGTH_RATIO + 0.02)) + 4;
  const nearest = (p: Xy, from: number, to: number) => {
    let best = Infinity;
    for (let k = from; k <= to; k++) {
      const i = ((k % m) + m) % m;
      best = Math.min(best, pointSegmentDistance(p, outline[i]!, outline[(i + 1) % m]!).distance);
    }
    return best;
  };
  const d = points.map((p, i) => {
    const c = Math.round((i * m) / n);
    const near = nearest(p, c - window, c + window);
    return near <= SAME_MAX_M ? near : nearest(p, 0, m - 1);
  });
  const span = Math.max(1, Math.min(n - 1, Math.round(SUSTAIN_M / stepM)));
  let max = 0;
  for (let i = 0; i < n; i++) {
    let held = Infinity;
    for (let k = 0; k <= span; k++) held = Math.min(held, d[(i + k) % n]!);
    max = Math.max(max, held);
  }
  return { mean: d.reduce((a, b) => a + b, 0) / n, max };
}

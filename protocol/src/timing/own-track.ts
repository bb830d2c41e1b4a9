import type { TrackDefinition } from '../tracks/track-definition.js';
import { fnv1a } from '../tracks/fnv1a.js';
import { LocalProjection, bearingDeg, haversineM, midpoint, signedArea, type LatLon } from './geo.js';
import { OutlineFit } from './outline-fit.js';
import { lineAcross } from './timing-line.js';

export interface OwnTrackOptions {
  name: string;
  /** Where the start/finish goes, as a fraction of the lap by distance; default: the middle of the longest straight. */
  at?: number;
  /** Sector lines, as fractions of the lap after the start/finish. */
  sectorsAt?: readonly number[];
  /** Width of the timing lines, metres. Default 30. */
  widthM?: number;
}

const STEP_M = 5;
/** A lap closes where the path comes back within this of an earlier point, heading the same way. */
const CLOSE_M = 12;
const MIN_LAP_M = 250;

interface PathPoint {
  p: LatLon;
  s: number;
}

/**
 * A track proposed from a driven path at a venue the catalog does not know: the first lap
 * (where the path first comes back on itself, going the same way), a start/finish line square to
 * the path, optional sectors, its outline every 10 m from the line. Throws when the path holds
 * no lap.
 */
export function proposeTrack(path: readonly LatLon[], o: OwnTrackOptions): TrackDefinition {
  const lap = firstLap(resample(path, STEP_M));
  if (!lap) throw new Error('the path never comes back on itself: no lap to make a track of');
  const lengthM = lap.at(-1)!.s - lap[0]!.s;
  const at = o.at ?? longestStraight(lap) / lengthM;
  if (!(at >= 0 && at < 1)) throw new Error('--at is a fraction of the lap, from 0 to below 1');
  const widthM = o.widthM ?? 30;
  const start = lap[0]!.s + at * lengthM;
  const lineAt = (s: number) => {
    const wrapped = lap[0]!.s + ((((s - lap[0]!.s) % lengthM) + lengthM) % lengthM);
    const i = Math.max(1, Math.min(lap.length - 2, lap.findIndex((q) => q.s >= wrapped)));
    return lineAcross(lap[i]!.p, bearingDeg(lap[i - 1]!.p, lap[i + 1]!.p), widthM);
  };
  const outline: [number, number][] = [];
  for (let d = 0; d < lengthM; d += 10) {
    const s = lap[0]!.s + (((start - lap[0]!.s + d) % lengthM) + lengthM) % lengthM;
    const i = Math.max(0, lap.findIndex((q) => q.s >= s));
    outline.push([round7(lap[i]!.p.lat), round7(lap[i]!.p.lon)]);
  }
  const startFinish = lineAt(start);
  const sectors = (o.sectorsAt ?? []).map((f) => {
    if (!(f > 0 && f < 1)) throw new Error('sector positions are fractions of the lap, between 0 and 1');
    return lineAt(start + f * lengthM);
  });
  const geometry = { startFinish, lengthM: Math.round(lengthM), outline };
  const name = o.name.trim();
  if (!name) throw new Error('a track needs a name');
  return {
    id: ownTrackId(geometry),
    venue: name.slice(0, 120),
    layout: name.slice(0, 120),
    startFinish,
    ...(sectors.length ? { sectors } : {}),
    lengthM: geometry.lengthM,
    outline,
    origin: { source: 'pitwall', licence: 'CC0-1.0', ref: 'own', note: 'drawn from a driven lap' },
  };
}

/**
 * A stable id from the geometry: the start/finish (its midpoint to about 200 m and its forward
 * direction to 45 degrees), the lap length to 100 m and the outline's turning direction. The
 * same track drawn twice with its line in the same place gets the same id unless a value sits on
 * a rounding edge; the default line (the middle of the longest straight) moves by tens of metres
 * between laps, so stores match a new track against their own (`sameOwnTrack`) and keep the
 * first one's id.
 */
export function ownTrackId(t: Pick<TrackDefinition, 'startFinish' | 'lengthM' | 'outline'>): string {
  const mid = midpoint(t.startFinish.a, t.startFinish.b);
  const heading = (bearingDeg(t.startFinish.a, t.startFinish.b) + 270) % 360;
  const key = [
    Math.round(mid.lat / 0.002),
    Math.round(mid.lon / 0.002),
    Math.round(heading / 45) % 8,
    Math.round(t.lengthM / 100),
    outlineArea(t.outline ?? []) >= 0 ? 'ccw' : 'cw',
  ].join('/');
  return `own-${fnv1a(key, 0x811c9dc5)}${fnv1a(key, 0x01000193)}`;
}

/**
 * Whether two tracks are the same loop drawn twice (wherever their lines were put): driven the
 * same way round, lengths within 3%, and each outline within 8 m of the other on average.
 */
export function sameOwnTrack(a: TrackDefinition, b: TrackDefinition): boolean {
  if (!a.outline || !b.outline || outlineArea(a.outline) * outlineArea(b.outline) <= 0) return false;
  if (Math.abs(a.lengthM - b.lengthM) > 0.03 * a.lengthM) return false;
  const points = (t: TrackDefinition) => t.outline!.filter((_, i) => i % 5 === 0).map(([lat, lon]) => ({ lat, lon }));
  const fitA = new OutlineFit(a.outline, midpoint(a.startFinish.a, a.startFinish.b));
  const fitB = new OutlineFit(b.outline, midpoint(b.startFinish.a, b.startFinish.b));
  return fitB.meanDistanceM(points(a)) < 8 && fitA.meanDistanceM(points(b)) < 8;
}

function resample(path: readonly LatLon[], step: number): PathPoint[] {
  const out: PathPoint[] = [];
  let s = 0;
  let last: LatLon | null = null;
  for (const p of path) {
    if (last && haversineM(last, p) < step) continue;
    if (last) s += haversineM(last, p);
    out.push({ p, s });
    last = p;
  }
  return out;
}

/** The loop that closes first: the earliest point where the path meets itself again, heading the same way. */
function firstLap(pts: PathPoint[]): PathPoint[] | null {
  for (let j = 2; j < pts.length - 1; j++) {
    const hj = bearingDeg(pts[j - 1]!.p, pts[j + 1]!.p);
    for (let i = j - 1; i >= 1; i--) {
      if (pts[j]!.s - pts[i]!.s < MIN_LAP_M || haversineM(pts[i]!.p, pts[j]!.p) > CLOSE_M) continue;
      const hi = bearingDeg(pts[i - 1]!.p, pts[i + 1]!.p);
      if (Math.abs(((hi - hj + 540) % 360) - 180) < 45) return pts.slice(i, j + 1);
    }
  }
  return null;
}

/**
 * Distance along the lap (from its first point) to the middle of its longest straight: the
 * longest run whose heading (over 20 m chords, steady against receiver noise) stays within 10
 * degrees of where it began. The lap is walked twice round so a straight across its first point
 * counts whole.
 */
function longestStraight(lap: PathPoint[]): number {
  const n = lap.length - 1; // the last point closes on the first
  const lengthM = lap[n]!.s - lap[0]!.s;
  const at = (k: number) => lap[k % n]!;
  const along = (k: number) => at(k).s - lap[0]!.s + Math.floor(k / n) * lengthM;
  const heading = (k: number) => bearingDeg(at(k + n - 2).p, at(k + 2).p);
  let best = { from: 0, to: 0 };
  let from = 0;
  for (let k = 1; k < 2 * n && k - from < n; k++) {
    if (Math.abs(((heading(k) - heading(from) + 540) % 360) - 180) > 10) from = k;
    else if (along(k) - along(from) > best.to - best.from) best = { from: along(from), to: along(k) };
  }
  return ((best.from + best.to) / 2) % lengthM;
}

/** The signed area of an outline of [lat, lon] points, in the plane about its first point. */
function outlineArea(outline: readonly (readonly [number, number])[]): number {
  if (outline.length < 3) return 0;
  const proj = new LocalProjection({ lat: outline[0]![0], lon: outline[0]![1] });
  return signedArea(outline.map(([lat, lon]) => proj.toXy({ lat, lon })));
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

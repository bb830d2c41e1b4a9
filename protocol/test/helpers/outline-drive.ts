// Synthetic drives along catalog outlines: a route of legs (standing, driving along a polyline
// at a speed) sampled at a GNSS rate, with receiver noise that wanders slowly as real GNSS
// error does (first-order Gauss-Markov) plus a little white noise.
import { LocalProjection, haversineM, midpoint, type LatLon, type TimingFix } from '../../src/timing/index.js';
import type { TrackDefinition } from '../../src/tracks/index.js';

interface Leg {
  t0: number;
  t1: number;
  speedMps: number;
  at(t: number): LatLon;
}

export interface GnssNoise {
  rand: () => number;
  /** Standard deviation of the wandering error, metres. Default 1.5. */
  sigmaM?: number;
  /** Its correlation time, seconds. Default 10. */
  tauS?: number;
  /** White noise on top, metres. Default 0.2. */
  whiteM?: number;
}

export class Route {
  private readonly legs: Leg[] = [];
  private here: LatLon;

  constructor(
    start: LatLon,
    readonly t0 = 1_700_000_000_000,
  ) {
    this.here = start;
  }

  get endT(): number {
    return this.legs.at(-1)?.t1 ?? this.t0;
  }

  get position(): LatLon {
    return this.here;
  }

  stand(seconds: number): this {
    const p = this.here;
    const t0 = this.endT;
    this.legs.push({ t0, t1: t0 + seconds * 1000, speedMps: 0, at: () => p });
    return this;
  }

  /** Drives from here along the points at a constant speed. */
  drive(points: readonly LatLon[], speedMps: number): this {
    const pts = [this.here, ...points];
    const cum = [0];
    for (let i = 1; i < pts.length; i++) cum.push(cum[i - 1]! + haversineM(pts[i - 1]!, pts[i]!));
    const total = cum.at(-1)!;
    if (total === 0) return this;
    const t0 = this.endT;
    let k = 1;
    this.legs.push({
      t0,
      t1: t0 + (total / speedMps) * 1000,
      speedMps,
      at: (t) => {
        const s = Math.min(total, ((t - t0) / 1000) * speedMps);
        if (s < cum[k - 1]!) k = 1;
        while (k < cum.length - 1 && cum[k]! < s) k++;
        const seg = cum[k]! - cum[k - 1]!;
        const f = seg === 0 ? 0 : (s - cum[k - 1]!) / seg;
        const a = pts[k - 1]!;
        const b = pts[k]!;
        return { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f };
      },
    });
    this.here = points.at(-1) ?? this.here;
    return this;
  }

  /** Fixes at `rateHz`, noise-free unless `noise` is given. */
  sample(rateHz: number, noise?: GnssNoise, phaseMs = 0): TimingFix[] {
    const period = 1000 / rateHz;
    const proj = new LocalProjection(this.legs[0] ? this.legs[0].at(this.t0) : this.here);
    const sigma = noise?.sigmaM ?? 1.5;
    const a = Math.exp(-period / 1000 / (noise?.tauS ?? 10));
    const gauss = () => {
      const r = noise!.rand;
      return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    };
    let ex = noise ? gauss() * sigma : 0;
    let ey = noise ? gauss() * sigma : 0;
    const fixes: TimingFix[] = [];
    let leg = 0;
    for (let t = this.t0 + phaseMs; t <= this.endT; t += period) {
      while (this.legs[leg]!.t1 < t) leg++;
      const l = this.legs[leg]!;
      let p = l.at(t);
      if (noise) {
        ex = a * ex + Math.sqrt(1 - a * a) * sigma * gauss();
        ey = a * ey + Math.sqrt(1 - a * a) * sigma * gauss();
        const w = noise.whiteM ?? 0.2;
        const xy = proj.toXy(p);
        p = proj.toLatLon({ x: xy.x + ex + w * gauss(), y: xy.y + ey + w * gauss() });
      }
      fixes.push({ t, lat: p.lat, lon: p.lon, speedMps: l.speedMps });
    }
    return fixes;
  }
}

/**
 * The track's outline as points, closed: joined from `from` at the vertex nearest to it, moved
 * on by at least `onM` and away from the start/finish, so the join itself crosses no line.
 */
export function loopFrom(track: TrackDefinition, from: LatLon, onM = 100): LatLon[] {
  const pts = track.outline!.map(([lat, lon]) => ({ lat, lon }));
  let k = 0;
  pts.forEach((p, i) => {
    if (haversineM(p, from) < haversineM(pts[k]!, from)) k = i;
  });
  const line = lineMid(track);
  for (let moved = 0, n = 0; n < pts.length && (moved < onM || haversineM(pts[k]!, line) < 60); n++) {
    const next = (k + 1) % pts.length;
    moved += haversineM(pts[k]!, pts[next]!);
    k = next;
  }
  return [...pts.slice(k + 1), ...pts.slice(0, k + 1)];
}

export const lineMid = (t: TrackDefinition): LatLon => midpoint(t.startFinish.a, t.startFinish.b);

/** A lap speed for the layout: laps of 40 s or more, 14-45 m/s. */
export const lapSpeed = (t: TrackDefinition): number => Math.max(14, Math.min(45, t.lengthM / 40));

/** A paddock spot beside the layout's start/finish: `sideM` beyond the line's left end, in line with it. */
export function besideLine(t: TrackDefinition, sideM = 25): LatLon {
  const mid = lineMid(t);
  const proj = new LocalProjection(mid);
  const a = proj.toXy(t.startFinish.a);
  const len = Math.hypot(a.x, a.y) || 1;
  return proj.toLatLon({ x: (a.x / len) * (len + sideM), y: (a.y / len) * (len + sideM) });
}

/** Points every `stepM` along the closed outline. */
export function resampled(t: TrackDefinition, stepM: number): LatLon[] {
  const pts = t.outline!.map(([lat, lon]) => ({ lat, lon }));
  pts.push(pts[0]!);
  const out: LatLon[] = [];
  let s = 0;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const len = haversineM(a, b);
    for (; s < len; s += stepM) out.push({ lat: a.lat + ((b.lat - a.lat) * s) / len, lon: a.lon + ((b.lon - a.lon) * s) / len });
    s -= len;
  }
  return out;
}

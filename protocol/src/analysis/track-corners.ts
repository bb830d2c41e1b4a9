import type { ReferenceLine } from './reference-line.js';

/** A corner of a track, on its reference line's stations (metres from the start/finish). */
export interface TrackCorner {
  /** 1 for the first corner after the start/finish. */
  number: number;
  direction: 'left' | 'right';
  /** Where the curvature rises above the corner's threshold; negative when the corner starts before the line. */
  entryM: number;
  /** Where the smoothed curvature peaks. */
  apexM: number;
  /** Where it falls back below the threshold; past the length when the corner ends after the line. */
  exitM: number;
  /** 1 / peak curvature, metres. */
  radiusM: number;
  /** Heading change from entry to exit, degrees. */
  turnDeg: number;
}

export interface CornerOptions {
  /** A corner's smoothed curvature peaks tighter than this radius. Default 150 m. */
  peakRadiusM?: number;
  /** Entry and exit: where the curvature falls below this fraction of the corner's peak. Default 0.3. */
  fall?: number;
  /** Heading change over which curvature is measured, ± metres. Default 4. */
  spanM?: number;
  /** Moving average window of the curvature, metres. Default 40 (irons out outline points a few metres off). */
  smoothM?: number;
  /** Corners turning less than this are kinks, not corners. Default 30 degrees. */
  minTurnDeg?: number;
}

const wrapAngle = (a: number) => Math.atan2(Math.sin(a), Math.cos(a));

/** Signed curvature (1/m, positive turning left) at each point of the closed line, smoothed. */
export function lineCurvature(line: ReferenceLine, spanM = 4, smoothM = 40): number[] {
  const p = line.points;
  const n = p.length;
  const at = (i: number) => p[((i % n) + n) % n]!;
  const heading = p.map((_, i) => Math.atan2(at(i + 1).y - at(i - 1).y, at(i + 1).x - at(i - 1).x));
  const h = Math.max(1, Math.round(spanM / line.step));
  const raw = heading.map((_, i) => wrapAngle(heading[(i + h) % n]! - heading[(i - h + n) % n]!) / (2 * h * line.step));
  const w = Math.max(0, Math.round(smoothM / line.step / 2));
  const out = new Array<number>(n);
  let sum = 0;
  for (let j = -w; j <= w; j++) sum += raw[((j % n) + n) % n]!;
  for (let i = 0; i < n; i++) {
    out[i] = sum / (2 * w + 1);
    sum += raw[(i + w + 1) % n]! - raw[(((i - w) % n) + n) % n]!;
  }
  return out;
}

/**
 * The corners of a track from the curvature of its reference line: every peak of the smoothed
 * curvature tighter than `peakRadiusM`, taken from the tightest down, grows both ways while the
 * curvature keeps its sign and stays above `fall` x its peak (that is the entry and the exit);
 * a weaker peak inside a corner already found belongs to it, one beyond a dip below the
 * threshold is a corner of its own. Numbered in driving order from the start/finish.
 */
export function findCorners(line: ReferenceLine, o: CornerOptions = {}): TrackCorner[] {
  const kappa = lineCurvature(line, o.spanM ?? 4, o.smoothM ?? 40);
  const n = kappa.length;
  const peak = 1 / (o.peakRadiusM ?? 150);
  const fall = o.fall ?? 0.3;
  const minTurn = ((o.minTurnDeg ?? 30) * Math.PI) / 180;
  const claimed = new Uint8Array(n);
  const candidates = kappa.map((_, i) => i).filter((i) => Math.abs(kappa[i]!) >= peak).sort((a, b) => Math.abs(kappa[b]!) - Math.abs(kappa[a]!));
  const found: Omit<TrackCorner, 'number'>[] = [];
  for (const apex of candidates) {
    if (claimed[apex]) continue;
    const k = kappa[apex]!;
    const limit = Math.abs(k) * fall;
    const inside = (i: number) => {
      const j = ((i % n) + n) % n;
      return !claimed[j] && Math.sign(kappa[j]!) === Math.sign(k) && Math.abs(kappa[j]!) >= limit;
    };
    let a = apex;
    let b = apex;
    while (b - a < n - 1 && inside(a - 1)) a--;
    while (b - a < n - 1 && inside(b + 1)) b++;
    let turn = 0;
    for (let i = a; i <= b; i++) {
      const j = ((i % n) + n) % n;
      claimed[j] = 1;
      turn += kappa[j]! * line.step;
    }
    if (Math.abs(turn) < minTurn) continue;
    // a < 0: the corner starts before the line; b >= n: it ends after it.
    found.push({
      direction: k > 0 ? 'left' : 'right',
      entryM: a * line.step,
      apexM: apex * line.step,
      exitM: b * line.step,
      radiusM: 1 / Math.abs(k),
      turnDeg: (Math.abs(turn) * 180) / Math.PI,
    });
  }
  return found
    .sort((x, y) => x.apexM - y.apexM)
    .map((c, i) => ({ number: i + 1, ...c }));
}

// Test-only: a real recording cut into laps at a line, each lap as a track outline (the track a
// laptop would draw from that lap), and seeded GNSS-like noise on an outline.
import { LocalProjection, midpoint, timeLaps, type TimingFix } from '../../src/timing/index.js';
import type { LatLonTuple, TimingLine } from '../../src/tracks/index.js';

/** The fixes of each whole lap (line to line) as an outline. */
export function lapOutlines(fixes: readonly TimingFix[], line: TimingLine): LatLonTuple[][] {
  const { laps } = timeLaps(fixes, { startFinish: line });
  return laps.map((l) => fixes.filter((f) => f.t >= l.startT && f.t <= l.endT).map((f): LatLonTuple => [f.lat, f.lon]));
}

/**
 * The outline every `stepM` metres with GNSS-like error: white noise of `sigmaM` per point plus
 * a bias that wanders (a random walk pulled back to zero) of about `biasM`.
 */
export function noisyOutline(outline: readonly LatLonTuple[], rand: () => number, o: { sigmaM: number; biasM: number; stepM?: number }): LatLonTuple[] {
  const proj = new LocalProjection({ lat: outline[0]![0], lon: outline[0]![1] });
  const xy = [...outline, outline[0]!].map(([lat, lon]) => proj.toXy({ lat, lon }));
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const bias = { x: 0, y: 0 };
  const out: LatLonTuple[] = [];
  const step = o.stepM ?? 3;
  for (let i = 1; i < xy.length; i++) {
    const a = xy[i - 1]!;
    const b = xy[i]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    for (let d = 0; d < len; d += step) {
      bias.x = 0.98 * bias.x + 0.2 * o.biasM * gauss();
      bias.y = 0.98 * bias.y + 0.2 * o.biasM * gauss();
      const p = proj.toLatLon({ x: a.x + ((b.x - a.x) * d) / len + bias.x + o.sigmaM * gauss(), y: a.y + ((b.y - a.y) * d) / len + bias.y + o.sigmaM * gauss() });
      out.push([p.lat, p.lon]);
    }
  }
  return out;
}

/** The line moved `alongM` metres forward (along its normal) and `acrossM` metres along itself. */
export function movedLine(l: TimingLine, alongM: number, acrossM: number): TimingLine {
  const proj = new LocalProjection(midpoint(l.a, l.b));
  const a = proj.toXy(l.a);
  const b = proj.toXy(l.b);
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  const u = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
  // a is on the driver's left: forward is a->b turned 90 degrees anticlockwise.
  const f = { x: -u.y, y: u.x };
  const shift = (p: { x: number; y: number }) => proj.toLatLon({ x: p.x + f.x * alongM + u.x * acrossM, y: p.y + f.y * alongM + u.y * acrossM });
  return { a: shift(a), b: shift(b) };
}

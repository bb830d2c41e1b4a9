import { useEffect, useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import { Plot, ZOOM_CURSOR, type PlotOptions } from '../charts/plot.js';
import { useChartCursor } from '../store/chart-cursor-store.js';
import type { ChosenTrace } from './session-charts.js';

/** Colours of the path: so many buckets, one canvas path each (45,000 segments draw as 32 strokes). */
const BUCKETS = 32;

/** Index of the last point at or before `d` in ascending `xs`. */
function indexAt(xs: readonly number[], d: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid]! <= d) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** For each point, its colour bucket, and the colour of each bucket. */
function colouring(lap: ChosenTrace, byDelta: boolean): { bucket: Uint8Array; colours: string[]; scale: string } {
  const t = lap.trace;
  const delta = byDelta ? t.deltaMs : null;
  // By delta: how fast it changes (gaining or losing here), not its running total.
  const values = delta ? delta.map((d, i) => (i === 0 ? 0 : d - delta[i - 1]!)) : t.speedKmh;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const bucket = new Uint8Array(values.length);
  if (delta) {
    const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-6);
    const half = BUCKETS / 2;
    values.forEach((v, i) => (bucket[i] = v > 0 ? half + Math.min(half - 1, Math.floor((v / m) * half)) : Math.min(half - 1, Math.floor((-v / m) * half))));
    const colours = Array.from({ length: BUCKETS }, (_, b) => (b < half ? `rgba(62,207,142,${0.35 + (0.65 * b) / half})` : `rgba(255,93,108,${0.35 + (0.65 * (b - half)) / half})`));
    return { bucket, colours, scale: 'green gaining · red losing' };
  }
  values.forEach((v, i) => (bucket[i] = hi > lo ? Math.min(BUCKETS - 1, Math.floor(((v - lo) / (hi - lo)) * BUCKETS)) : 0));
  const colours = Array.from({ length: BUCKETS }, (_, b) => `hsl(${Math.round(215 - (b / (BUCKETS - 1)) * 195)}, 90%, ${Math.round(50 + (b / (BUCKETS - 1)) * 6)}%)`);
  return { bucket, colours, scale: `${Math.round(lo)}–${Math.round(hi)} km/h` };
}

/**
 * The lap's path on a local flat projection (metres east and north of its centre), coloured by
 * speed (blue slow -> orange fast) or by delta to the reference (green gaining, red losing);
 * the car sits where the cursor is on the speed and delta traces. A uPlot scatter chart: zoom
 * by dragging a box, as on the traces.
 */
export function TrackMap({ lap, reference, mode }: { lap: ChosenTrace; reference: ChosenTrace | null; mode: 'speed' | 'delta' }) {
  const t = lap.trace;
  const byDelta = mode === 'delta' && reference !== null && reference.key !== lap.key && t.deltaMs !== null;
  const { xs, ys, height } = useMemo(() => {
    const lat0 = t.lat.reduce((a, b) => a + b, 0) / Math.max(1, t.lat.length);
    const lon0 = t.lon.reduce((a, b) => a + b, 0) / Math.max(1, t.lon.length);
    const k = Math.cos((lat0 * Math.PI) / 180) * 111_320;
    const px = t.lon.map((v) => (v - lon0) * k);
    const py = t.lat.map((v) => (v - lat0) * 110_540);
    const w = Math.max(...px) - Math.min(...px) || 1;
    const h = Math.max(...py) - Math.min(...py) || 1;
    // The box takes the circuit's own aspect (a long, thin circuit gets a short map).
    return { xs: px, ys: py, height: Math.max(110, Math.min(420, Math.round((248 * h) / w) + 16)) };
  }, [t]);
  const paint = useMemo(() => colouring(lap, byDelta), [lap, byDelta]);
  const plot = useRef<uPlot | null>(null);
  const state = useRef({ paint, distanceM: t.distanceM });
  state.current = { paint, distanceM: t.distanceM };

  const options = useMemo<PlotOptions>(
    () => ({
      mode: 2,
      legend: { show: false },
      scales: { x: { time: false, range: (_u, lo, hi) => pad(lo, hi) }, y: { range: (_u, lo, hi) => pad(lo, hi) } },
      axes: [{ show: false }, { show: false }],
      cursor: { ...ZOOM_CURSOR, points: { show: false } },
      series: [{}, { label: lap.label, facets: [{ scale: 'x', auto: true }, { scale: 'y', auto: true }], paths: () => null, points: { show: false } }],
      hooks: { draw: [(u) => drawTrack(u, state.current.paint)], setScale: [(u) => placeCar(u, state.current.distanceM)] },
    }),
    [lap.key],
  );
  const data = useMemo(() => [null, [xs, ys]] as unknown as uPlot.AlignedData, [xs, ys]);
  // The car is an element over the canvas: following the cursor redraws nothing.
  useEffect(() => useChartCursor.subscribe(() => plot.current && placeCar(plot.current, state.current.distanceM)), []);
  useEffect(() => plot.current?.redraw(false), [paint]);

  return (
    <figure className="chart track-map" data-testid="track-map" data-points={t.lat.length}>
      <figcaption>
        <span>
          Track · {lap.label} by {byDelta ? `delta to ${reference!.label}` : 'speed'}
        </span>
        <span className="chart-scale">{paint.scale}</span>
      </figcaption>
      <Plot options={options} data={data} height={height} testId="map-plot" onReady={(u) => (plot.current = u)} />
    </figure>
  );
}

function pad(lo: number, hi: number): [number, number] {
  const m = Math.max(5, (hi - lo) * 0.04);
  return [lo - m, hi + m];
}

/** Puts the car (an element in uPlot's overlay) where the chart cursor is along the lap. */
function placeCar(u: uPlot, distanceM: readonly number[]): void {
  let car = u.over.querySelector<HTMLElement>('.map-car');
  if (!car) {
    car = document.createElement('div');
    car.className = 'map-car';
    u.over.appendChild(car);
  }
  const [xs, ys] = (u.data as unknown as [null, [number[], number[]]])[1];
  const d = useChartCursor.getState().distanceM;
  const i = d !== null && xs.length > 0 ? indexAt(distanceM, d) : null;
  car.style.display = i === null ? 'none' : 'block';
  if (i !== null) car.style.transform = `translate(${u.valToPos(xs[i]!, 'x')}px, ${u.valToPos(ys[i]!, 'y')}px)`;
  // Where the car is, for the browser test.
  (u.root.parentElement ?? u.root).dataset.car = i === null ? '' : String(i);
}

function drawTrack(u: uPlot, paint: { bucket: Uint8Array; colours: string[] }): void {
  const [xs, ys] = (u.data as unknown as [null, [number[], number[]]])[1];
  const ctx = u.ctx;
  const X = (i: number) => u.valToPos(xs[i]!, 'x', true);
  const Y = (i: number) => u.valToPos(ys[i]!, 'y', true);
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  ctx.lineWidth = 2.5 * devicePixelRatio;
  ctx.lineCap = 'round';
  const paths = paint.colours.map(() => new Path2D());
  for (let i = 1; i < xs.length; i++) {
    const p = paths[paint.bucket[i]!]!;
    p.moveTo(X(i - 1), Y(i - 1));
    p.lineTo(X(i), Y(i));
  }
  paths.forEach((p, b) => {
    ctx.strokeStyle = paint.colours[b]!;
    ctx.stroke(p);
  });
  const dot = (i: number, r: number, fill: string) => {
    ctx.beginPath();
    ctx.arc(X(i), Y(i), r * devicePixelRatio, 0, 2 * Math.PI);
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.strokeStyle = '#0b0d12';
    ctx.stroke();
  };
  if (xs.length > 0) dot(0, 4, '#ffffff');
  ctx.restore();
}

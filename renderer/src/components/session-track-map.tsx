import { useEffect, useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import { TrackPlot, type TrackPaint } from '../charts/track-plot.js';
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
function colouring(lap: ChosenTrace, byDelta: boolean): TrackPaint & { scale: string } {
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
  const paint = useMemo(() => colouring(lap, byDelta), [lap, byDelta]);
  const plot = useRef<uPlot | null>(null);
  const distance = useRef(t.distanceM);
  distance.current = t.distanceM;
  // The car is an element over the canvas: following the cursor redraws nothing.
  useEffect(() => useChartCursor.subscribe(() => plot.current && placeCar(plot.current, distance.current)), []);
  useEffect(() => plot.current?.redraw(false), [paint]);

  return (
    <figure className="chart track-map" data-testid="track-map" data-points={t.lat.length}>
      <figcaption>
        <span>
          Track · {lap.label} by {byDelta ? `delta to ${reference!.label}` : 'speed'}
        </span>
        <span className="chart-scale">{paint.scale}</span>
      </figcaption>
      <TrackPlot
        key={lap.key}
        lat={t.lat}
        lon={t.lon}
        paint={paint}
        // The box takes the circuit's own aspect (a long, thin circuit gets a short map).
        height={(aspect) => Math.max(110, Math.min(420, Math.round(248 * aspect) + 16))}
        testId="map-plot"
        onReady={(u) => {
          plot.current = u;
          u.hooks.setScale = [...(u.hooks.setScale ?? []), () => placeCar(u, distance.current)];
          placeCar(u, distance.current);
        }}
      />
    </figure>
  );
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


import { useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import { Plot, ZOOM_CURSOR, type PlotOptions } from './plot.js';

/** How a path is coloured: a colour bucket per point, and each bucket's colour (one canvas path each). */
export interface TrackPaint {
  bucket: Uint8Array;
  colours: string[];
}

/** Positions as metres east and north of their centre (a local flat projection: a circuit is small). */
export function localProjection(lat: readonly number[], lon: readonly number[]): { xs: number[]; ys: number[]; aspect: number } {
  const lat0 = lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length);
  const lon0 = lon.reduce((a, b) => a + b, 0) / Math.max(1, lon.length);
  const k = Math.cos((lat0 * Math.PI) / 180) * 111_320;
  const xs = lon.map((v) => (v - lon0) * k);
  const ys = lat.map((v) => (v - lat0) * 110_540);
  const w = Math.max(...xs) - Math.min(...xs) || 1;
  const h = Math.max(...ys) - Math.min(...ys) || 1;
  return { xs, ys, aspect: h / w };
}

/**
 * A driven path on the chart layer (a uPlot scatter chart without axes): the path coloured by
 * `paint`, a white dot at its start and, when `head` is set, a dot at that point; drag a box
 * to zoom, double-click for all. The track map of a session and the live track both use it.
 */
export function TrackPlot({ lat, lon, paint, head, height, testId, onReady }: { lat: readonly number[]; lon: readonly number[]; paint: TrackPaint; head?: number; height: (aspect: number) => number; testId: string; onReady?: (u: uPlot) => void }) {
  const { xs, ys, aspect } = useMemo(() => localProjection(lat, lon), [lat, lon]);
  const state = useRef({ paint, head });
  state.current = { paint, head };
  const options = useMemo<PlotOptions>(
    () => ({
      mode: 2,
      legend: { show: false },
      scales: { x: { time: false, range: (_u, lo, hi) => pad(lo, hi) }, y: { range: (_u, lo, hi) => pad(lo, hi) } },
      axes: [{ show: false }, { show: false }],
      cursor: { ...ZOOM_CURSOR, points: { show: false } },
      series: [{}, { facets: [{ scale: 'x', auto: true }, { scale: 'y', auto: true }], paths: () => null, points: { show: false } }],
      hooks: { draw: [(u) => drawTrack(u, state.current.paint, state.current.head)] },
    }),
    [],
  );
  const data = useMemo(() => [null, [xs, ys]] as unknown as uPlot.AlignedData, [xs, ys]);
  return <Plot options={options} data={data} height={height(aspect)} testId={testId} onReady={onReady} />;
}

function pad(lo: number, hi: number): [number, number] {
  const m = Math.max(5, (hi - lo) * 0.04);
  return [lo - m, hi + m];
}

function drawTrack(u: uPlot, paint: TrackPaint, head: number | undefined): void {
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
    const p = paths[paint.bucket[i] ?? 0]!;
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
  if (head !== undefined && head < xs.length) dot(head, 5, paint.colours.at(-1)!);
  ctx.restore();
}

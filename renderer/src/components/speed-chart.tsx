import { useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import { Plot, type PlotOptions } from '../charts/plot.js';
import { themeColour } from '../charts/theme.js';

const MAX_WINDOW_MS = 60_000;
const MIN_WINDOW_MS = 15_000;
const HEIGHT = 180;

/**
 * Speed over the last minute, from the live fixes received since the panel opened, on the
 * chart layer: the time axis grows from 15 s to the last minute so a freshly opened panel is
 * not mostly empty.
 */
export function SpeedChart({ speeds, times, now }: { speeds: (number | null)[]; times: number[]; now: number }) {
  const end = Math.max(now, times.at(-1) ?? now);
  const first = times.find((t) => t >= end - MAX_WINDOW_MS) ?? end;
  const windowMs = Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, end - first));
  const start = end - windowMs;
  const data = useMemo(() => {
    const xs: number[] = [];
    const ys: (number | null)[] = [];
    for (let i = 0; i < speeds.length; i++) {
      const t = times[i] ?? 0;
      if (t < start) continue;
      xs.push(t / 1000);
      const v = speeds[i];
      ys.push(v === null || v === undefined ? null : v * 3.6);
    }
    return [xs, ys] as uPlot.AlignedData;
  }, [speeds, times, start]);
  const max = Math.max(0, ...(data[1] as (number | null)[]).map((v) => v ?? 0));
  const top = Math.max(60, Math.ceil(max / 50) * 50);
  const span = useRef({ start, end, top });
  span.current = { start, end, top };
  const options = useMemo<PlotOptions>(() => {
    const colour = themeColour('--accent', '#ff5a1f');
    return {
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true, range: () => [span.current.start / 1000, span.current.end / 1000] }, y: { range: () => [0, span.current.top] } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: colour, width: 2, fill: `${colour}22` }],
    };
  }, []);
  return (
    <figure className="chart" data-testid="speed-chart">
      <figcaption>
        <span>Speed, last {Math.round(windowMs / 1000)} s</span>
        <span className="chart-scale">max {top} km/h</span>
      </figcaption>
      <Plot options={options} data={data} height={HEIGHT} testId="speed-chart-plot" />
    </figure>
  );
}

import { useMemo } from 'react';
import uPlot from 'uplot';
import type { SessionLapTrace } from '@pitwall/protocol';
import { Plot, ZOOM_CURSOR, type PlotOptions } from '../charts/plot.js';
import { axis } from '../charts/theme.js';
import { useChartCursor } from '../store/chart-cursor-store.js';

export const LAP_COLOURS = ['#ff5a1f', '#5aa9ff', '#3ecf8e', '#f5b83d', '#c38bff'];

export interface ChosenTrace {
  key: string;
  label: string;
  colour: string;
  trace: SessionLapTrace;
}

/** The speed and delta traces move one cursor (uPlot's sync), which the track map follows. */
const SYNC_KEY = 'lap-charts';
const HEIGHT = 210;

/** The laps' series on one distance axis (uPlot.join aligns them; a lap has no value between its points). */
function aligned(laps: ChosenTrace[], ys: (t: SessionLapTrace) => readonly number[] | null): uPlot.AlignedData {
  const tables = laps.map((l) => [l.trace.distanceM, ys(l.trace) ?? l.trace.distanceM.map(() => null)] as uPlot.AlignedData);
  if (tables.length === 0) return [[]];
  return tables.length === 1 ? tables[0]! : uPlot.join(tables);
}

function traceOptions(laps: ChosenTrace[], unit: string, value: (v: number) => string, o: Partial<PlotOptions> = {}): PlotOptions {
  return {
    scales: { x: { time: false } },
    axes: [axis('distance (m)'), axis(unit, { size: 52, values: (_u, splits) => splits.map(value) })],
    series: [{ label: 'm', value: (_u, v) => (v == null ? '–' : `${Math.round(v)} m`) }, ...laps.map((l) => ({ label: l.label, stroke: l.colour, width: 1.5, spanGaps: true, value: (_u: uPlot, v: number | null) => (v == null ? '–' : value(v)) }))],
    cursor: {
      ...ZOOM_CURSOR,
      // One cursor and one distance range across the traces; each keeps its own vertical scale.
      sync: { key: SYNC_KEY, scales: ['x', null] },
    },
    hooks: {
      setCursor: [
        (u) => {
          const i = u.cursor.idx;
          useChartCursor.getState().setDistance(i == null ? null : (u.data[0][i] ?? null));
        },
      ],
    },
    ...o,
  };
}

export function SpeedByDistance({ laps }: { laps: ChosenTrace[] }) {
  const data = useMemo(() => aligned(laps, (t) => t.speedKmh), [laps]);
  const options = useMemo(() => traceOptions(laps, 'km/h', (v) => v.toFixed(0)), [laps.map((l) => `${l.key}${l.colour}`).join()]);
  return (
    <figure className="chart session-chart" data-testid="speed-distance" data-points={laps.reduce((n, l) => n + l.trace.distanceM.length, 0)}>
      <figcaption>
        <span>Speed by distance</span>
        <span className="chart-scale">drag a box to zoom · double-click for all</span>
      </figcaption>
      {laps.length > 0 ? <Plot options={options} data={data} height={HEIGHT} testId="speed-plot" /> : <p className="hint">Choose a lap.</p>}
    </figure>
  );
}

export function DeltaByDistance({ laps }: { laps: ChosenTrace[] }) {
  const ref = laps[0];
  const others = laps.slice(1);
  const data = useMemo(() => aligned(others, (t) => t.deltaMs), [laps]);
  const fmt = (ms: number) => `${ms > 0 ? '+' : ''}${(ms / 1000).toFixed(2)}`;
  const options = useMemo(() => traceOptions(others, 's', fmt), [laps.map((l) => `${l.key}${l.colour}`).join()]);
  if (!ref || others.length === 0) return <p className="hint">Choose two laps to see the time delta between them.</p>;
  return (
    <figure className="chart session-chart" data-testid="delta-distance">
      <figcaption>
        <span>Delta to {ref.label}</span>
        <span className="chart-scale">s · above zero is slower</span>
      </figcaption>
      <Plot options={options} data={data} height={HEIGHT} testId="delta-plot" />
    </figure>
  );
}

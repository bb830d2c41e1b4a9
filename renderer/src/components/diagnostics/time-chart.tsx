import { useMemo } from 'react';
import type uPlot from 'uplot';
import { Plot, ZOOM_CURSOR, type PlotOptions } from '../../charts/plot.js';
import { axis, themeColour } from '../../charts/theme.js';

/** A health value over time (the chart layer, uPlot): y scale, warning band, cursor readout, drag to zoom. */
export interface TimeChartProps {
  title: string;
  unit: string;
  times: number[];
  values: (number | null)[];
  /** Fixed y range; otherwise from the data (min 0). */
  yMax?: number;
  /** Values at or above this are drawn in the warning colour. */
  warnAt?: number;
  step?: boolean;
  testId?: string;
}

const HEIGHT = 150;

export function TimeChart({ title, unit, times, values, yMax, warnAt, step, testId }: TimeChartProps) {
  const last = [...values].reverse().find((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  const warn = warnAt !== undefined && last !== undefined && last >= warnAt;
  const data = useMemo(() => [times.map((t) => t / 1000), values.map((v) => (v !== null && Number.isFinite(v) ? v : null))] as uPlot.AlignedData, [times, values]);
  const options = useMemo<PlotOptions>(() => {
    const colour = themeColour(warn ? '--bad' : '--accent', warn ? '#ff5d6c' : '#ff5a1f');
    return {
      legend: { show: false },
      scales: { x: { time: true }, y: { range: (_u, _lo, hi) => [0, yMax ?? Math.max(1, hi * 1.1)] } },
      axes: [axis(''), axis('', { size: 40 })],
      series: [{}, { label: title, stroke: colour, width: 2, fill: `${colour}22`, spanGaps: false, ...(step ? { paths: (u: uPlot, i: number, i0: number, i1: number) => stepped(u, i, i0, i1) } : {}) }],
      cursor: ZOOM_CURSOR,
      hooks: warnAt === undefined ? {} : { drawClear: [(u: uPlot) => warnBand(u, warnAt)] },
    };
  }, [title, yMax, warnAt, step, warn]);
  if (last === undefined) {
    return (
      <figure className="chart tchart" data-testid={testId}>
        <figcaption>
          <span>{title}</span>
          <span>no data</span>
        </figcaption>
        <div className="chart-empty small">Nothing reported yet</div>
      </figure>
    );
  }
  return (
    <figure className={`chart tchart ${warn ? 'is-warn' : ''}`} data-testid={testId}>
      <figcaption>
        <span>{title}</span>
        <span className="tchart-now">{`${Number.isInteger(last) ? last : last.toFixed(1)} ${unit}`}</span>
      </figcaption>
      <Plot options={options} data={data} height={HEIGHT} testId={`${testId ?? 'time'}-plot`} />
    </figure>
  );
}

/** The values at or above `warnAt`, shaded. */
function warnBand(u: uPlot, warnAt: number): void {
  const top = u.valToPos(u.scales.y!.max ?? warnAt, 'y', true);
  const at = u.valToPos(warnAt, 'y', true);
  if (at <= top) return;
  u.ctx.save();
  u.ctx.fillStyle = themeColour('--bad-dim', 'rgba(255,93,108,0.15)');
  u.ctx.fillRect(u.bbox.left, top, u.bbox.width, at - top);
  u.ctx.restore();
}

/** Steps (a value holds until the next one), for counts like satellites. */
function stepped(u: uPlot, i: number, i0: number, i1: number): uPlot.Series.Paths | null {
  const xs = u.data[0];
  const ys = u.data[i]!;
  const stroke = new Path2D();
  let started = false;
  let prevY = 0;
  for (let k = i0; k <= i1; k++) {
    const v = ys[k];
    if (v === null || v === undefined) continue;
    const x = u.valToPos(xs[k]!, 'x', true);
    const y = u.valToPos(v, 'y', true);
    if (!started) stroke.moveTo(x, y);
    else {
      stroke.lineTo(x, prevY);
      stroke.lineTo(x, y);
    }
    started = true;
    prevY = y;
  }
  return { stroke, fill: null, clip: undefined, flags: 0 };
}

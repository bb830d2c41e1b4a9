/** A small SVG line chart over time with a y scale, gridlines, threshold band and hover-free labels. */
const W = 560;
const H = 150;
const PAD = { l: 40, r: 10, t: 10, b: 22 };

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

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function clock(ms: number, spanMs: number): string {
  const d = new Date(ms);
  if (spanMs > 2 * 86_400_000) return `${d.getMonth() + 1}/${d.getDate()}`;
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function TimeChart({ title, unit, times, values, yMax, warnAt, step, testId }: TimeChartProps) {
  const pts: [number, number][] = [];
  for (let i = 0; i < times.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) pts.push([times[i]!, v]);
  }
  const last = pts.at(-1)?.[1];
  if (pts.length === 0) {
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
  const t0 = pts[0]![0];
  const t1 = Math.max(pts.at(-1)![0], t0 + 1);
  const top = yMax ?? niceMax(Math.max(...pts.map((p) => p[1])) * 1.1);
  const x = (t: number) => PAD.l + ((t - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v: number) => PAD.t + (1 - Math.min(v, top) / top) * (H - PAD.t - PAD.b);
  let d = '';
  pts.forEach(([t, v], i) => {
    if (i === 0) d += `M${x(t).toFixed(1)},${y(v).toFixed(1)}`;
    else if (step) d += `H${x(t).toFixed(1)}V${y(v).toFixed(1)}`;
    else d += `L${x(t).toFixed(1)},${y(v).toFixed(1)}`;
  });
  const area = `${d}L${x(pts.at(-1)![0]).toFixed(1)},${H - PAD.b}L${x(t0).toFixed(1)},${H - PAD.b}Z`;
  const ticks = [0, 0.5, 1].map((f) => top * f);
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => t0 + f * (t1 - t0));
  const warn = warnAt !== undefined && last !== undefined && last >= warnAt;
  return (
    <figure className={`chart tchart ${warn ? 'is-warn' : ''}`} data-testid={testId}>
      <figcaption>
        <span>{title}</span>
        <span className="tchart-now">
          {last !== undefined ? `${Number.isInteger(last) ? last : last.toFixed(1)} ${unit}` : '—'}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title} over time`}>
        {warnAt !== undefined && warnAt < top && <rect x={PAD.l} y={PAD.t} width={W - PAD.l - PAD.r} height={y(warnAt) - PAD.t} className="warn-band" />}
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} className="grid" />
            <text x={PAD.l - 6} y={y(v) + 4} className="axis" textAnchor="end">
              {Math.round(v)}
            </text>
          </g>
        ))}
        {xTicks.map((t, i) => (
          <text key={i} x={x(t)} y={H - 6} className="axis" textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}>
            {clock(t, t1 - t0)}
          </text>
        ))}
        <path d={area} className="area" />
        <path d={d} className="trace" />
      </svg>
    </figure>
  );
}

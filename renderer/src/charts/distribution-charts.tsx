import type { BoxStats as Box, Histogram as Hist } from '@pitwall/protocol';

const ACCENT = '#ff5a1f';
const BOX = '#5aa9ff';

/** A linear scale from [lo, hi] to [0, width]. */
const scale = (lo: number, hi: number, width: number) => (v: number) => (hi > lo ? ((v - lo) / (hi - lo)) * width : width / 2);

/**
 * A histogram (SVG bars) with the marked member's values as ticks under it and their median as
 * a line: where a driver's laps sit in the group's spread at a glance.
 */
export function HistogramChart({ hist, marks, markedMedian, format, testId }: { hist: Hist; marks: readonly number[]; markedMedian: number | null; format: (v: number) => string; testId: string }) {
  const W = 520;
  const H = 130;
  const bins = hist.counts.length;
  const hi = hist.lo + hist.width * bins;
  const x = scale(hist.lo, hi, W);
  const top = Math.max(1, ...hist.counts);
  const bw = W / bins;
  return (
    <svg className="dist-chart" viewBox={`0 0 ${W} ${H + 34}`} data-testid={testId} role="img" aria-label="histogram">
      {hist.counts.map((c, i) => (
        <rect key={i} x={i * bw + 1} y={H - (c / top) * H} width={Math.max(1, bw - 2)} height={(c / top) * H} fill={BOX} opacity={0.55} />
      ))}
      <line x1={0} x2={W} y1={H} y2={H} stroke="var(--line)" />
      {marks.map((v, i) => (v >= hist.lo && v <= hi ? <line key={i} className="mark-tick" x1={x(v)} x2={x(v)} y1={H + 3} y2={H + 11} stroke={ACCENT} strokeWidth={1.5} /> : null))}
      {markedMedian !== null && markedMedian >= hist.lo && markedMedian <= hi && <line x1={x(markedMedian)} x2={x(markedMedian)} y1={0} y2={H} stroke={ACCENT} strokeDasharray="4 3" strokeWidth={1.5} />}
      {[0, 0.25, 0.5, 0.75, 1].map((f) => (
        <text key={f} x={Math.min(W - 2, Math.max(2, f * W))} y={H + 27} fontSize={11} fill="var(--text-faint)" textAnchor={f === 0 ? 'start' : f === 1 ? 'end' : 'middle'}>
          {format(hist.lo + f * (hi - hist.lo))}
        </text>
      ))}
      {hist.over > 0 && (
        <text x={W - 2} y={12} fontSize={11} fill="var(--text-faint)" textAnchor="end">
          +{hist.over} slower off the scale
        </text>
      )}
    </svg>
  );
}

/** Horizontal box plots on one shared scale, one row each; the marked row in the accent colour. */
export function BoxRows({ rows, format, testId }: { rows: { label: string; box: Box | null; marked?: boolean; extra?: string }[]; format: (v: number) => string; testId: string }) {
  const W = 520;
  const ROW = 22;
  const LABEL = 150;
  const boxes = rows.flatMap((r) => (r.box ? [r.box] : []));
  const lo = Math.min(...boxes.map((b) => b.lowWhisker));
  const hi = Math.max(...boxes.map((b) => b.highWhisker));
  const x = scale(lo, hi, W - LABEL - 70);
  return (
    <svg className="dist-chart" viewBox={`0 0 ${W} ${rows.length * ROW + 22}`} data-testid={testId} role="img" aria-label="box plots">
      {rows.map((r, i) => {
        const y = i * ROW + 4;
        const colour = r.marked ? ACCENT : BOX;
        const b = r.box;
        return (
          <g key={r.label} className={r.marked ? 'box-row marked' : 'box-row'} data-label={r.label}>
            <text x={0} y={y + 13} fontSize={12} fill={r.marked ? ACCENT : 'var(--text)'}>
              {r.label.length > 20 ? `${r.label.slice(0, 19)}…` : r.label}
            </text>
            {b && (
              <g transform={`translate(${LABEL}, 0)`}>
                <line x1={x(b.lowWhisker)} x2={x(b.highWhisker)} y1={y + 9} y2={y + 9} stroke={colour} />
                <rect x={x(b.q1)} y={y + 2} width={Math.max(1, x(b.q3) - x(b.q1))} height={14} fill={colour} opacity={0.35} stroke={colour} />
                <line x1={x(b.median)} x2={x(b.median)} y1={y + 1} y2={y + 17} stroke={colour} strokeWidth={2} />
                <text x={W - LABEL - 64} y={y + 13} fontSize={11} fill="var(--text-faint)">
                  {r.extra ?? format(b.median)}
                </text>
              </g>
            )}
          </g>
        );
      })}
      <text x={LABEL} y={rows.length * ROW + 18} fontSize={11} fill="var(--text-faint)">
        {format(lo)}
      </text>
      <text x={W - 70} y={rows.length * ROW + 18} fontSize={11} fill="var(--text-faint)" textAnchor="end">
        {format(hi)}
      </text>
    </svg>
  );
}

/** Each member's best lap per day over the season: one line each, the marked one in the accent colour. */
export function ProgressChart({ series, format, testId }: { series: { name: string; days: { day: string; bestMs: number }[]; marked: boolean }[]; format: (v: number) => string; testId: string }) {
  const W = 520;
  const H = 150;
  const days = series.flatMap((s) => s.days.map((d) => Date.parse(d.day)));
  const values = series.flatMap((s) => s.days.map((d) => d.bestMs));
  if (days.length === 0) return null;
  const x = scale(Math.min(...days), Math.max(...days), W - 60);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const y = (v: number) => 8 + (hi > lo ? ((v - lo) / (hi - lo)) * (H - 16) : (H - 16) / 2);
  const ordered = [...series].sort((a, b) => Number(a.marked) - Number(b.marked));
  return (
    <svg className="dist-chart" viewBox={`0 0 ${W} ${H + 20}`} data-testid={testId} role="img" aria-label="progress over the season">
      {ordered.map((s) => (
        <polyline
          key={s.name}
          points={s.days.map((d) => `${x(Date.parse(d.day))},${y(d.bestMs)}`).join(' ')}
          fill="none"
          stroke={s.marked ? ACCENT : BOX}
          strokeWidth={s.marked ? 2.5 : 1}
          opacity={s.marked ? 1 : 0.45}
          data-name={s.name}
        />
      ))}
      <text x={W - 56} y={y(lo) + 4} fontSize={11} fill="var(--text-faint)">
        {format(lo)}
      </text>
      <text x={W - 56} y={y(hi) + 4} fontSize={11} fill="var(--text-faint)">
        {format(hi)}
      </text>
      <text x={0} y={H + 16} fontSize={11} fill="var(--text-faint)">
        {new Date(Math.min(...days)).toISOString().slice(0, 10)}
      </text>
      <text x={W - 60} y={H + 16} fontSize={11} fill="var(--text-faint)" textAnchor="end">
        {new Date(Math.max(...days)).toISOString().slice(0, 10)}
      </text>
    </svg>
  );
}

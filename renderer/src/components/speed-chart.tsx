const MAX_WINDOW_MS = 60_000;
const MIN_WINDOW_MS = 15_000;
const W = 320;
const H = 72;

/**
 * Speed as a sparkline (SVG, drawn from the live fixes received since the panel opened): the
 * time axis grows from 15 s to the last minute so a freshly opened panel is not mostly empty.
 */
export function SpeedChart({ speeds, times, now }: { speeds: (number | null)[]; times: number[]; now: number }) {
  const end = Math.max(now, times.at(-1) ?? now);
  const first = times.find((t) => t >= end - MAX_WINDOW_MS) ?? end;
  const WINDOW_MS = Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, end - first));
  const start = end - WINDOW_MS;
  const pts: [number, number][] = [];
  let max = 0;
  for (let i = 0; i < speeds.length; i++) {
    const t = times[i] ?? 0;
    const v = speeds[i];
    if (t < start || v === null || v === undefined) continue;
    const kmh = v * 3.6;
    max = Math.max(max, kmh);
    pts.push([t, kmh]);
  }
  const top = Math.max(60, Math.ceil(max / 50) * 50);
  const x = (t: number) => ((t - start) / WINDOW_MS) * W;
  const y = (v: number) => H - 4 - (v / top) * (H - 8);
  const line = pts.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const last = pts.at(-1);
  return (
    <figure className="chart" data-testid="speed-chart">
      <figcaption>
        <span>Speed, last {Math.round(WINDOW_MS / 1000)} s</span>
        <span className="chart-scale">max {top} km/h</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label="Speed over time">
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} x1="0" x2={W} y1={H * f} y2={H * f} className="grid" />
        ))}
        {line && <path d={`${line}L${x(last![0]).toFixed(1)},${H}L${x(pts[0]![0]).toFixed(1)},${H}Z`} className="area" />}
        {line && <path d={line} className="trace" vectorEffect="non-scaling-stroke" />}
        {last && <circle cx={x(last[0])} cy={y(last[1])} r="2.5" className="head" />}
      </svg>
    </figure>
  );
}

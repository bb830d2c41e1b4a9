import type { SessionLapTrace } from '@pitwall/protocol';

export const LAP_COLOURS = ['#ff5a1f', '#5aa9ff', '#3ecf8e', '#f5b83d', '#c38bff'];

export interface ChosenTrace {
  key: string;
  label: string;
  colour: string;
  trace: SessionLapTrace;
}

const W = 720;
const H = 200;
const PAD = 36;

function axisPath(xs: number[], ys: number[], x: (v: number) => number, y: (v: number) => number): string {
  let out = '';
  for (let i = 0; i < xs.length; i++) out += `${i ? 'L' : 'M'}${x(xs[i]!).toFixed(1)},${y(ys[i]!).toFixed(1)}`;
  return out;
}

function Frame({ title, scale, children, testId, ticks }: { title: string; scale: string; children: React.ReactNode; testId: string; ticks: { y: number; label: string }[] }) {
  return (
    <figure className="chart session-chart" data-testid={testId}>
      <figcaption>
        <span>{title}</span>
        <span className="chart-scale">{scale}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        {ticks.map((t) => (
          <g key={t.label}>
            <line x1={PAD} x2={W} y1={t.y} y2={t.y} className="grid" />
            <text x={PAD - 6} y={t.y + 4} className="axis-label" textAnchor="end">
              {t.label}
            </text>
          </g>
        ))}
        {children}
      </svg>
    </figure>
  );
}

export function SpeedByDistance({ laps }: { laps: ChosenTrace[] }) {
  const maxD = Math.max(1, ...laps.map((l) => l.trace.distanceM.at(-1) ?? 0));
  const maxV = Math.max(60, Math.ceil(Math.max(0, ...laps.flatMap((l) => l.trace.speedKmh)) / 50) * 50);
  const x = (d: number) => PAD + (d / maxD) * (W - PAD - 4);
  const y = (v: number) => H - 18 - (v / maxV) * (H - 30);
  const ticks = [0, 0.5, 1].map((f) => ({ y: y(f * maxV), label: `${Math.round(f * maxV)}` }));
  return (
    <Frame title="Speed by distance" scale={`km/h · ${Math.round(maxD)} m`} testId="speed-distance" ticks={ticks}>
      {laps.map((l) => (
        <path key={l.key} d={axisPath(l.trace.distanceM, l.trace.speedKmh, x, y)} stroke={l.colour} className="lap-line" />
      ))}
    </Frame>
  );
}

export function DeltaByDistance({ laps }: { laps: ChosenTrace[] }) {
  const ref = laps[0];
  if (!ref || laps.length < 2) return <p className="hint">Choose two laps to see the time delta between them.</p>;
  // The core computes each lap's delta to the first (sessions:trace with a reference).
  const series = laps.slice(1).map((l) => ({ l, delta: l.trace.deltaMs ?? [] }));
  const maxD = Math.max(1, ...laps.map((l) => l.trace.distanceM.at(-1) ?? 0));
  const span = Math.max(100, ...series.flatMap((s) => s.delta.map(Math.abs)));
  const x = (d: number) => PAD + (d / maxD) * (W - PAD - 4);
  const y = (v: number) => H / 2 - (v / span) * (H / 2 - 14);
  const fmt = (ms: number) => `${ms > 0 ? '+' : ''}${(ms / 1000).toFixed(2)}`;
  const ticks = [span, 0, -span].map((v) => ({ y: y(v), label: fmt(v) }));
  return (
    <Frame title={`Delta to ${ref.label}`} scale="s · above the line is slower" testId="delta-distance" ticks={ticks}>
      {series.map(({ l, delta }) => (
        <path key={l.key} d={axisPath(l.trace.distanceM, delta, x, y)} stroke={l.colour} className="lap-line" />
      ))}
    </Frame>
  );
}

/** The lap's path coloured by speed (blue slow -> orange fast) or by delta to the reference (green gaining, red losing). */
export function TrackMap({ lap, reference, mode }: { lap: ChosenTrace; reference: ChosenTrace | null; mode: 'speed' | 'delta' }) {
  const t = lap.trace;
  const lat0 = t.lat.reduce((a, b) => a + b, 0) / Math.max(1, t.lat.length);
  const k = Math.cos((lat0 * Math.PI) / 180);
  const xs = t.lon.map((v) => v * k);
  const ys = t.lat;
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(...ys);
  const maxY = Math.max(...ys);
  // The box takes the circuit's own aspect (a long, thin circuit gets a short map, not a square of empty space).
  const size = 280;
  const scale = (size - 20) / Math.max(maxX - minX, maxY - minY, 1e-9);
  const height = Math.max(90, Math.round((maxY - minY) * scale + 20));
  const px = (i: number) => 10 + (xs[i]! - minX) * scale;
  const py = (i: number) => height - 10 - (ys[i]! - minY) * scale;
  const delta = mode === 'delta' && reference && reference.key !== lap.key ? t.deltaMs : null;
  // Colour by how fast the delta changes (gaining or losing here), not its running total.
  const values = delta ? delta.map((d, i) => (i === 0 ? 0 : d - delta[i - 1]!)) : t.speedKmh;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const colour = (v: number) => {
    if (delta) {
      const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-6);
      const f = Math.min(1, Math.abs(v) / m);
      return v > 0 ? `rgba(255,93,108,${0.35 + 0.65 * f})` : `rgba(62,207,142,${0.35 + 0.65 * f})`;
    }
    const f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return `hsl(${Math.round(215 - f * 195)}, 90%, ${Math.round(50 + f * 6)}%)`;
  };
  const segs: React.ReactNode[] = [];
  const step = Math.max(1, Math.floor(t.lat.length / 600));
  for (let i = step; i < t.lat.length; i += step) {
    segs.push(<line key={i} x1={px(i - step)} y1={py(i - step)} x2={px(i)} y2={py(i)} stroke={colour(values[i]!)} className="map-seg" />);
  }
  return (
    <figure className="chart track-map" data-testid="track-map">
      <figcaption>
        <span>
          Track · {lap.label} by {delta ? `delta to ${reference!.label}` : 'speed'}
        </span>
        <span className="chart-scale">{delta ? 'green gaining · red losing' : `${Math.round(lo)}–${Math.round(hi)} km/h`}</span>
      </figcaption>
      <svg viewBox={`0 0 ${size} ${height}`} role="img" aria-label="Track map">
        {segs}
        {t.lat.length > 0 && <circle cx={px(0)} cy={py(0)} r="4" className="start-dot" />}
      </svg>
    </figure>
  );
}

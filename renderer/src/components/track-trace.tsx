import type { LiveFix } from '@pitwall/protocol';

const SIZE = 200;
const PAD = 10;

/** The path the unit drove, from the live fixes (equirectangular projection around the centre). */
export function TrackTrace({ fixes }: { fixes: LiveFix[] }) {
  const pts = fixes.filter((f) => f.fix !== 'none');
  if (pts.length < 2) {
    return (
      <figure className="chart track" data-testid="track-trace">
        <figcaption>
          <span>Track</span>
        </figcaption>
        <div className="chart-empty">Waiting for fixes…</div>
      </figure>
    );
  }
  let minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
  for (const p of pts) {
    minLat = Math.min(minLat, p.lat);
    maxLat = Math.max(maxLat, p.lat);
    minLon = Math.min(minLon, p.lon);
    maxLon = Math.max(maxLon, p.lon);
  }
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * kx, 1e-6);
  const spanY = Math.max(maxLat - minLat, 1e-6);
  const scale = (SIZE - 2 * PAD) / Math.max(spanX, spanY);
  const ox = (SIZE - spanX * scale) / 2;
  const oy = (SIZE - spanY * scale) / 2;
  const px = (p: LiveFix) => ox + (p.lon - minLon) * kx * scale;
  const py = (p: LiveFix) => SIZE - (oy + (p.lat - minLat) * scale);
  const d = pts.map((p, i) => `${i ? 'L' : 'M'}${px(p).toFixed(1)},${py(p).toFixed(1)}`).join('');
  const last = pts.at(-1)!;
  const metres = Math.round(Math.max(spanX, spanY) * 111_320);
  return (
    <figure className="chart track" data-testid="track-trace">
      <figcaption>
        <span>Track</span>
        <span className="chart-scale">{metres >= 1000 ? `${(metres / 1000).toFixed(1)} km` : `${metres} m`} across</span>
      </figcaption>
      <svg viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label="Path driven">
        <path d={d} className="trace" />
        <circle cx={px(last)} cy={py(last)} r="4" className="head" />
      </svg>
    </figure>
  );
}

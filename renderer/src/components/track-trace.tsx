import { useMemo } from 'react';
import type { LiveFix } from '@pitwall/protocol';
import { localProjection, TrackPlot } from '../charts/track-plot.js';
import { themeColour } from '../charts/theme.js';

/** The path the unit drove, from the live fixes, on the chart layer (the session map's projection). */
export function TrackTrace({ fixes }: { fixes: LiveFix[] }) {
  const pts = fixes.filter((f) => f.fix !== 'none');
  const lat = useMemo(() => pts.map((p) => p.lat), [fixes]);
  const lon = useMemo(() => pts.map((p) => p.lon), [fixes]);
  const paint = useMemo(() => ({ bucket: new Uint8Array(lat.length), colours: [themeColour('--accent', '#ff5a1f')] }), [lat]);
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
  const { xs, ys } = localProjection(lat, lon);
  const metres = Math.round(Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)));
  return (
    <figure className="chart track" data-testid="track-trace">
      <figcaption>
        <span>Track</span>
        <span className="chart-scale">{metres >= 1000 ? `${(metres / 1000).toFixed(1)} km` : `${metres} m`} across</span>
      </figcaption>
      <TrackPlot lat={lat} lon={lon} paint={paint} head={lat.length - 1} height={() => 180} testId="track-trace-plot" />
    </figure>
  );
}

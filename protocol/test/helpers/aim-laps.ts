// Test-only: the AiM Solo export (CSV `lap_idx,point_idx,lat_deg,lon_deg,lap_time_ms,speed_kmh`).
import type { TimingFix } from '../../src/timing/index.js';

/** Each lap's fixes, timed from that lap's own start (the logger's line crossing). */
export function aimLaps(text: string): TimingFix[][] {
  const laps: TimingFix[][] = [];
  for (const line of text.split(/\r?\n/).slice(1)) {
    if (!line) continue;
    const [lap, , lat, lon, t, kmh] = line.split(',').map(Number) as [number, number, number, number, number, number];
    (laps[lap] ??= []).push({ t, lat, lon, speedMps: kmh / 3.6 });
  }
  return laps;
}

/**
 * The export leaves out the fixes around each line crossing (its first fix is 5-50 ms into the
 * lap, its last 150-200 ms before the end). One fix extrapolated at constant velocity from the
 * last two fixes on each side gives the timer a segment that spans the line.
 */
export function padLap(fixes: readonly TimingFix[], padMs = 500): TimingFix[] {
  const extrapolate = (from: TimingFix, to: TimingFix, dtMs: number): TimingFix => {
    const k = dtMs / (to.t - from.t);
    return { t: to.t + dtMs, lat: to.lat + (to.lat - from.lat) * k, lon: to.lon + (to.lon - from.lon) * k };
  };
  const [first, second] = [fixes[0]!, fixes[1]!];
  const [beforeLast, last] = [fixes.at(-2)!, fixes.at(-1)!];
  return [extrapolate(second, first, -padMs), ...fixes, extrapolate(beforeLast, last, padMs)];
}

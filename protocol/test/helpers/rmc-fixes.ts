// Test-only: RMC sentences to timing fixes. The unit's own decoder is tested elsewhere; this
// keeps the lap-timing accuracy tests independent of it.
import type { TimingFix } from '../../src/timing/index.js';

const DAY_MS = 86_400_000;
const KNOT_MPS = 1852 / 3600;

function checksumOk(line: string): boolean {
  const star = line.lastIndexOf('*');
  if (!line.startsWith('$') || star < 0) return false;
  let x = 0;
  for (let i = 1; i < star; i++) x ^= line.charCodeAt(i);
  return x === parseInt(line.slice(star + 1, star + 3), 16);
}

function degrees(value: string, hemi: string): number {
  const dot = value.indexOf('.');
  const deg = Number(value.slice(0, dot - 2));
  const min = Number(value.slice(dot - 2));
  const v = deg + min / 60;
  return hemi === 'S' || hemi === 'W' ? -v : v;
}

function dayMs(ddmmyy: string): number {
  const d = Number(ddmmyy.slice(0, 2));
  const m = Number(ddmmyy.slice(2, 4));
  const y = 2000 + Number(ddmmyy.slice(4, 6));
  return Date.UTC(y, m - 1, d);
}

/**
 * Valid RMC fixes in file order. Time of day comes with a date, but receivers often stamp the
 * first fixes after midnight with the old date: a time that goes backwards by most of a day is
 * moved to the next day.
 */
export function rmcFixes(text: string): TimingFix[] {
  const fixes: TimingFix[] = [];
  let lastT = -Infinity;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!/^\$..RMC,/.test(line) || !checksumOk(line)) continue;
    const f = line.slice(0, line.lastIndexOf('*')).split(',');
    const [, time, status, lat, ns, lon, ew, knots, course, date] = f;
    if (status !== 'A' || !time || !lat || !lon || !date) continue;
    const tod = Number(time.slice(0, 2)) * 3_600_000 + Number(time.slice(2, 4)) * 60_000 + Number(time.slice(4)) * 1000;
    let t = dayMs(date) + tod;
    while (t < lastT - DAY_MS / 2) t += DAY_MS;
    lastT = t;
    fixes.push({
      t,
      lat: degrees(lat, ns ?? 'N'),
      lon: degrees(lon, ew ?? 'E'),
      ...(knots ? { speedMps: Number(knots) * KNOT_MPS } : {}),
      ...(course ? { courseDeg: Number(course) } : {}),
    });
  }
  return fixes;
}

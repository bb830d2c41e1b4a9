/** Field decoders shared by the NMEA sentence parsers. Each returns null for empty or malformed input. */

export const KNOTS_TO_MPS = 1852 / 3600;
export const DAY_MS = 86_400_000;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)$/;
const INT = /^\d{1,6}$/;
const UTC = /^(\d{2})(\d{2})(\d{2}(?:\.\d+)?)$/;
const DDMMYY = /^(\d{2})(\d{2})(\d{2})$/;
const DEGMIN = /^\d{3,5}(\.\d+)?$/;

export function num(s: string | undefined): number | null {
  if (s === undefined || s === '' || !NUMBER.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

export function int(s: string | undefined): number | null {
  return s !== undefined && INT.test(s) ? Number(s) : null;
}

export function nonNegative(v: number | null): number | null {
  return v === null || v < 0 ? null : v;
}

export function course(s: string | undefined): number | null {
  const v = num(s);
  return v === null || v < 0 || v > 360 ? null : v;
}

export function knotsToMps(s: string | undefined): number | null {
  const knots = nonNegative(num(s));
  return knots === null ? null : (knots * 1852) / 3600;
}

/** hhmmss[.sss] -> ms since midnight, rounded to the millisecond (as gpsd reports time). */
export function utc(s: string | undefined): number | null {
  const m = s === undefined ? null : UTC.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const sec = Number(m[3]);
  if (h > 23 || min > 59 || sec >= 61) return null;
  return h * 3_600_000 + min * 60_000 + Math.round(sec * 1000);
}

/** A calendar date -> days since the Unix epoch, or null if it is not a real date. */
export function dayNumber(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, month - 1, day);
  if (new Date(ms).getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

/** ddmmyy -> days since the Unix epoch; two-digit years are 20yy, as gpsd reads them. */
export function ddmmyy(s: string | undefined): number | null {
  const m = s === undefined ? null : DDMMYY.exec(s);
  if (!m) return null;
  return dayNumber(2000 + Number(m[3]), Number(m[2]), Number(m[1]));
}

/** NMEA (d)ddmm.mmmm -> degrees, as degrees + minutes / 60 in float64 like gpsd. */
export function degMin(s: string | undefined, maxDeg: number): number | null {
  if (s === undefined || !DEGMIN.test(s)) return null;
  const dot = s.indexOf('.');
  const intLen = dot < 0 ? s.length : dot;
  const deg = Number(s.slice(0, intLen - 2));
  const min = Number(s.slice(intLen - 2));
  if (min >= 60 || deg > maxDeg) return null;
  const v = deg + min / 60;
  return v > maxDeg ? null : v;
}

/** A position from four fields; null when empty or malformed. */
export function position(lat: string | undefined, ns: string | undefined, lon: string | undefined, ew: string | undefined): { lat: number; lon: number } | null {
  const la = degMin(lat, 90);
  const lo = degMin(lon, 180);
  if (la === null || lo === null || (ns !== 'N' && ns !== 'S') || (ew !== 'E' && ew !== 'W')) return null;
  return { lat: ns === 'S' ? -la : la, lon: ew === 'W' ? -lo : lo };
}

/**
 * Fix qualifier, numbered as gpsd's TPV `status`: 0 unknown, 1 GPS, 2 DGPS, 3 RTK fixed,
 * 4 RTK float, 5 dead reckoning, 6 GNSS+DR, 7 time only / manual, 8 simulated, 9 PPS.
 */
export type FixStatus = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

const GGA_QUALITY: readonly FixStatus[] = [0, 1, 2, 9, 3, 4, 5, 7, 8];
const FAA_MODE: Record<string, FixStatus> = { A: 1, D: 2, E: 5, F: 4, M: 7, N: 0, V: 0, P: 2, R: 3, S: 8 };

export function ggaStatus(quality: number): FixStatus {
  return GGA_QUALITY[quality] ?? 0;
}

/** FAA mode indicator (NMEA 2.3+) -> fix status; null when the field is absent. */
export function faaStatus(s: string | undefined): FixStatus | null {
  return s === undefined || s === '' ? null : (FAA_MODE[s] ?? null);
}

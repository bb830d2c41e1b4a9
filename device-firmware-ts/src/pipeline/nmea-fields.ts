/** Field decoders shared by the NMEA sentence parsers. Each returns null for empty or malformed input. */

export const KNOTS_TO_MPS = 1852 / 3600;
export const DAY_MS = 86_400_000;

// Hand-written scanners instead of regular expressions: these run for every field of every
// sentence (GSV alone carries 16 numbers), and the decoder must keep up with 25 Hz receivers
// on a small CPU with time to spare.

/** A decimal number `[-+]?(d+.?d*|.d+)`, else null. */
export function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 0x2d || c === 0x2b) c = s.charCodeAt(++i);
  let digits = 0;
  let dot = false;
  for (; i < n; c = s.charCodeAt(++i)) {
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c === 0x2e && !dot) dot = true;
    else return null;
  }
  return digits > 0 ? Number(s) : null;
}

/** 1 to 6 decimal digits, else null. */
export function int(s: string | undefined): number | null {
  if (s === undefined || s.length === 0 || s.length > 6) return null;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return v;
}

const twoDigits = (s: string, at: number): number => {
  const a = s.charCodeAt(at) - 0x30;
  const b = s.charCodeAt(at + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
};

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
  if (s === undefined || s.length < 6) return null;
  const h = twoDigits(s, 0);
  const min = twoDigits(s, 2);
  if (h < 0 || h > 23 || min < 0 || min > 59) return null;
  const sec = s.length === 6 ? twoDigits(s, 4) : s.charCodeAt(6) === 0x2e && s.length > 7 && twoDigits(s, 4) >= 0 ? num(s.slice(4)) : null;
  if (sec === null || sec < 0 || sec >= 61) return null;
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
  if (s === undefined || s.length !== 6) return null;
  const d = twoDigits(s, 0);
  const m = twoDigits(s, 2);
  const y = twoDigits(s, 4);
  return d < 0 || m < 0 || y < 0 ? null : dayNumber(2000 + y, m, d);
}

/** NMEA (d)ddmm.mmmm -> degrees, as degrees + minutes / 60 in float64 like gpsd. */
export function degMin(s: string | undefined, maxDeg: number): number | null {
  if (s === undefined) return null;
  const dot = s.indexOf('.');
  const intLen = dot < 0 ? s.length : dot;
  if (intLen < 3 || intLen > 5 || dot === s.length - 1) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x30 || c > 0x39) && i !== dot) return null;
  }
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

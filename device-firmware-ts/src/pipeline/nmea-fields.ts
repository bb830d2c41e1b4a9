/** Field decoders shared by the NMEA sentence parsers. Each returns null for empty or malformed input. */

export const DAY_MS = 86_400_000;

// Hand-written scanners instead of regular expressions: these run for every field of every
// sentence (GSV alone carries 16 numbers), and the decoder must keep up with 25 Hz receivers
// on a small CPU with time to spare.

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * The decimal number `[-+]?(d+.?d*|.d+)` in `s.slice(a, b)`, else null, without cutting it. With at most 2^53 as the digits' integer and at
 * most 22 fraction digits, integer / 10^k is one correctly rounded division of two exact
 * doubles, so equal to `Number` of the text; anything longer goes to `Number`.
 */
export function numIn(s: string, a: number, b: number): number | null {
  let i = a;
  let neg = false;
  if (i < b) {
    const c = s.charCodeAt(i);
    if (c === 0x2d || c === 0x2b) {
      neg = c === 0x2d;
      i++;
    }
  }
  let m = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  for (; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      digits++;
      if (dot) frac++;
    } else if (c === 0x2e && !dot) dot = true;
    else return null;
  }
  if (digits === 0) return null;
  if (m > Number.MAX_SAFE_INTEGER || frac > 22) return Number(s.slice(a, b));
  const v = frac === 0 ? m : m / POW10[frac]!;
  return neg ? -v : v;
}

/** 1 to 6 decimal digits in `s.slice(a, b)`, else null. */
export function intIn(s: string, a: number, b: number): number | null {
  if (b <= a || b - a > 6) return null;
  let v = 0;
  for (let i = a; i < b; i++) {
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

/** hhmmss[.sss] in `s.slice(a, b)` -> ms since midnight, rounded to the millisecond (as gpsd reports time). */
export function utcIn(s: string, a: number, b: number): number | null {
  const n = b - a;
  if (n < 6) return null;
  const h = twoDigits(s, a);
  const min = twoDigits(s, a + 2);
  if (h < 0 || h > 23 || min < 0 || min > 59) return null;
  const sec = n === 6 ? twoDigits(s, a + 4) : s.charCodeAt(a + 6) === 0x2e && n > 7 && twoDigits(s, a + 4) >= 0 ? numIn(s, a + 4, b) : null;
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

/** ddmmyy in `s.slice(a, b)` -> days since the Unix epoch; two-digit years are 20yy, as gpsd reads them. */
export function ddmmyyIn(s: string, a: number, b: number): number | null {
  if (b - a !== 6) return null;
  const d = twoDigits(s, a);
  const m = twoDigits(s, a + 2);
  const y = twoDigits(s, a + 4);
  if (d < 0 || m < 0 || y < 0) return null;
  // Every RMC of a day carries the same date: remember the last one instead of going through Date.
  const key = (y * 100 + m) * 100 + d;
  if (key !== lastDateKey) {
    lastDateKey = key;
    lastDate = dayNumber(2000 + y, m, d);
  }
  return lastDate;
}

let lastDateKey = -1;
let lastDate: number | null = null;

/** NMEA (d)ddmm.mmmm in `s.slice(a, b)` -> degrees, as degrees + minutes / 60 in float64 like gpsd. */
export function degMinIn(s: string, a: number, b: number, maxDeg: number): number | null {
  let dot = s.indexOf('.', a);
  if (dot >= b) dot = -1;
  const intLen = dot < 0 ? b - a : dot - a;
  if (intLen < 3 || intLen > 5 || dot === b - 1) return null;
  let deg = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x30 || c > 0x39) && i !== dot) return null;
    if (i < a + intLen - 2) deg = deg * 10 + (c - 0x30);
  }
  const min = numIn(s, a + intLen - 2, b)!;
  if (min >= 60 || deg > maxDeg) return null;
  const v = deg + min / 60;
  return v > maxDeg ? null : v;
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

const FAA_BY_CODE: (FixStatus | null)[] = [];
for (let c = 0; c < 128; c++) FAA_BY_CODE.push(FAA_MODE[String.fromCharCode(c)] ?? null);

/** FAA mode indicator (NMEA 2.3+) in `s.slice(a, b)` -> fix status; null when the field is absent. */
export function faaStatusIn(s: string, a: number, b: number): FixStatus | null {
  if (b <= a) return null;
  if (b - a === 1) return FAA_BY_CODE[s.charCodeAt(a)] ?? null;
  return FAA_MODE[s.slice(a, b)] ?? null;
}

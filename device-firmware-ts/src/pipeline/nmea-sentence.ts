/**
 * One NMEA 0183 line -> a typed sentence. Pure functions; never throws.
 * Unknown or malformed sentences come back as `ignored`, checksum failures as `bad-checksum`,
 * so the caller can count them.
 */

export const KNOWN_TALKERS = new Set(['GP', 'GN', 'GL', 'GA', 'GB', 'BD', 'QZ']);

export interface Utc {
  /** Milliseconds since midnight UTC. */
  msOfDay: number;
}

export interface GgaSentence {
  kind: 'GGA';
  talker: string;
  time: Utc | null;
  lat: number | null;
  lon: number | null;
  quality: number;
  satellites: number | null;
  hdop: number | null;
  altM: number | null;
}

export interface RmcSentence {
  kind: 'RMC';
  talker: string;
  time: Utc | null;
  valid: boolean;
  lat: number | null;
  lon: number | null;
  speedMps: number | null;
  courseDeg: number | null;
  /** Days since the Unix epoch, from ddmmyy. */
  date: number | null;
}

export interface GsaSentence {
  kind: 'GSA';
  talker: string;
  /** 1 = no fix, 2 = 2D, 3 = 3D */
  mode: number | null;
  satellitesUsed: number;
  hdop: number | null;
}

export interface VtgSentence {
  kind: 'VTG';
  talker: string;
  courseDeg: number | null;
  speedMps: number | null;
}

export interface GsvSentence {
  kind: 'GSV';
  talker: string;
  messages: number;
  messageNumber: number;
  inView: number;
}

export type NmeaSentence = GgaSentence | RmcSentence | GsaSentence | VtgSentence | GsvSentence;

export type ParseResult =
  | { status: 'ok'; sentence: NmeaSentence }
  | { status: 'bad-checksum' }
  | { status: 'ignored'; reason: string };

const KNOTS_TO_MPS = 1852 / 3600;
const MAX_LINE = 120; // NMEA allows 82; some receivers exceed it a little

const ignored = (reason: string): ParseResult => ({ status: 'ignored', reason });

/** XOR of the characters between `$` (exclusive) and `*` (exclusive). */
export function nmeaChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i) & 0xff;
  return sum;
}

export function withChecksum(body: string): string {
  return `$${body}*${nmeaChecksum(body).toString(16).toUpperCase().padStart(2, '0')}`;
}

export function parseSentence(rawLine: string): ParseResult {
  const line = rawLine.trim();
  const start = line.lastIndexOf('$');
  if (start < 0) return ignored('no $');
  if (line.length - start > MAX_LINE) return ignored('too long');
  const star = line.indexOf('*', start);
  // Checksums are mandatory here: a serial line picks up noise, and a sentence without one cannot be trusted.
  if (star < 0 || star + 3 > line.length) return ignored('no checksum');
  const given = parseInt(line.slice(star + 1, star + 3), 16);
  const body = line.slice(start + 1, star);
  if (!/^[0-9A-Fa-f]{2}$/.test(line.slice(star + 1, star + 3))) return { status: 'bad-checksum' };
  if (given !== nmeaChecksum(body)) return { status: 'bad-checksum' };
  const fields = body.split(',');
  const address = fields[0] ?? '';
  if (address.length !== 5) return ignored(`unsupported address ${address.slice(0, 8)}`);
  const talker = address.slice(0, 2);
  if (!KNOWN_TALKERS.has(talker)) return ignored(`unsupported talker ${talker}`);
  const type = address.slice(2);
  const parser = PARSERS[type];
  if (!parser) return ignored(`unsupported sentence ${type}`);
  const sentence = parser(talker, fields);
  return sentence ? { status: 'ok', sentence } : ignored(`malformed ${type}`);
}

type FieldParser = (talker: string, f: string[]) => NmeaSentence | null;

const PARSERS: Record<string, FieldParser> = {
  GGA(talker, f) {
    const quality = int(f[6]);
    if (quality === null) return null;
    const pos = position(f[2], f[3], f[4], f[5]);
    if (pos === undefined) return null;
    return {
      kind: 'GGA',
      talker,
      time: utc(f[1]),
      lat: pos?.lat ?? null,
      lon: pos?.lon ?? null,
      quality,
      satellites: int(f[7]),
      hdop: nonNegative(num(f[8])),
      altM: num(f[9]),
    };
  },
  RMC(talker, f) {
    const status = f[2];
    if (status !== 'A' && status !== 'V') return null;
    const pos = position(f[3], f[4], f[5], f[6]);
    if (pos === undefined) return null;
    const knots = nonNegative(num(f[7]));
    return {
      kind: 'RMC',
      talker,
      time: utc(f[1]),
      valid: status === 'A' && f[12] !== 'N',
      lat: pos?.lat ?? null,
      lon: pos?.lon ?? null,
      speedMps: knots === null ? null : knots * KNOTS_TO_MPS,
      courseDeg: course(f[8]),
      date: date(f[9]),
    };
  },
  GSA(talker, f) {
    const mode = int(f[2]);
    let used = 0;
    for (let i = 3; i <= 14; i++) if (f[i]) used++;
    return { kind: 'GSA', talker, mode: mode !== null && mode >= 1 && mode <= 3 ? mode : null, satellitesUsed: used, hdop: nonNegative(num(f[16])) };
  },
  VTG(talker, f) {
    // Old form: VTG,course,course_m,knots,kmh ; new form has unit letters after each value.
    const unitForm = f[2] === 'T' || f[2] === '' ;
    const kmh = nonNegative(num(unitForm ? f[7] : f[4]));
    const knots = nonNegative(num(unitForm ? f[5] : f[3]));
    return {
      kind: 'VTG',
      talker,
      courseDeg: course(f[1]),
      speedMps: kmh !== null ? kmh / 3.6 : knots !== null ? knots * KNOTS_TO_MPS : null,
    };
  },
  GSV(talker, f) {
    const messages = int(f[1]);
    const messageNumber = int(f[2]);
    const inView = int(f[3]);
    if (messages === null || messageNumber === null || inView === null) return null;
    return { kind: 'GSV', talker, messages, messageNumber, inView };
  },
};

function num(s: string | undefined): number | null {
  if (s === undefined || s === '' || !/^[-+]?\d*\.?\d+$/.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

function int(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,6}$/.test(s)) return null;
  return Number(s);
}

function nonNegative(v: number | null): number | null {
  return v === null || v < 0 ? null : v;
}

function course(s: string | undefined): number | null {
  const v = num(s);
  return v === null || v < 0 || v > 360 ? null : v % 360;
}

function utc(s: string | undefined): Utc | null {
  const m = s === undefined ? null : /^(\d{2})(\d{2})(\d{2}(?:\.\d+)?)$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const sec = Number(m[3]);
  if (h > 23 || min > 59 || sec >= 61) return null;
  return { msOfDay: Math.round((h * 3600 + min * 60 + sec) * 1000) };
}

function date(s: string | undefined): number | null {
  const m = s === undefined ? null : /^(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const d = Number(m[1]);
  const mo = Number(m[2]);
  const yy = Number(m[3]);
  if (d < 1 || d > 31 || mo < 1 || mo > 12) return null;
  // Two-digit years: 80-99 are 1980-1999 (GPS epoch), the rest 2000s.
  const year = yy >= 80 ? 1900 + yy : 2000 + yy;
  return Date.UTC(year, mo - 1, d) / 86_400_000;
}

/** undefined = malformed; null = empty (no position); otherwise degrees. */
function position(lat: string | undefined, ns: string | undefined, lon: string | undefined, ew: string | undefined): { lat: number; lon: number } | null | undefined {
  if (!lat && !lon) return null;
  const la = degrees(lat, 2);
  const lo = degrees(lon, 3);
  if (la === null || lo === null || (ns !== 'N' && ns !== 'S') || (ew !== 'E' && ew !== 'W')) return undefined;
  if (la > 90 || lo > 180) return undefined;
  return { lat: ns === 'S' ? -la : la, lon: ew === 'W' ? -lo : lo };
}

function degrees(s: string | undefined, degDigits: number): number | null {
  if (s === undefined || !/^\d+(\.\d+)?$/.test(s)) return null;
  const dot = s.indexOf('.');
  const intLen = dot < 0 ? s.length : dot;
  if (intLen !== degDigits + 2) return null;
  const deg = Number(s.slice(0, degDigits));
  const min = Number(s.slice(degDigits));
  if (min >= 60) return null;
  return deg + min / 60;
}

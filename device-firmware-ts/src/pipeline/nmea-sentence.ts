/**
 * One NMEA 0183 line -> a typed sentence. Pure functions; never throws.
 * Unknown or malformed sentences come back as `ignored`, checksum failures as `bad-checksum`,
 * so the caller can count them. Field layouts are NMEA 0183 4.11 (older layouts are accepted:
 * the trailing mode and system fields are optional).
 */
import { frameSentence, type FrameResult } from './nmea-framer.js';
import { course, ddmmyy, dayNumber, faaStatus, ggaStatus, int, knotsToMps, nonNegative, num, position, utc, type FixStatus } from './nmea-fields.js';

export { nmeaChecksum, withChecksum } from './nmea-framer.js';
export type { FixStatus } from './nmea-fields.js';

/** GNSS talkers, plus IN (integrated navigation: marine GPS/sounder units) and GI/GQ (NavIC, QZSS in NMEA 4.11). */
export const KNOWN_TALKERS = new Set(['GP', 'GN', 'GL', 'GA', 'GB', 'BD', 'QZ', 'GQ', 'GI', 'IN']);

export interface Utc {
  /** Milliseconds since midnight UTC. */
  msOfDay: number;
}

interface Positioned {
  lat: number | null;
  lon: number | null;
}

export interface GgaSentence extends Positioned {
  kind: 'GGA';
  talker: string;
  time: Utc | null;
  quality: number;
  status: FixStatus;
  satellites: number | null;
  hdop: number | null;
  /** Above mean sea level, metres. */
  altM: number | null;
  geoidSepM: number | null;
  dgpsAgeS: number | null;
  dgpsStation: number | null;
}

export interface GnsSentence extends Omit<GgaSentence, 'kind' | 'quality'> {
  kind: 'GNS';
  /** One mode letter per constellation (GPS, GLONASS, Galileo, BeiDou, ...). */
  modes: string;
}

export interface RmcSentence extends Positioned {
  kind: 'RMC';
  talker: string;
  time: Utc | null;
  valid: boolean;
  speedMps: number | null;
  courseDeg: number | null;
  /** Days since the Unix epoch, from ddmmyy. */
  date: number | null;
  magvarDeg: number | null;
  status: FixStatus | null;
}

export interface GllSentence extends Positioned {
  kind: 'GLL';
  talker: string;
  time: Utc | null;
  valid: boolean;
  status: FixStatus | null;
}

export interface VtgSentence {
  kind: 'VTG';
  talker: string;
  courseDeg: number | null;
  speedMps: number | null;
  status: FixStatus | null;
}

export interface GsaSentence {
  kind: 'GSA';
  talker: string;
  /** 1 = no fix, 2 = 2D, 3 = 3D */
  mode: number | null;
  satellitesUsed: number;
  prns: number[];
  pdop: number | null;
  hdop: number | null;
  vdop: number | null;
  /** NMEA 4.10 GNSS system id (1 GPS, 2 GLONASS, 3 Galileo, 4 BeiDou, 5 QZSS, 6 NavIC). */
  systemId: number | null;
}

export interface SatelliteInView {
  prn: number;
  elevationDeg: number | null;
  azimuthDeg: number | null;
  /** dB-Hz; null when the receiver does not track it. */
  snr: number | null;
}

export interface GsvSentence {
  kind: 'GSV';
  talker: string;
  messages: number;
  messageNumber: number;
  inView: number;
  satellites: SatelliteInView[];
  signalId: number | null;
}

export interface ZdaSentence {
  kind: 'ZDA';
  talker: string;
  time: Utc | null;
  date: number | null;
}

export interface GstSentence {
  kind: 'GST';
  talker: string;
  time: Utc | null;
  rmsM: number | null;
  majorM: number | null;
  minorM: number | null;
  orientDeg: number | null;
  latErrM: number | null;
  lonErrM: number | null;
  altErrM: number | null;
}

export type NmeaSentence = GgaSentence | GnsSentence | RmcSentence | GllSentence | VtgSentence | GsaSentence | GsvSentence | ZdaSentence | GstSentence;

export type ParseResult =
  | { status: 'ok'; sentence: NmeaSentence }
  | { status: 'bad-checksum' }
  | { status: 'ignored'; reason: string };

const ignored = (reason: string): ParseResult => ({ status: 'ignored', reason });
const BAD_CHECKSUM: ParseResult = { status: 'bad-checksum' };

export function parseSentence(line: string): ParseResult {
  return parseFramed(frameSentence(line));
}

/** The typed sentence of an already framed line. */
export function parseFramed(framed: FrameResult): ParseResult {
  switch (framed.status) {
    case 'ok':
      return parseBody(framed.body);
    case 'bad-checksum':
      return BAD_CHECKSUM;
    default:
      // Checksums are mandatory (as in gpsd): a serial line picks up noise, and a sentence without one cannot be trusted.
      return ignored(framed.status);
  }
}

const UNSUPPORTED_ADDRESS = ignored('unsupported address');
const UNSUPPORTED_TALKER = ignored('unsupported talker');
const UNSUPPORTED_SENTENCE = ignored('unsupported sentence');
const MALFORMED = ignored('malformed');
const TALKER_CODES = new Set([...KNOWN_TALKERS].map((t) => (t.charCodeAt(0) << 8) | t.charCodeAt(1)));

export function parseBody(body: string): ParseResult {
  if (body.length > 5 && body.charCodeAt(5) !== 0x2c) return UNSUPPORTED_ADDRESS;
  if (body.length < 5) return UNSUPPORTED_ADDRESS;
  if (!TALKER_CODES.has((body.charCodeAt(0) << 8) | body.charCodeAt(1))) return UNSUPPORTED_TALKER;
  const type = (body.charCodeAt(2) << 16) | (body.charCodeAt(3) << 8) | body.charCodeAt(4);
  const talker = body.slice(0, 2);
  // GSV (the most frequent sentence) reads its 3 header fields without splitting the rest.
  const sentence = type === GSV_CODE ? gsv(talker, body) : PARSER_BY_CODE.get(type)?.(talker, body.split(','));
  if (sentence === undefined) return UNSUPPORTED_SENTENCE;
  return sentence ? { status: 'ok', sentence } : MALFORMED;
}

const time = (s: string | undefined): Utc | null => {
  const ms = utc(s);
  return ms === null ? null : { msOfDay: ms };
};

type FieldParser = (talker: string, f: string[]) => NmeaSentence | null;

const PARSERS: Record<string, FieldParser> = {
  GGA(talker, f) {
    const quality = int(f[6]);
    if (quality === null) return null;
    const p = position(f[2], f[3], f[4], f[5]) ?? NO_POSITION;
    return {
      kind: 'GGA',
      talker,
      time: time(f[1]),
      lat: p.lat,
      lon: p.lon,
      quality,
      status: ggaStatus(quality),
      satellites: int(f[7]),
      hdop: nonNegative(num(f[8])),
      altM: num(f[9]),
      geoidSepM: num(f[11]),
      dgpsAgeS: nonNegative(num(f[13])),
      dgpsStation: int(f[14]),
    };
  },
  GNS(talker, f) {
    const modes = f[6] ?? '';
    if (!/^[A-Z]{1,8}$/.test(modes)) return null;
    const status = faaStatus(modes.replace(/N/g, '')[0] ?? 'N') ?? 0;
    const p = position(f[2], f[3], f[4], f[5]) ?? NO_POSITION;
    // GNS has no unit letters: field 10 is the separation, 11-12 the DGPS age and station.
    return {
      kind: 'GNS',
      talker,
      time: time(f[1]),
      lat: p.lat,
      lon: p.lon,
      modes,
      status,
      satellites: int(f[7]),
      hdop: nonNegative(num(f[8])),
      altM: num(f[9]),
      geoidSepM: num(f[10]),
      dgpsAgeS: nonNegative(num(f[11])),
      dgpsStation: int(f[12]),
    };
  },
  RMC(talker, f) {
    const s = f[2];
    if (s !== 'A' && s !== 'V') return null;
    const mode = faaStatus(f[12]);
    const magvar = num(f[10]);
    const p = position(f[3], f[4], f[5], f[6]) ?? NO_POSITION;
    return {
      kind: 'RMC',
      talker,
      time: time(f[1]),
      valid: s === 'A' && mode !== 0,
      lat: p.lat,
      lon: p.lon,
      speedMps: knotsToMps(f[7]),
      courseDeg: course(f[8]),
      date: ddmmyy(f[9]),
      magvarDeg: magvar === null ? null : f[11] === 'W' ? -magvar : magvar,
      status: mode,
    };
  },
  GLL(talker, f) {
    const s = f[6];
    if (s !== 'A' && s !== 'V') return null;
    const mode = faaStatus(f[7]);
    const p = position(f[1], f[2], f[3], f[4]) ?? NO_POSITION;
    return { kind: 'GLL', talker, time: time(f[5]), valid: s === 'A' && mode !== 0, lat: p.lat, lon: p.lon, status: mode };
  },
  VTG(talker, f) {
    // Old form: VTG,course,course_m,knots,kmh ; NMEA 2.3+ puts a unit letter after each value.
    const unitForm = f[2] === 'T' || f[2] === '';
    return { kind: 'VTG', talker, courseDeg: course(f[1]), speedMps: knotsToMps(unitForm ? f[5] : f[3]), status: unitForm ? faaStatus(f[9]) : null };
  },
  GSA(talker, f) {
    const mode = int(f[2]);
    const prns: number[] = [];
    for (let i = 3; i <= 14; i++) {
      const p = int(f[i]);
      if (p !== null && p > 0) prns.push(p);
    }
    return {
      kind: 'GSA',
      talker,
      mode: mode !== null && mode >= 1 && mode <= 3 ? mode : null,
      satellitesUsed: prns.length,
      prns,
      pdop: nonNegative(num(f[15])),
      hdop: nonNegative(num(f[16])),
      vdop: nonNegative(num(f[17])),
      systemId: int(f[18]),
    };
  },
  ZDA(talker, f) {
    const day = int(f[2]);
    const month = int(f[3]);
    const year = int(f[4]);
    const date = day !== null && month !== null && year !== null && year >= 1980 ? dayNumber(year, month, day) : null;
    return { kind: 'ZDA', talker, time: time(f[1]), date };
  },
  GST(talker, f) {
    const m = (i: number) => nonNegative(num(f[i]));
    return { kind: 'GST', talker, time: time(f[1]), rmsM: m(2), majorM: m(3), minorM: m(4), orientDeg: num(f[5]), latErrM: m(6), lonErrM: m(7), altErrM: m(8) };
  },
};

const code = (t: string) => (t.charCodeAt(0) << 16) | (t.charCodeAt(1) << 8) | t.charCodeAt(2);
const PARSER_BY_CODE = new Map(Object.entries(PARSERS).map(([t, p]) => [code(t), p]));
const GSV_CODE = code('GSV');

function gsv(talker: string, body: string): GsvSentence | null {
  const c1 = body.indexOf(',', 6);
  const c2 = c1 < 0 ? -1 : body.indexOf(',', c1 + 1);
  const c3 = c2 < 0 ? -1 : body.indexOf(',', c2 + 1);
  const messages = int(body.slice(6, c1));
  const messageNumber = int(body.slice(c1 + 1, c2));
  const inView = int(c3 < 0 ? body.slice(c2 + 1) : body.slice(c2 + 1, c3));
  if (c2 < 0 || messages === null || messageNumber === null || inView === null) return null;
  return new LazyGsv(talker, messages, messageNumber, inView, body);
}

const NO_POSITION: Positioned = { lat: null, lon: null };

/** GSV is the most frequent sentence; its satellite list is decoded only when someone reads it. */
class LazyGsv implements GsvSentence {
  readonly kind = 'GSV';
  private list: SatelliteInView[] | null = null;

  constructor(
    readonly talker: string,
    readonly messages: number,
    readonly messageNumber: number,
    readonly inView: number,
    private readonly body: string,
  ) {}

  private get f(): string[] {
    return this.body.split(',');
  }

  get satellites(): SatelliteInView[] {
    if (this.list) return this.list;
    const f = this.f;
    const list: SatelliteInView[] = [];
    for (let g = 0; g < Math.floor((f.length - 4) / 4); g++) {
      const prn = int(f[4 + g * 4]);
      if (prn !== null) list.push({ prn, elevationDeg: num(f[5 + g * 4]), azimuthDeg: num(f[6 + g * 4]), snr: num(f[7 + g * 4]) });
    }
    return (this.list = list);
  }

  get signalId(): number | null {
    const f = this.f;
    return (f.length - 4) % 4 === 1 ? int(f[f.length - 1]) : null;
  }
}


/**
 * One NMEA 0183 line -> a typed sentence. Pure functions; never throws.
 * Unknown or malformed sentences come back as `ignored`, checksum failures as `bad-checksum`,
 * so the caller can count them. Field layouts are NMEA 0183 4.11 (older layouts are accepted:
 * the trailing mode and system fields are optional).
 */
import { frameSentence, MAX_SENTENCE, type FrameResult } from './nmea-framer.js';
import { dayNumber, ddmmyyIn, degMinIn, faaStatusIn, ggaStatus, intIn, numIn, utcIn, type FixStatus } from './nmea-fields.js';

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
  if (type === GSV_CODE) {
    const g = gsv(talker, body);
    return g ? { status: 'ok', sentence: g } : MALFORMED;
  }
  const parser = PARSER_BY_CODE.get(type);
  if (parser === undefined) return UNSUPPORTED_SENTENCE;
  const sentence = parser(talker, FIELDS.of(body));
  return sentence ? { status: 'ok', sentence } : MALFORMED;
}

/**
 * The comma-separated fields of one body, as offsets into it: what `body.split(',')` would
 * give, without the array and its substrings. A field past the end reads as empty, which every
 * decoder treats as `undefined` was (null). One instance, reused sentence after sentence.
 */
class Fields {
  private body = '';
  private count = 0;
  /** Start of field i; start[count] is one past the body's end, so field i ends at start[i + 1] - 1. */
  private start = new Int32Array(MAX_SENTENCE + 2);

  of(body: string): this {
    this.body = body;
    // Framed bodies are bounded; a caller of parseBody may pass a longer one.
    if (body.length + 2 > this.start.length) this.start = new Int32Array(body.length + 2);
    const start = this.start;
    let n = 0;
    start[0] = 0;
    for (let c = body.indexOf(','); c >= 0; c = body.indexOf(',', c + 1)) start[++n] = c + 1;
    this.count = n + 1;
    start[n + 1] = body.length + 1;
    return this;
  }

  private a(i: number): number {
    return i < this.count ? this.start[i]! : 0;
  }

  private b(i: number): number {
    return i < this.count ? this.start[i + 1]! - 1 : 0;
  }

  str(i: number): string | undefined {
    return i < this.count ? this.body.slice(this.start[i]!, this.start[i + 1]! - 1) : undefined;
  }

  /** The field's only character's code; -1 when it is empty, missing or longer. */
  char(i: number): number {
    return i < this.count && this.start[i + 1]! - this.start[i]! === 2 ? this.body.charCodeAt(this.start[i]!) : -1;
  }

  num(i: number): number | null {
    return numIn(this.body, this.a(i), this.b(i));
  }

  nonNegative(i: number): number | null {
    const v = numIn(this.body, this.a(i), this.b(i));
    return v === null || v < 0 ? null : v;
  }

  int(i: number): number | null {
    return intIn(this.body, this.a(i), this.b(i));
  }

  time(i: number): Utc | null {
    const ms = utcIn(this.body, this.a(i), this.b(i));
    return ms === null ? null : { msOfDay: ms };
  }

  date(i: number): number | null {
    return ddmmyyIn(this.body, this.a(i), this.b(i));
  }

  course(i: number): number | null {
    const v = numIn(this.body, this.a(i), this.b(i));
    return v === null || v < 0 || v > 360 ? null : v;
  }

  knotsToMps(i: number): number | null {
    const knots = this.nonNegative(i);
    return knots === null ? null : (knots * 1852) / 3600;
  }

  faa(i: number): FixStatus | null {
    return faaStatusIn(this.body, this.a(i), this.b(i));
  }

  /** lat, N/S, lon, E/W from field i on; NO_POSITION when empty or malformed. */
  position(i: number): Positioned {
    const la = degMinIn(this.body, this.a(i), this.b(i), 90);
    const lo = degMinIn(this.body, this.a(i + 2), this.b(i + 2), 180);
    const ns = this.char(i + 1);
    const ew = this.char(i + 3);
    if (la === null || lo === null || (ns !== N && ns !== S) || (ew !== E && ew !== W)) return NO_POSITION;
    return { lat: ns === S ? -la : la, lon: ew === W ? -lo : lo };
  }
}

const [N, S, E, W, A, V, T] = [...'NSEWAVT'].map((c) => c.charCodeAt(0)) as [number, number, number, number, number, number, number];
const FIELDS = new Fields();

type FieldParser = (talker: string, f: Fields) => NmeaSentence | null;

const PARSERS: Record<string, FieldParser> = {
  GGA(talker, f) {
    const quality = f.int(6);
    if (quality === null) return null;
    const p = f.position(2);
    return {
      kind: 'GGA',
      talker,
      time: f.time(1),
      lat: p.lat,
      lon: p.lon,
      quality,
      status: ggaStatus(quality),
      satellites: f.int(7),
      hdop: f.nonNegative(8),
      altM: f.num(9),
      geoidSepM: f.num(11),
      dgpsAgeS: f.nonNegative(13),
      dgpsStation: f.int(14),
    };
  },
  GNS(talker, f) {
    const modes = f.str(6) ?? '';
    if (!/^[A-Z]{1,8}$/.test(modes)) return null;
    const mode = modes.replace(/N/g, '')[0] ?? 'N';
    const status = faaStatusIn(mode, 0, 1) ?? 0;
    const p = f.position(2);
    // GNS has no unit letters: field 10 is the separation, 11-12 the DGPS age and station.
    return {
      kind: 'GNS',
      talker,
      time: f.time(1),
      lat: p.lat,
      lon: p.lon,
      modes,
      status,
      satellites: f.int(7),
      hdop: f.nonNegative(8),
      altM: f.num(9),
      geoidSepM: f.num(10),
      dgpsAgeS: f.nonNegative(11),
      dgpsStation: f.int(12),
    };
  },
  RMC(talker, f) {
    const s = f.char(2);
    if (s !== A && s !== V) return null;
    const mode = f.faa(12);
    const magvar = f.num(10);
    const p = f.position(3);
    return {
      kind: 'RMC',
      talker,
      time: f.time(1),
      valid: s === A && mode !== 0,
      lat: p.lat,
      lon: p.lon,
      speedMps: f.knotsToMps(7),
      courseDeg: f.course(8),
      date: f.date(9),
      magvarDeg: magvar === null ? null : f.char(11) === W ? -magvar : magvar,
      status: mode,
    };
  },
  GLL(talker, f) {
    const s = f.char(6);
    if (s !== A && s !== V) return null;
    const mode = f.faa(7);
    const p = f.position(1);
    return { kind: 'GLL', talker, time: f.time(5), valid: s === A && mode !== 0, lat: p.lat, lon: p.lon, status: mode };
  },
  VTG(talker, f) {
    // Old form: VTG,course,course_m,knots,kmh ; NMEA 2.3+ puts a unit letter after each value.
    const unitForm = f.char(2) === T || f.str(2) === '';
    return { kind: 'VTG', talker, courseDeg: f.course(1), speedMps: f.knotsToMps(unitForm ? 5 : 3), status: unitForm ? f.faa(9) : null };
  },
  GSA(talker, f) {
    const mode = f.int(2);
    const prns: number[] = [];
    for (let i = 3; i <= 14; i++) {
      const p = f.int(i);
      if (p !== null && p > 0) prns.push(p);
    }
    return {
      kind: 'GSA',
      talker,
      mode: mode !== null && mode >= 1 && mode <= 3 ? mode : null,
      satellitesUsed: prns.length,
      prns,
      pdop: f.nonNegative(15),
      hdop: f.nonNegative(16),
      vdop: f.nonNegative(17),
      systemId: f.int(18),
    };
  },
  ZDA(talker, f) {
    const day = f.int(2);
    const month = f.int(3);
    const year = f.int(4);
    const date = day !== null && month !== null && year !== null && year >= 1980 ? dayNumber(year, month, day) : null;
    return { kind: 'ZDA', talker, time: f.time(1), date };
  },
  GST(talker, f) {
    return { kind: 'GST', talker, time: f.time(1), rmsM: f.nonNegative(2), majorM: f.nonNegative(3), minorM: f.nonNegative(4), orientDeg: f.num(5), latErrM: f.nonNegative(6), lonErrM: f.nonNegative(7), altErrM: f.nonNegative(8) };
  },
};

const code = (t: string) => (t.charCodeAt(0) << 16) | (t.charCodeAt(1) << 8) | t.charCodeAt(2);
const PARSER_BY_CODE = new Map(Object.entries(PARSERS).map(([t, p]) => [code(t), p]));
const GSV_CODE = code('GSV');

function gsv(talker: string, body: string): GsvSentence | null {
  const c1 = body.indexOf(',', 6);
  const c2 = c1 < 0 ? -1 : body.indexOf(',', c1 + 1);
  const c3 = c2 < 0 ? -1 : body.indexOf(',', c2 + 1);
  if (c2 < 0) return null;
  const messages = intIn(body, 6, c1);
  const messageNumber = intIn(body, c1 + 1, c2);
  const inView = intIn(body, c2 + 1, c3 < 0 ? body.length : c3);
  if (messages === null || messageNumber === null || inView === null) return null;
  return new LazyGsv(talker, messages, messageNumber, inView, body);
}

const NO_POSITION: Positioned = { lat: null, lon: null };

const numOf = (s: string | undefined) => (s === undefined ? null : numIn(s, 0, s.length));
const intOf = (s: string | undefined) => (s === undefined ? null : intIn(s, 0, s.length));

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
      const prn = intOf(f[4 + g * 4]);
      if (prn !== null) list.push({ prn, elevationDeg: numOf(f[5 + g * 4]), azimuthDeg: numOf(f[6 + g * 4]), snr: numOf(f[7 + g * 4]) });
    }
    return (this.list = list);
  }

  get signalId(): number | null {
    const f = this.f;
    return (f.length - 4) % 4 === 1 ? intOf(f[f.length - 1]) : null;
  }
}


import type { FixType } from '@pitwall/protocol';
import { Epoch, type GnssErrors } from './nmea-epoch.js';
import { DAY_MS, type FixStatus } from './nmea-fields.js';
import { LineSplitter, NmeaFramer } from './nmea-framer.js';
import { parseFramed, type NmeaSentence } from './nmea-sentence.js';

export type { GnssErrors } from './nmea-epoch.js';

/** One receiver epoch: every sentence that shared a UTC time, merged. */
export interface GnssFix {
  /** Receiver time, ms since the Unix epoch (date from RMC/ZDA, carried over midnight; else `fallbackDate`). */
  timeMs: number;
  /** False while no RMC or ZDA has told the date: `timeMs` then rests on the fallback date. */
  dateKnown: boolean;
  fix: FixType;
  /** Fix qualifier in gpsd's numbering (1 GPS, 2 DGPS, 3 RTK fixed, 4 RTK float, ...). */
  status: FixStatus;
  lat: number | null;
  lon: number | null;
  /** Above mean sea level. */
  altM: number | null;
  geoidSepM: number | null;
  speedMps: number | null;
  courseDeg: number | null;
  satellites: number;
  satellitesInView: number | null;
  hdop: number | null;
  pdop: number | null;
  vdop: number | null;
  dgpsAgeS: number | null;
  dgpsStation: number | null;
  errors: GnssErrors | null;
}

export interface SentenceCounters {
  accepted: number;
  badChecksum: number;
  ignored: number;
}

export interface NmeaDecoderOptions {
  /** Date used until an RMC or ZDA has carried one (days since the Unix epoch). Default: today (unit clock). */
  fallbackDate?: () => number;
  /** Called with every checksum-valid sentence (`$...*hh`), known or not: for raw logging. */
  onSentence?: (text: string) => void;
}

/**
 * Feeds NMEA lines (or raw serial chunks) in, gets fixes out. An epoch is emitted as soon as it
 * holds every time-bearing sentence kind the previous epoch had (low latency at 10-25 Hz), or
 * at the latest when the next epoch's time appears. Never throws on any input.
 */
export class NmeaDecoder {
  readonly counters: SentenceCounters = { accepted: 0, badChecksum: 0, ignored: 0 };
  /** Satellites in view from the last complete GSV cycle, summed over constellations. */
  satellitesInView: number | null = null;
  private epoch: Epoch | null = null;
  private lastGsaMode: number | null = null;
  private expectedKinds = new Set<string>();
  /** The date at a known time of day, advanced as epochs pass midnight. */
  private dateAnchor: { day: number; msOfDay: number } | null = null;
  private gsvByTalker = new Map<string, number>();
  private readonly framer = new NmeaFramer();
  private readonly splitter = new LineSplitter();
  private readonly fallbackDate: () => number;
  private readonly onSentence: ((text: string) => void) | undefined;

  constructor(opts: NmeaDecoderOptions = {}) {
    this.fallbackDate = opts.fallbackDate ?? (() => Math.floor(Date.now() / DAY_MS));
    this.onSentence = opts.onSentence;
  }

  /** One line (its CR/LF optional). */
  push(line: string): GnssFix[] {
    const framed = this.framer.frame(line);
    if (framed.status === 'ok') this.onSentence?.(framed.text);
    const parsed = parseFramed(framed);
    if (parsed.status === 'bad-checksum') {
      this.counters.badChecksum++;
      return [];
    }
    if (parsed.status === 'ignored') {
      this.counters.ignored++;
      return [];
    }
    this.counters.accepted++;
    return this.apply(parsed.sentence);
  }

  /** Bytes of raw input dropped because a line ran past the bound without a newline. */
  get overflowedBytes(): number {
    return this.splitter.overflowed;
  }

  /** Raw serial data in any chunking (latin1 text); lines are cut here. */
  pushChunk(chunk: string): GnssFix[] {
    const out: GnssFix[] = [];
    for (const line of this.splitter.push(chunk)) for (const f of this.push(line)) out.push(f);
    return out;
  }

  /** Emits the epoch in progress, if it has not been emitted yet (end of input). */
  flush(): GnssFix[] {
    const out: GnssFix[] = [];
    for (const line of this.splitter.end()) out.push(...this.push(line));
    if (this.epoch && !this.epoch.emitted) out.push(this.emit(this.epoch));
    return out;
  }

  private apply(s: NmeaSentence): GnssFix[] {
    switch (s.kind) {
      case 'GGA':
      case 'GNS':
      case 'RMC':
      case 'GLL': {
        if (s.time === null) return [];
        const out: GnssFix[] = [];
        const e = this.epochAt(s.time.msOfDay, out);
        if (s.kind === 'RMC' && s.date !== null) this.dateAnchor = { day: s.date, msOfDay: s.time.msOfDay };
        if (s.kind === 'GGA' || s.kind === 'GNS') e.gga(s);
        else e.rmc(s);
        if (!e.emitted && !e.awaitsGsa && this.dateAnchor !== null && this.holdsExpected(e)) out.push(this.emit(e));
        return out;
      }
      case 'ZDA':
        if (s.time !== null && s.date !== null) this.dateAnchor = { day: s.date, msOfDay: s.time.msOfDay };
        return [];
      case 'GST':
        if (this.epoch && s.time !== null && s.time.msOfDay === this.epoch.msOfDay) this.epoch.gst(s);
        return [];
      case 'VTG':
        if (this.epoch && !this.epoch.emitted) this.epoch.vtg(s);
        return [];
      case 'GSA':
        // GSA often follows the epoch's GGA/RMC, so it also informs the next epoch when this one is gone.
        if (this.epoch) {
          this.epoch.gsa(s);
          this.lastGsaMode = this.epoch.gsaMode;
        } else if (s.mode !== null) this.lastGsaMode = s.mode;
        return [];
      case 'GSV':
        if (s.messageNumber === s.messages) {
          this.gsvByTalker.set(s.talker, s.inView);
          let total = 0;
          for (const n of this.gsvByTalker.values()) total += n;
          this.satellitesInView = total;
        }
        return [];
    }
  }

  private holdsExpected(e: Epoch): boolean {
    if (this.expectedKinds.size === 0) return false;
    for (const k of this.expectedKinds) if (!e.kinds.has(k)) return false;
    return true;
  }

  private epochAt(msOfDay: number, out: GnssFix[]): Epoch {
    const current = this.epoch;
    if (current && current.msOfDay === msOfDay) return current;
    if (current) {
      if (!current.emitted) out.push(this.emit(current));
      this.expectedKinds = current.kinds;
    }
    this.epoch = new Epoch(msOfDay);
    return this.epoch;
  }

  private dayOf(msOfDay: number): number | null {
    const a = this.dateAnchor;
    if (!a) return null;
    const d = msOfDay - a.msOfDay;
    // Time of day wrapped: midnight passed since the date was learned (or, for a late sentence, not yet).
    const day = a.day + (d < -DAY_MS / 2 ? 1 : d > DAY_MS / 2 ? -1 : 0);
    this.dateAnchor = { day, msOfDay };
    return day;
  }

  private emit(e: Epoch): GnssFix {
    e.emitted = true;
    const day = this.dayOf(e.msOfDay);
    const fix = e.fixType(this.lastGsaMode);
    const has = fix !== 'none';
    return {
      timeMs: (day ?? this.fallbackDate()) * DAY_MS + e.msOfDay,
      dateKnown: day !== null,
      fix,
      status: has ? e.status : 0,
      lat: has ? e.lat : null,
      lon: has ? e.lon : null,
      altM: has ? e.altM : null,
      geoidSepM: has ? e.geoidSepM : null,
      speedMps: e.speedMps,
      courseDeg: e.courseDeg,
      satellites: e.satellites ?? e.gsaUsed,
      satellitesInView: this.satellitesInView,
      hdop: e.hdop,
      pdop: e.pdop,
      vdop: e.vdop,
      dgpsAgeS: has ? e.dgpsAgeS : null,
      dgpsStation: has ? e.dgpsStation : null,
      errors: e.errors,
    };
  }
}

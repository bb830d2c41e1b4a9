import type { FixType } from '@pitwall/protocol';
import { parseSentence, type NmeaSentence } from './nmea-sentence.js';

/** One receiver epoch: every sentence that shared a UTC time, merged. */
export interface GnssFix {
  /** Receiver time, ms since the Unix epoch (the date comes from the last RMC, else `fallbackDate`). */
  timeMs: number;
  fix: FixType;
  lat: number | null;
  lon: number | null;
  altM: number | null;
  speedMps: number | null;
  courseDeg: number | null;
  satellites: number;
  satellitesInView: number | null;
  hdop: number | null;
}

export interface SentenceCounters {
  accepted: number;
  badChecksum: number;
  ignored: number;
}

export interface NmeaDecoderOptions {
  /** Date used until an RMC has carried one (days since the Unix epoch). Default: today (unit clock). */
  fallbackDate?: () => number;
}

interface Epoch {
  msOfDay: number;
  /** Time-bearing sentence kinds seen in this epoch (GGA, RMC). */
  kinds: Set<string>;
  gga?: Extract<NmeaSentence, { kind: 'GGA' }>;
  rmc?: Extract<NmeaSentence, { kind: 'RMC' }>;
  gsaMode: number | null;
  gsaUsed: number;
  gsaHdop: number | null;
  vtgSpeed: number | null;
  vtgCourse: number | null;
  emitted: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Feeds NMEA lines in, gets fixes out. An epoch is emitted as soon as it holds every
 * time-bearing sentence kind the previous epoch had (low latency at 10-25 Hz), or at the
 * latest when the next epoch's time appears. Never throws on any input.
 */
export class NmeaDecoder {
  readonly counters: SentenceCounters = { accepted: 0, badChecksum: 0, ignored: 0 };
  /** Satellites in view from the last complete GSV cycle, summed over constellations. */
  satellitesInView: number | null = null;
  private epoch: Epoch | null = null;
  private lastGsaMode: number | null = null;
  private expectedKinds = new Set<string>();
  private dayNumber: number | null = null;
  private gsvByTalker = new Map<string, number>();
  private readonly fallbackDate: () => number;

  constructor(opts: NmeaDecoderOptions = {}) {
    this.fallbackDate = opts.fallbackDate ?? (() => Math.floor(Date.now() / DAY_MS));
  }

  push(line: string): GnssFix[] {
    const parsed = parseSentence(line);
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

  /** Emits the epoch in progress, if it has not been emitted yet (end of input). */
  flush(): GnssFix[] {
    const out: GnssFix[] = [];
    if (this.epoch && !this.epoch.emitted) {
      this.epoch.emitted = true;
      out.push(this.toFix(this.epoch));
    }
    return out;
  }

  private apply(s: NmeaSentence): GnssFix[] {
    const out: GnssFix[] = [];
    if (s.kind === 'GGA' || s.kind === 'RMC') {
      if (s.time === null) return out;
      if (!this.epoch || this.epoch.msOfDay !== s.time.msOfDay) {
        if (this.epoch) {
          if (!this.epoch.emitted) out.push(this.toFix(this.epoch));
          this.expectedKinds = this.epoch.kinds;
        }
        this.epoch = newEpoch(s.time.msOfDay);
      }
      const e = this.epoch;
      e.kinds.add(s.kind);
      if (s.kind === 'GGA') e.gga = s;
      else {
        e.rmc = s;
        if (s.date !== null) this.dayNumber = s.date;
      }
      if (!e.emitted && this.expectedKinds.size > 0 && [...this.expectedKinds].every((k) => e.kinds.has(k))) {
        e.emitted = true;
        out.push(this.toFix(e));
      }
      return out;
    }
    const e = this.epoch;
    switch (s.kind) {
      case 'GSA':
        // Multi-constellation receivers send one GSA per system in the same epoch. GSA often
        // follows the epoch's GGA/RMC, so it also informs the next epoch when this one is gone.
        if (e) {
          if (s.mode !== null) e.gsaMode = Math.max(e.gsaMode ?? 0, s.mode);
          e.gsaUsed += s.satellitesUsed;
          if (s.hdop !== null) e.gsaHdop = s.hdop;
          this.lastGsaMode = e.gsaMode;
        }
        break;
      case 'VTG':
        if (e && !e.emitted) {
          e.vtgSpeed = s.speedMps;
          e.vtgCourse = s.courseDeg;
        }
        break;
      case 'GSV':
        if (s.messageNumber === s.messages) {
          this.gsvByTalker.set(s.talker, s.inView);
          let total = 0;
          for (const n of this.gsvByTalker.values()) total += n;
          this.satellitesInView = total;
        }
        break;
    }
    return out;
  }

  private toFix(e: Epoch): GnssFix {
    const { gga, rmc } = e;
    const lat = gga?.lat ?? (rmc?.valid ? rmc.lat : null) ?? null;
    const lon = gga?.lon ?? (rmc?.valid ? rmc.lon : null) ?? null;
    const altM = gga && gga.quality > 0 ? gga.altM : null;
    let fix: FixType = 'none';
    const hasPosition = lat !== null && lon !== null;
    const receiverSaysFix = (gga ? gga.quality > 0 : false) || (rmc?.valid ?? false);
    if (hasPosition && receiverSaysFix) {
      const gsaMode = e.gsaMode ?? this.lastGsaMode;
      if (gsaMode !== null && gsaMode >= 2) fix = gsaMode === 3 ? '3d' : '2d';
      else fix = altM !== null ? '3d' : '2d';
      if (gga && gga.quality === 0) fix = 'none';
    }
    const day = this.dayNumber ?? this.fallbackDate();
    return {
      timeMs: day * DAY_MS + e.msOfDay,
      fix,
      lat: fix === 'none' ? null : lat,
      lon: fix === 'none' ? null : lon,
      altM: fix === '3d' ? altM : null,
      speedMps: e.vtgSpeed ?? rmc?.speedMps ?? null,
      courseDeg: e.vtgCourse ?? rmc?.courseDeg ?? null,
      satellites: gga?.satellites ?? e.gsaUsed,
      satellitesInView: this.satellitesInView,
      hdop: gga?.hdop ?? e.gsaHdop,
    };
  }
}

function newEpoch(msOfDay: number): Epoch {
  return { msOfDay, kinds: new Set(), gsaMode: null, gsaUsed: 0, gsaHdop: null, vtgSpeed: null, vtgCourse: null, emitted: false };
}

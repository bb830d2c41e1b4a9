/**
 * One receiver cycle being assembled: every sentence that shares a UTC time of day, folded in
 * stream order the way gpsd merges them (a later sentence overrides an earlier one's fields).
 */
import type { FixType } from '@pitwall/protocol';
import type { FixStatus } from './nmea-fields.js';
import type { GgaSentence, GllSentence, GnsSentence, GsaSentence, GstSentence, RmcSentence, VtgSentence } from './nmea-sentence.js';

/** GST: the receiver's own error estimate, 1-sigma metres (orientation in degrees). */
export interface GnssErrors {
  rmsM: number | null;
  majorM: number | null;
  minorM: number | null;
  orientDeg: number | null;
  latM: number | null;
  lonM: number | null;
  altM: number | null;
}

type Mode = 'none' | '2d' | '3d';

export class Epoch {
  /** Time-bearing sentence kinds seen (GGA, GNS, RMC, GLL). */
  readonly kinds = new Set<string>();
  emitted = false;
  lat: number | null = null;
  lon: number | null = null;
  altM: number | null = null;
  geoidSepM: number | null = null;
  dgpsAgeS: number | null = null;
  dgpsStation: number | null = null;
  speedMps: number | null = null;
  courseDeg: number | null = null;
  status: FixStatus = 0;
  satellites: number | null = null;
  hdop: number | null = null;
  pdop: number | null = null;
  vdop: number | null = null;
  gsaMode: number | null = null;
  gsaUsed = 0;
  errors: GnssErrors | null = null;
  /** Mode as the sentences so far say; null until one has spoken. */
  mode: Mode | null = null;
  /** A GP/GN GGA reported fewer than 3 satellites: no fix unless a GSA of this epoch says otherwise. */
  lowSatellites = false;

  constructor(readonly msOfDay: number) {}

  private setPosition(s: { lat: number | null; lon: number | null }): boolean {
    if (s.lat === null || s.lon === null) return false;
    this.lat = s.lat;
    this.lon = s.lon;
    return true;
  }

  gga(s: GgaSentence | GnsSentence): void {
    this.kinds.add(s.kind);
    if (s.satellites !== null) this.satellites = s.satellites;
    if (s.hdop !== null) this.hdop = s.hdop;
    const fixed = s.kind === 'GGA' ? s.quality > 0 : /[^N]/.test(s.modes);
    if (!fixed || !this.setPosition(s)) {
      this.mode = 'none';
      this.status = 0;
      return;
    }
    this.status = s.status;
    this.altM = s.altM;
    this.geoidSepM = s.geoidSepM;
    this.dgpsAgeS = s.dgpsAgeS;
    this.dgpsStation = s.dgpsStation;
    if (s.kind === 'GGA' && (s.talker === 'GP' || s.talker === 'GN') && s.satellites !== null && s.satellites < 3) {
      this.lowSatellites = true;
      this.mode = 'none';
      return;
    }
    this.mode = s.altM !== null && (s.kind === 'GNS' || (s.satellites ?? 0) >= 4) ? '3d' : '2d';
  }

  rmc(s: RmcSentence | GllSentence): void {
    this.kinds.add(s.kind);
    if (s.kind === 'RMC') {
      if (s.speedMps !== null) this.speedMps = s.speedMps;
      if (s.courseDeg !== null) this.courseDeg = s.courseDeg;
    }
    if (!s.valid || !this.setPosition(s)) {
      this.mode = 'none';
      return;
    }
    // GGA's quality is finer than the FAA mode letter (RTK fixed vs float is just 'D' in NMEA 2.3), so it wins.
    if (!this.kinds.has('GGA') && !this.kinds.has('GNS') && s.status !== null) this.status = s.status;
    else if (this.status === 0) this.status = 1;
    if (this.mode === null || this.mode === 'none') this.mode = '2d';
  }

  vtg(s: VtgSentence): void {
    if (s.speedMps !== null) this.speedMps = s.speedMps;
    if (s.courseDeg !== null) this.courseDeg = s.courseDeg;
  }

  gsa(s: GsaSentence): void {
    // Multi-constellation receivers send one GSA per system in the same epoch.
    if (s.mode !== null) this.gsaMode = Math.max(this.gsaMode ?? 0, s.mode);
    this.gsaUsed += s.satellitesUsed;
    if (s.pdop !== null) this.pdop = s.pdop;
    if (s.hdop !== null) this.hdop = s.hdop;
    if (s.vdop !== null) this.vdop = s.vdop;
    if (this.lowSatellites && (s.mode ?? 0) >= 2 && this.lat !== null) this.mode = s.mode === 3 ? '3d' : '2d';
  }

  gst(s: GstSentence): void {
    this.errors = { rmsM: s.rmsM, majorM: s.majorM, minorM: s.minorM, orientDeg: s.orientDeg, latM: s.latErrM, lonM: s.lonErrM, altM: s.altErrM };
  }

  /** Whether emitting now could still be overturned by a GSA of this epoch. */
  get awaitsGsa(): boolean {
    return this.lowSatellites && this.mode === 'none' && this.gsaMode === null;
  }

  /** Final fix type; `lastGsaMode` covers receivers that send GSA before the epoch's first timed sentence. */
  fixType(lastGsaMode: number | null): FixType {
    if (this.mode === null || this.mode === 'none' || this.lat === null) return 'none';
    const gsa = this.gsaMode ?? lastGsaMode;
    if (gsa !== null && gsa >= 2) return gsa === 3 ? '3d' : '2d';
    return this.mode;
  }
}

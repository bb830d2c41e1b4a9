import type { GnssStatus, LiveFix } from '@pitwall/protocol';
import type { GnssFix, SentenceCounters } from './nmea-decoder.js';

const RATE_WINDOW_MS = 5000;

/** Folds fixes into the protocol's GnssStatus. Times are the unit's monotonic clock (ms). */
export class GnssState {
  private last: GnssFix | null = null;
  private lastPositioned: GnssFix | null = null;
  private openedAt: number | null = null;
  private firstFixAt: number | null = null;
  private readonly arrivals: number[] = [];

  constructor(
    private readonly counters: () => SentenceCounters,
    private readonly now: () => number = () => performance.now(),
  ) {}

  portOpened(): void {
    this.openedAt ??= this.now();
  }

  update(fix: GnssFix): void {
    const t = this.now();
    this.last = fix;
    if (fix.fix === 'none') return;
    this.lastPositioned = fix;
    if (this.firstFixAt === null && this.openedAt !== null) this.firstFixAt = t;
    this.arrivals.push(t);
    this.trim(t);
  }

  status(): GnssStatus {
    const t = this.now();
    this.trim(t);
    const f = this.last;
    const p = this.lastPositioned;
    const hasFix = f !== null && f.fix !== 'none';
    const c = this.counters();
    return {
      fix: f?.fix ?? 'none',
      satellites: f?.satellites ?? 0,
      hdop: f?.hdop ?? null,
      position: hasFix && f.lat !== null && f.lon !== null ? { lat: f.lat, lon: f.lon, altM: f.altM } : null,
      speedMps: hasFix ? f.speedMps : null,
      courseDeg: hasFix ? f.courseDeg : null,
      timeToFirstFixS: this.firstFixAt !== null && this.openedAt !== null ? round((this.firstFixAt - this.openedAt) / 1000, 3) : null,
      lastFixTime: p ? new Date(p.timeMs).toISOString() : null,
      fixRateHz: round(this.rate(t), 2),
      sentences: { accepted: c.accepted, badChecksum: c.badChecksum, ignored: c.ignored },
    };
  }

  private rate(t: number): number {
    const first = this.arrivals[0];
    if (first === undefined || this.arrivals.length < 2) return 0;
    const span = Math.max(t - first, 1);
    return ((this.arrivals.length - 1) * 1000) / Math.min(Math.max(span, 1), RATE_WINDOW_MS);
  }

  private trim(t: number): void {
    while (this.arrivals.length > 0 && (this.arrivals[0] as number) < t - RATE_WINDOW_MS) this.arrivals.shift();
  }
}

/** A fix with a position as one `fix` event of GET /v1/live; null when there is no position. */
export function toLiveFix(f: GnssFix): LiveFix | null {
  if (f.fix === 'none' || f.lat === null || f.lon === null) return null;
  return {
    time: new Date(f.timeMs).toISOString(),
    fix: f.fix,
    lat: f.lat,
    lon: f.lon,
    altM: f.altM,
    speedMps: f.speedMps,
    courseDeg: f.courseDeg,
    satellites: f.satellites,
    hdop: f.hdop,
  };
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

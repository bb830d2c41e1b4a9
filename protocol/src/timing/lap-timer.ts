import type { TimingLine } from '../tracks/track-definition.js';
import { haversineM } from './geo.js';
import { LapTrace } from './lap-trace.js';
import { PreparedLine } from './timing-line.js';

/** One position fix as the timer needs it. */
export interface TimingFix {
  /** Epoch milliseconds; fractions allowed. */
  t: number;
  lat: number;
  lon: number;
  speedMps?: number;
  courseDeg?: number;
}

export interface Lap {
  /** 1 for the first lap started at the line. */
  number: number;
  startT: number;
  endT: number;
  timeMs: number;
  /** One split per sector when every sector line was crossed in order, else empty. */
  sectorsMs: number[];
  /** Distance driven in the lap, metres (fix to fix, so slightly short of the racing line). */
  distanceM: number;
}

export type LapEvent =
  | { type: 'lap-start'; lap: number; t: number }
  | { type: 'sector'; lap: number; sector: number; t: number; splitMs: number }
  | { type: 'lap'; lap: Lap; best: boolean };

export interface LiveLapState {
  /** Lap in progress; 0 until the line is first crossed. */
  lap: number;
  lapStartT: number | null;
  elapsedMs: number | null;
  /** Index of the sector in progress (0-based). */
  sector: number;
  sectorElapsedMs: number | null;
  distanceM: number;
  lastLapMs: number | null;
  bestLapMs: number | null;
  /** Elapsed now minus the best lap's elapsed at the same distance; negative is faster. */
  deltaMs: number | null;
  predictedLapMs: number | null;
}

export interface TimedTrack {
  startFinish: TimingLine;
  sectors?: readonly TimingLine[];
}

export interface LapTimerOptions {
  /** Start/finish crossings sooner than this after the lap started are ignored. Default 20 s. */
  minLapMs?: number;
  /** A sector line crossed again within this time is ignored. Default 1 s. */
  debounceMs?: number;
  /** Lengthens every timing line by this much at both ends. Default 0. */
  lineMarginM?: number;
}

interface Hit {
  kind: 'finish' | 'sector';
  fraction: number;
}

/**
 * Incremental lap timer: feed fixes in time order, get lap and sector events. Crossings are
 * found by segment intersection between consecutive fixes, forward only, with the crossing time
 * interpolated linearly between the two fixes. Constant work per fix.
 */
export class LapTimer {
  readonly laps: Lap[] = [];
  /** Fixes dropped because their time did not advance. */
  skippedFixes = 0;
  private readonly finish: PreparedLine;
  private readonly sectorLines: PreparedLine[];
  private readonly minLapMs: number;
  private readonly debounceMs: number;
  private prev: TimingFix | null = null;
  private lapNumber = 0;
  private lapStartT: number | null = null;
  private lapDistanceM = 0;
  private nextSector = 0;
  private sectorStartT: number | null = null;
  private splits: number[] = [];
  private trace = new LapTrace();
  private best: { ms: number; trace: LapTrace } | null = null;
  private state: LiveLapState;

  constructor(track: TimedTrack, options: LapTimerOptions = {}) {
    const margin = options.lineMarginM ?? 0;
    this.finish = new PreparedLine(track.startFinish, margin);
    this.sectorLines = (track.sectors ?? []).map((l) => new PreparedLine(l, margin));
    this.minLapMs = options.minLapMs ?? 20_000;
    this.debounceMs = options.debounceMs ?? 1_000;
    this.state = this.snapshot(null);
  }

  get live(): LiveLapState {
    return this.state;
  }

  get bestLap(): Lap | null {
    let best: Lap | null = null;
    for (const l of this.laps) if (!best || l.timeMs < best.timeMs) best = l;
    return best;
  }

  /** Compares against a lap from elsewhere (e.g. an earlier session) until a faster lap is driven. */
  setReference(lapMs: number, trace: readonly { distanceM: number; elapsedMs: number }[]): void {
    this.best = { ms: lapMs, trace: LapTrace.of(trace) };
  }

  /** The best lap's distance -> elapsed trace, for storing as a reference. */
  referenceTrace(): { distanceM: number; elapsedMs: number }[] {
    return this.best?.trace.toArray() ?? [];
  }

  /**
   * The car stood still: carries on from this fix without looking for crossings between it and
   * the last one (GNSS noise around a parked car wanders across lines).
   */
  resume(fix: TimingFix): void {
    if (this.prev && !(fix.t > this.prev.t)) return;
    this.prev = fix;
  }

  push(fix: TimingFix): LapEvent[] {
    const prev = this.prev;
    if (prev && !(fix.t > prev.t)) {
      this.skippedFixes++;
      return [];
    }
    this.prev = fix;
    if (!prev) {
      this.state = this.snapshot(fix);
      return [];
    }
    const events: LapEvent[] = [];
    const segmentM = haversineM(prev, fix);
    const dt = fix.t - prev.t;
    let consumed = 0; // fraction of this segment already credited to the lap distance
    for (const hit of this.hitsBetween(prev, fix)) {
      const t = prev.t + hit.fraction * dt;
      this.lapDistanceM += (hit.fraction - consumed) * segmentM;
      consumed = hit.fraction;
      if (hit.kind === 'sector') this.onSector(t, events);
      else this.onFinish(t, events);
    }
    this.lapDistanceM += (1 - consumed) * segmentM;
    if (this.lapStartT !== null) this.trace.add(this.lapDistanceM, fix.t - this.lapStartT);
    this.state = this.snapshot(fix);
    return events;
  }

  private hitsBetween(p0: TimingFix, p1: TimingFix): Hit[] {
    const hits: Hit[] = [];
    const f = this.finish.crossing(p0, p1);
    if (f) hits.push({ kind: 'finish', fraction: f.fraction });
    const line = this.lapStartT !== null ? this.sectorLines[this.nextSector] : undefined;
    const s = line?.crossing(p0, p1);
    if (s) hits.push({ kind: 'sector', fraction: s.fraction });
    return hits.length > 1 ? hits.sort((a, b) => a.fraction - b.fraction) : hits;
  }

  private onSector(t: number, events: LapEvent[]): void {
    if (this.lapStartT === null || this.sectorStartT === null) return;
    if (t - this.sectorStartT < this.debounceMs) return;
    const splitMs = t - this.sectorStartT;
    this.splits.push(splitMs);
    events.push({ type: 'sector', lap: this.lapNumber, sector: this.nextSector, t, splitMs });
    this.nextSector++;
    this.sectorStartT = t;
  }

  private onFinish(t: number, events: LapEvent[]): void {
    if (this.lapStartT !== null) {
      if (t - this.lapStartT < Math.max(this.minLapMs, this.debounceMs)) return;
      const complete = this.splits.length === this.sectorLines.length && this.sectorStartT !== null;
      const lap: Lap = {
        number: this.lapNumber,
        startT: this.lapStartT,
        endT: t,
        timeMs: t - this.lapStartT,
        sectorsMs: complete ? [...this.splits, t - this.sectorStartT!] : [],
        distanceM: this.lapDistanceM,
      };
      this.trace.add(lap.distanceM, lap.timeMs);
      const isBest = !this.best || lap.timeMs < this.best.ms;
      if (isBest) this.best = { ms: lap.timeMs, trace: this.trace };
      this.laps.push(lap);
      events.push({ type: 'lap', lap, best: isBest });
    }
    this.lapNumber++;
    this.lapStartT = t;
    this.sectorStartT = t;
    this.nextSector = 0;
    this.splits = [];
    this.lapDistanceM = 0;
    this.trace = new LapTrace();
    this.trace.add(0, 0);
    this.best?.trace.rewind();
    events.push({ type: 'lap-start', lap: this.lapNumber, t });
  }

  private snapshot(fix: TimingFix | null): LiveLapState {
    const started = fix !== null && this.lapStartT !== null;
    const elapsedMs = started ? fix.t - this.lapStartT! : null;
    let deltaMs: number | null = null;
    if (elapsedMs !== null && this.best) {
      const ref = this.best.trace.elapsedAt(this.lapDistanceM);
      if (ref !== null) deltaMs = elapsedMs - ref;
    }
    return {
      lap: this.lapNumber,
      lapStartT: this.lapStartT,
      elapsedMs,
      sector: this.nextSector,
      sectorElapsedMs: started && this.sectorStartT !== null ? fix.t - this.sectorStartT : null,
      distanceM: this.lapDistanceM,
      lastLapMs: this.laps.at(-1)?.timeMs ?? null,
      bestLapMs: this.best?.ms ?? null,
      deltaMs,
      predictedLapMs: deltaMs !== null && this.best ? this.best.ms + deltaMs : null,
    };
  }
}

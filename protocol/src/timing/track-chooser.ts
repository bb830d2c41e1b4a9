import type { TrackDefinition } from '../tracks/track-definition.js';
import { ChooserCandidate, type FitLap, type FitRules } from './chooser-candidate.js';
import { haversineM, midpoint, type LatLon } from './geo.js';
import type { Lap, LapEvent, LapTimerOptions, LiveLapState, TimingFix } from './lap-timer.js';
import { OutlineFit } from './outline-fit.js';

export type ChoiceReason =
  /** The nearest layout, before the path could tell: laps may be re-timed. */
  | 'provisional'
  /** A lap closed on its line with its length, on its outline. */
  | 'lap'
  /** The layout chosen before closed no lap while the car drove on longer than any candidate's lap. */
  | 'revisit';

/**
 * A decision: a new layout (`laps` are the laps already driven, re-timed on it), or the same
 * layout confirmed by a lap (`previousId` is its own id).
 */
export interface TrackChange {
  t: number;
  track: TrackDefinition;
  previousId: string | null;
  reason: ChoiceReason;
  laps: Lap[];
  /** Seconds of driving (moving) from the first fix to this decision. */
  drivingS: number;
}

interface Decision {
  candidate: ChooserCandidate;
  reason: ChoiceReason;
}

export type ChooserEvent = { type: 'track'; change: TrackChange } | { type: 'timing'; trackId: string; event: LapEvent };

export interface TrackChooserOptions extends Partial<FitRules> {
  /** Layouts whose line or outline is this close to the path are candidates. Default 2 km. */
  reachM?: number;
  /** Slower than this is standing (no odometer, no path samples). Default 2.5 m/s. */
  movingMps?: number;
  /** Path samples every this many metres of driving. Default 5. */
  sampleEveryM?: number;
  timer?: LapTimerOptions;
}

const REACH_CHECK_MS = 2_000;
/** Outlines are looked at only for tracks whose line is this close (the longest circuits are ~25 km round). */
const OUTLINE_SEARCH_M = 30_000;
/** A provisional choice moves to a layout whose recent path fits this much better. */
const PROVISIONAL_MARGIN = 0.2;
/** A fit layout replaces another fit one whose laps were off their outline this much more often. */
const FIT_MARGIN = 0.004;

/**
 * Chooses the layout being driven from the catalog, streaming: every layout within reach of the
 * path is timed side by side with its own lap timer, and the path decides (see README: track
 * choice). Pure: feed fixes in time order; the events say which layout the laps are timed on.
 */
export class TrackChooser {
  readonly changes: TrackChange[] = [];
  private readonly candidates: ChooserCandidate[] = [];
  private readonly pending: TrackDefinition[];
  private readonly rules: FitRules;
  private chosen: ChooserCandidate | null = null;
  private confirmed = false;
  /** Odometer when the chosen layout last proved itself (chosen, or a fit lap). */
  private provenOdoM = 0;
  private odoM = 0;
  private drivingMs = 0;
  private prev: TimingFix | null = null;
  /** The last fix given to the lap timers. */
  private timedPrev: TimingFix | null = null;
  private lastSample: LatLon | null = null;
  private lastReachT = -Infinity;
  private lastProvisionalOdoM = 0;

  constructor(
    tracks: readonly TrackDefinition[],
    private readonly options: TrackChooserOptions = {},
  ) {
    this.pending = [...tracks];
    this.rules = {
      offOutlineM: options.offOutlineM ?? 15,
      maxOffShare: options.maxOffShare ?? 0.1,
      lengthTolerance: options.lengthTolerance ?? 0.1,
    };
  }

  get track(): TrackDefinition | null {
    return this.chosen?.track ?? null;
  }

  /** True once a lap confirmed the layout (false while it is only the nearest). */
  get decided(): boolean {
    return this.confirmed;
  }

  get laps(): readonly Lap[] {
    return this.chosen?.timer.laps ?? [];
  }

  get live(): LiveLapState | null {
    return this.chosen?.timer.live ?? null;
  }

  get candidateIds(): string[] {
    return this.candidates.map((c) => c.track.id);
  }

  push(fix: TimingFix): ChooserEvent[] {
    const prev = this.prev;
    if (prev && !(fix.t > prev.t)) return [];
    this.prev = fix;
    const moving = prev !== null && this.isMoving(prev, fix);
    if (moving) this.drivingMs += fix.t - prev.t;
    let started: Decision | null = null;
    if (fix.t - this.lastReachT >= REACH_CHECK_MS) {
      this.lastReachT = fix.t;
      started = this.addCandidatesNear(fix);
    }
    // The path is sampled every few metres: its length is the odometer, steady against receiver jitter.
    const stepM = this.lastSample ? haversineM(this.lastSample, fix) : Infinity;
    if (moving && stepM >= (this.options.sampleEveryM ?? 5)) {
      if (this.lastSample) this.odoM += stepM;
      for (const c of this.candidates) c.sample(fix, this.lastSample);
      this.lastSample = fix;
    }
    const fits: ChooserCandidate[] = [];
    let chosenEvents: LapEvent[] = [];
    // Standing fixes are not timed: GNSS noise around a car parked on a line would cross it.
    if (moving) {
      const standing = prev !== this.timedPrev ? prev : null;
      this.timedPrev = fix;
      for (const c of this.candidates) {
        const { events, fit } = c.push(fix, this.odoM, standing);
        if (fit) fits.push(c);
        if (c === this.chosen) chosenEvents = events;
      }
    }
    const decision = this.decide(fits) ?? started;
    if (decision) {
      const switched = decision.candidate !== this.chosen;
      const change = this.choose(decision.candidate, decision.reason, fix.t);
      // The change carries every lap so far: the new layout's events of this fix, less its lap, lead up to it.
      const events = !switched ? chosenEvents : moving ? decision.candidate.lastEvents : [];
      return [...this.timing(events.filter((e) => e.type !== 'lap')), { type: 'track', change }];
    }
    return this.timing(chosenEvents);
  }

  private timing(events: LapEvent[]): ChooserEvent[] {
    const id = this.chosen?.track.id;
    return id ? events.map((event) => ({ type: 'timing', trackId: id, event })) : [];
  }

  private isMoving(prev: TimingFix, fix: TimingFix): boolean {
    const speed = fix.speedMps ?? (haversineM(prev, fix) / (fix.t - prev.t)) * 1000;
    return speed >= (this.options.movingMps ?? 2.5);
  }

  private addCandidatesNear(p: LatLon): Decision | null {
    const reachM = this.options.reachM ?? 2_000;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const track = this.pending[i]!;
      const line = midpoint(track.startFinish.a, track.startFinish.b);
      let d = haversineM(p, line);
      if (d > reachM && d < OUTLINE_SEARCH_M && track.outline) d = new OutlineFit(track.outline, line).meanDistanceM([p]);
      if (d > reachM) continue;
      this.pending.splice(i, 1);
      this.candidates.push(new ChooserCandidate(track, this.rules, this.options.timer ?? {}));
    }
    if (this.chosen || this.candidates.length === 0) return null;
    const nearest = [...this.candidates].sort((a, b) => lineDistance(a, p) - lineDistance(b, p))[0]!;
    return { candidate: nearest, reason: 'provisional' };
  }

  private decide(fits: ChooserCandidate[]): Decision | null {
    const chosen = this.chosen;
    if (!chosen) return null;
    if (fits.length > 0 && !this.confirmed) return { candidate: best(fits), reason: 'lap' };
    if (fits.includes(chosen)) this.provenOdoM = this.odoM;
    const challengers = fits.filter((c) => c !== chosen && this.beats(c, chosen));
    if (challengers.length > 0) return { candidate: best(challengers), reason: 'lap' };
    if (!this.confirmed) return this.provisional();
    if (this.odoM - this.provenOdoM <= this.staleM()) return null;
    // Revisit: the chosen layout has closed no fitting lap for longer than any candidate's lap.
    const recent = this.candidates.filter((c) => c !== chosen && (c.lastFit?.endOdoM ?? -Infinity) > this.provenOdoM);
    if (recent.length > 0) return { candidate: best(recent), reason: 'revisit' };
    this.confirmed = false;
    this.provenOdoM = this.odoM;
    return this.provisional();
  }

  /** Whether `c`, which just closed a fit lap, should replace the chosen layout. */
  private beats(c: ChooserCandidate, chosen: ChooserCandidate): boolean {
    const lap = c.lastFit!;
    const own = chosen.lastFit;
    if (!own) return true;
    // The chosen layout closed no fit lap while `c` drove a whole one: the path left it.
    if (own.endOdoM < lap.startOdoM) return true;
    return c.fitOffShare + FIT_MARGIN < chosen.fitOffShare;
  }

  /** Before any lap fits: the layout whose outline the recent path follows, checked every few hundred metres. */
  private provisional(): Decision | null {
    if (this.odoM - this.lastProvisionalOdoM < 250) return null;
    this.lastProvisionalOdoM = this.odoM;
    const leader = [...this.candidates].sort((a, b) => a.recentOff - b.recentOff)[0];
    if (!leader || !this.chosen || leader.recentOff + PROVISIONAL_MARGIN > this.chosen.recentOff) return null;
    return { candidate: leader, reason: 'provisional' };
  }

  private staleM(): number {
    return 1.1 * Math.max(...this.candidates.map((c) => c.track.lengthM));
  }

  private choose(c: ChooserCandidate, reason: ChoiceReason, t: number): TrackChange {
    const change: TrackChange = {
      t,
      track: c.track,
      previousId: this.chosen?.track.id ?? null,
      reason,
      laps: [...c.timer.laps],
      drivingS: this.drivingMs / 1000,
    };
    this.chosen = c;
    this.confirmed = reason !== 'provisional';
    this.provenOdoM = this.odoM;
    this.changes.push(change);
    return change;
  }
}

function lineDistance(c: ChooserCandidate, p: LatLon): number {
  return haversineM(p, midpoint(c.track.startFinish.a, c.track.startFinish.b));
}

/** The closest match among candidates that closed a fit lap. */
function best(cs: ChooserCandidate[]): ChooserCandidate {
  const key = (c: ChooserCandidate) => c.lastFit as FitLap;
  return [...cs].sort((a, b) => a.fitOffShare - b.fitOffShare || key(a).offShare - key(b).offShare || key(a).lengthError - key(b).lengthError)[0]!;
}

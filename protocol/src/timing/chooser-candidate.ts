import type { TrackDefinition } from '../tracks/track-definition.js';
import { midpoint, type LatLon, type Xy } from './geo.js';
import { LapTimer, type Lap, type LapEvent, type LapTimerOptions, type TimingFix } from './lap-timer.js';
import { OutlineFit } from './outline-fit.js';

export interface FitRules {
  /** A path sample farther than this from the outline (or against its direction) is off it. */
  offOutlineM: number;
  /** A lap fits when at most this share of its samples is off the outline... */
  maxOffShare: number;
  /** ...and its length is within this fraction of the nominal length. */
  lengthTolerance: number;
}

/** A lap that closed on the candidate's line with a length near its own and the path on its outline. */
export interface FitLap {
  lap: Lap;
  /** Driving odometer (metres while moving) when the lap started and ended. */
  startOdoM: number;
  endOdoM: number;
  offShare: number;
  lengthError: number;
}

/** How fast the fastest car could drive a lap: shorter laps are line wobbles, not laps. */
const FASTEST_MPS = 50;
/** The sample memory of the running off-outline share used before any lap closed, in samples. */
const RECENT_SAMPLES = 60;

/**
 * One layout timed alongside the others: its own lap timer, and how well the driven path fits
 * its outline, per lap and over the recent path.
 */
export class ChooserCandidate {
  readonly timer: LapTimer;
  readonly fits: FitLap[] = [];
  /** The timer's events from the last fix. */
  lastEvents: LapEvent[] = [];
  /** Off-outline share over the recent path (exponential memory); 1 until the first sample. */
  recentOff = 1;
  /** Samples and off samples over every fit lap. */
  fitSamples = 0;
  fitOff = 0;
  private readonly outline: OutlineFit | null;
  private lapSamples = 0;
  private lapOff = 0;
  private lapStartOdoM = 0;
  private sampled = 0;

  constructor(
    readonly track: TrackDefinition,
    private readonly rules: FitRules,
    timerOptions: LapTimerOptions,
  ) {
    const minLapMs = Math.min(timerOptions.minLapMs ?? 20_000, (track.lengthM / FASTEST_MPS) * 1000);
    this.timer = new LapTimer(track, { ...timerOptions, minLapMs });
    const origin = midpoint(track.startFinish.a, track.startFinish.b);
    this.outline = track.outline && track.outline.length >= 3 ? new OutlineFit(track.outline, origin) : null;
  }

  get lastFit(): FitLap | null {
    return this.fits.at(-1) ?? null;
  }

  /** Off share over every fit lap: lower is a closer match. */
  get fitOffShare(): number {
    return this.fitSamples === 0 ? 1 : this.fitOff / this.fitSamples;
  }

  /** One path sample (taken every few metres of driving). */
  sample(p: LatLon, motion: LatLon | null): void {
    let off = true;
    if (this.outline) {
      const proj = this.outline.projection;
      const q = proj.toXy(p);
      let m: Xy | null = null;
      if (motion) {
        const o = proj.toXy(motion);
        m = { x: q.x - o.x, y: q.y - o.y };
      }
      const d = this.outline.measure(q, m, this.rules.offOutlineM);
      off = d.distanceM > this.rules.offOutlineM || d.against;
    }
    this.lapSamples++;
    if (off) this.lapOff++;
    this.sampled = Math.min(this.sampled + 1, RECENT_SAMPLES);
    this.recentOff += ((off ? 1 : 0) - this.recentOff) / this.sampled;
  }

  /**
   * Feeds the fix to the timer (`standing`: the fix before it was not timed, the car stood);
   * returns the timer's events and the fit lap it closed, if any.
   */
  push(fix: TimingFix, odoM: number, standing: TimingFix | null): { events: LapEvent[]; fit: FitLap | null } {
    if (standing) this.timer.resume(standing);
    const events = this.timer.push(fix);
    this.lastEvents = events;
    let fit: FitLap | null = null;
    for (const e of events) {
      if (e.type === 'lap') fit = this.judge(e.lap, odoM);
      if (e.type === 'lap-start') {
        this.lapSamples = 0;
        this.lapOff = 0;
        this.lapStartOdoM = odoM;
      }
    }
    return { events, fit };
  }

  private judge(lap: Lap, odoM: number): FitLap | null {
    if (this.lapSamples === 0) return null;
    const offShare = this.lapOff / this.lapSamples;
    // The odometer, not the lap's fix-to-fix distance: at high rates receiver jitter lengthens that.
    const lengthError = Math.abs(odoM - this.lapStartOdoM - this.track.lengthM) / this.track.lengthM;
    if (offShare > this.rules.maxOffShare || lengthError > this.rules.lengthTolerance) return null;
    const fit = { lap, startOdoM: this.lapStartOdoM, endOdoM: odoM, offShare, lengthError };
    this.fits.push(fit);
    this.fitSamples += this.lapSamples;
    this.fitOff += this.lapOff;
    return fit;
  }
}

/**
 * The unit's data path: GNSS fixes -> track picker -> lap timer -> session recorder, with the
 * IMU sampled at its full rate alongside. Emits live `timing` (throttled) and `lap` events for
 * GET /v1/live. On boot, a session a crash left open is resumed if the unit is moving at its
 * first fix with a speed, else closed with a summary.
 */
import { EventEmitter } from 'node:events';
import { LapTimer, pickTrack, type LapEvent, type LiveLap, type LiveTiming, type SessionData, type SessionEvent, type SessionFix, type TrackDefinition } from '@pitwall/protocol';
import type { GnssFix } from './nmea-decoder.js';
import type { SessionRecorder } from './session-recorder.js';
import type { SessionStore } from './session-store.js';
import type { ImuFeed } from '../hal/imu/imu-feed.js';
import type { Logger } from '../ops/logger.js';

export interface DataPathEvents {
  timing: [LiveTiming];
  lap: [LiveLap];
}

export interface DataPathDeps {
  tracks: readonly TrackDefinition[];
  recorder: SessionRecorder;
  store: SessionStore;
  imu: ImuFeed | null;
  startKmh: number;
  log: Logger;
  /** Longest wait for a fix with a speed before an unfinished session is closed. Default 15 s. */
  bootDecisionMs?: number;
}

const TIMING_MIN_GAP_MS = 200;
const PICK_EVERY_MS = 1000;
const iso = (t: number) => new Date(t).toISOString();

export function toSessionFix(f: GnssFix): SessionFix {
  return { t: f.timeMs, fix: f.fix, lat: f.lat, lon: f.lon, altM: f.altM, speedMps: f.speedMps, courseDeg: f.courseDeg, satellites: f.satellites, hdop: f.hdop };
}

function toSessionEvent(e: LapEvent): SessionEvent {
  if (e.type !== 'lap') return e;
  const l = e.lap;
  return { type: 'lap', lap: l.number, t: l.endT, timeMs: l.timeMs, sectorsMs: l.sectorsMs, distanceM: l.distanceM, best: e.best };
}

export class DataPath extends EventEmitter<DataPathEvents> {
  private track: TrackDefinition | null = null;
  /** Picked by position only: judged again by the first lap's length (layouts of a venue share or nearly share a line). */
  private provisional = false;
  private timer: LapTimer | null = null;
  private lastPickT = -Infinity;
  /** Laps completed before the timer was replaced (the track re-picked): numbering carries on. */
  private lapBase = 0;
  private lastTimingWall = -Infinity;
  /** Deliveries held back while an unfinished session's fate is decided. */
  private held: (() => void)[] | null = null;

  constructor(private readonly deps: DataPathDeps) {
    super();
    this.setMaxListeners(0);
  }

  get trackId(): string | null {
    return this.track?.id ?? null;
  }

  /** Call once before the first fix. */
  async boot(): Promise<void> {
    await this.deps.imu?.init();
    const unfinished = this.deps.store.unfinished();
    if (unfinished.length === 0) return;
    this.held = [];
    let decided = false;
    let timeout: NodeJS.Timeout | undefined = undefined;
    const decide = async (moving: boolean) => {
      clearTimeout(timeout);
      if (this.held === null || decided) return;
      decided = true;
      const newest = unfinished.at(-1)!;
      for (const m of unfinished) {
        try {
          if (moving && m === newest) this.restore(await this.deps.recorder.resume(m.id));
          else await this.deps.recorder.closeUnfinished(m.id);
        } catch (err) {
          this.deps.log.error(`unfinished session ${m.id}: ${(err as Error).message}`);
        }
      }
      const held = this.held;
      this.held = null;
      for (const deliver of held) deliver();
    };
    this.decideBoot = (fix) => void decide((fix.speedMps ?? 0) * 3.6 >= this.deps.startKmh);
    timeout = setTimeout(() => void decide(false), this.deps.bootDecisionMs ?? 15_000);
    timeout.unref();
  }

  private decideBoot: ((fix: SessionFix) => void) | null = null;

  /** Feeds one GNSS epoch (the reader's `fix` event). */
  onFix(gnss: GnssFix): void {
    const fix = toSessionFix(gnss);
    if (this.decideBoot && fix.fix !== 'none' && fix.speedMps !== null) {
      const decide = this.decideBoot;
      this.decideBoot = null;
      decide(fix);
    }
    const positioned = fix.fix !== 'none' && fix.lat !== null && fix.lon !== null;
    if (positioned) this.pickIfDue(fix);
    const events = positioned && this.timer ? this.timer.push({ t: fix.t, lat: fix.lat!, lon: fix.lon! }).map((e) => this.rebase(e)) : [];
    const trackId = this.trackId;
    this.deliver(() => {
      this.deps.recorder.addFix(fix, trackId);
      for (const e of events) this.deps.recorder.addEvent(toSessionEvent(e), e.type === 'lap' ? e.lap : undefined);
    });
    if (positioned) {
      void this.deps.imu?.push({ t: fix.t, lat: fix.lat!, lon: fix.lon!, speedMps: fix.speedMps, courseDeg: fix.courseDeg }, (s) => this.deliver(() => this.deps.recorder.addImu(s)));
    }
    for (const e of events) if (e.type === 'lap') this.onLap(e);
    this.emitTiming(fix);
  }

  private rebase(e: LapEvent): LapEvent {
    if (this.lapBase === 0) return e;
    return e.type === 'lap' ? { ...e, lap: { ...e.lap, number: e.lap.number + this.lapBase } } : { ...e, lap: e.lap + this.lapBase };
  }

  private deliver(fn: () => void): void {
    if (this.held) this.held.push(fn);
    else fn();
  }

  private pickIfDue(fix: SessionFix): void {
    if (this.track || fix.t - this.lastPickT < PICK_EVERY_MS) return;
    this.lastPickT = fix.t;
    const pick = pickTrack(this.deps.tracks, { position: { lat: fix.lat!, lon: fix.lon! } });
    if (!pick.track) return;
    this.setTrack(pick.track, true);
  }

  private setTrack(track: TrackDefinition, provisional: boolean): void {
    this.track = track;
    this.provisional = provisional;
    this.timer = new LapTimer(track);
    this.deps.log.info(`track ${track.id}${provisional ? ' (by position; the first lap length confirms it)' : ''}`);
  }

  private onLap(e: Extract<LapEvent, { type: 'lap' }>): void {
    const lap = e.lap;
    if (this.provisional && this.track) {
      this.provisional = false;
      const pick = pickTrack(this.deps.tracks, { position: this.track.startFinish.a, lapLengthM: lap.distanceM });
      if (pick.track && pick.reason === 'lap-length' && pick.track.id !== this.track.id) {
        const timer = this.timer;
        this.lapBase = lap.number;
        this.setTrack(pick.track, false);
        if (timer) this.timer!.setReference(lap.timeMs, timer.referenceTrace());
      }
    }
    this.emit('lap', {
      trackId: this.trackId,
      lap: lap.number,
      startTime: iso(lap.startT),
      endTime: iso(lap.endT),
      timeMs: lap.timeMs,
      sectorsMs: lap.sectorsMs,
      distanceM: lap.distanceM,
      best: e.best,
      sessionId: this.deps.recorder.sessionId,
    });
  }

  private emitTiming(fix: SessionFix): void {
    if (!this.timer || this.listenerCount('timing') === 0) return;
    const now = performance.now();
    if (now - this.lastTimingWall < TIMING_MIN_GAP_MS) return;
    this.lastTimingWall = now;
    const s = this.timer.live;
    this.emit('timing', {
      time: iso(fix.t),
      trackId: this.trackId,
      lap: s.lap === 0 ? 0 : s.lap + this.lapBase,
      elapsedMs: s.elapsedMs,
      sector: s.sector,
      sectorElapsedMs: s.sectorElapsedMs,
      distanceM: s.distanceM,
      lastLapMs: s.lastLapMs,
      bestLapMs: s.bestLapMs,
      deltaMs: s.deltaMs,
      predictedLapMs: s.predictedLapMs,
      sessionId: this.deps.recorder.sessionId,
    });
  }

  /** After a resume: the lap timer replays the file's fixes, so the lap in progress and the best lap carry on. */
  private restore(data: SessionData): void {
    const track = this.deps.tracks.find((t) => t.id === (data.summary?.trackId ?? data.header.trackId));
    if (!track) return;
    this.setTrack(track, false);
    for (const f of data.fixes) if (f.fix !== 'none' && f.lat !== null && f.lon !== null) this.timer!.push({ t: f.t, lat: f.lat, lon: f.lon });
  }
}

/**
 * The unit's data path: GNSS fixes -> track chooser (lap timers) -> session recorder, with the
 * IMU sampled at its full rate alongside. Emits live `timing` (throttled) and `lap` events for
 * GET /v1/live. On boot, a session a crash left open is resumed if the unit is moving at its
 * first fix with a speed, else closed with a summary.
 */
import { EventEmitter } from 'node:events';
import { TrackChooser, trackDisplayName, type ChooserEvent, type Lap, type TrackChange, type LapEvent, type LiveLap, type LiveTiming, type SessionData, type SessionEvent, type SessionFix, type TrackDefinition } from '@pitwall/protocol';
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
const iso = (t: number) => new Date(t).toISOString();

export function toSessionFix(f: GnssFix): SessionFix {
  return { t: f.timeMs, fix: f.fix, lat: f.lat, lon: f.lon, altM: f.altM, speedMps: f.speedMps, courseDeg: f.courseDeg, satellites: f.satellites, hdop: f.hdop };
}

const lapEvent = (l: Lap, best: boolean) => ({ type: 'lap' as const, lap: l.number, t: l.endT, timeMs: l.timeMs, sectorsMs: l.sectorsMs, distanceM: l.distanceM, best });

/** The laps with each one's "fastest so far" flag. */
function withBest(laps: readonly Lap[]): { lap: Lap; best: boolean }[] {
  let best = Infinity;
  return laps.map((lap) => {
    const isBest = lap.timeMs < best;
    best = Math.min(best, lap.timeMs);
    return { lap, best: isBest };
  });
}

function toSessionEvent(e: ChooserEvent): SessionEvent {
  if (e.type === 'track') {
    const c = e.change;
    return { type: 'track', t: c.t, trackId: c.track.id, reason: c.reason, laps: withBest(c.laps).map((l) => lapEvent(l.lap, l.best)) };
  }
  const l: LapEvent = e.event;
  return l.type === 'lap' ? lapEvent(l.lap, l.best) : l;
}

export class DataPath extends EventEmitter<DataPathEvents> {
  /** Times every layout within reach side by side until the driven path decides (see protocol's track-chooser). */
  private chooser: TrackChooser;
  private lastTimingWall = -Infinity;
  /** Laps of the current layout sent as live `lap` events. */
  private liveLaps = 0;
  /** Deliveries held back while an unfinished session's fate is decided. */
  private held: (() => void)[] | null = null;

  constructor(private readonly deps: DataPathDeps) {
    super();
    this.setMaxListeners(0);
    this.chooser = new TrackChooser(deps.tracks);
  }

  get trackId(): string | null {
    return this.chooser.track?.id ?? null;
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
    const events = positioned ? this.chooser.push({ t: fix.t, lat: fix.lat!, lon: fix.lon!, speedMps: fix.speedMps ?? undefined }) : [];
    const trackId = this.trackId;
    this.deliver(() => {
      this.deps.recorder.addFix(fix, trackId);
      for (const e of events) this.deps.recorder.addEvent(toSessionEvent(e));
    });
    if (positioned) {
      void this.deps.imu?.push({ t: fix.t, lat: fix.lat!, lon: fix.lon!, speedMps: fix.speedMps, courseDeg: fix.courseDeg }, (s) => this.deliver(() => this.deps.recorder.addImu(s)));
    }
    for (const e of events) {
      if (e.type === 'track') this.onTrack(e.change);
      else if (e.event.type === 'lap') this.onLap(e.trackId, e.event.lap, e.event.best);
    }
    this.emitTiming(fix);
  }

  private trackName(id: string | null): string | null {
    const t = id ? this.deps.tracks.find((x) => x.id === id) : undefined;
    return t ? trackDisplayName(t) : null;
  }

  private deliver(fn: () => void): void {
    if (this.held) this.held.push(fn);
    else fn();
  }

  /** A decision: live `lap` events for the laps re-timed on a new layout (consumers see the layout change). */
  private onTrack(c: TrackChange): void {
    const same = c.previousId === c.track.id;
    const what = c.reason === 'provisional' ? 'nearest; laps will decide' : same ? 'confirmed by a lap' : `${c.reason}; ${c.laps.length} laps re-timed`;
    this.deps.log.info(`track ${c.track.id} (${what}) after ${c.drivingS.toFixed(0)} s of driving`);
    if (!same) this.liveLaps = 0;
    for (const l of withBest(c.laps).slice(this.liveLaps)) this.onLap(c.track.id, l.lap, l.best);
  }

  private onLap(trackId: string, lap: Lap, best: boolean): void {
    this.liveLaps++;
    this.emit('lap', {
      trackId,
      trackName: this.trackName(trackId),
      lap: lap.number,
      startTime: iso(lap.startT),
      endTime: iso(lap.endT),
      timeMs: lap.timeMs,
      sectorsMs: lap.sectorsMs,
      distanceM: lap.distanceM,
      best,
      sessionId: this.deps.recorder.sessionId,
    });
  }

  private emitTiming(fix: SessionFix): void {
    const s = this.chooser.live;
    if (!s || this.listenerCount('timing') === 0) return;
    const now = performance.now();
    if (now - this.lastTimingWall < TIMING_MIN_GAP_MS) return;
    this.lastTimingWall = now;
    this.emit('timing', {
      time: iso(fix.t),
      trackId: this.trackId,
      trackName: this.trackName(this.trackId),
      lap: s.lap,
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

  /** After a resume: the chooser replays the file's fixes, so the layout, the lap in progress and the best lap carry on. */
  private restore(data: SessionData): void {
    this.chooser = new TrackChooser(this.deps.tracks);
    for (const f of data.fixes) {
      if (f.fix !== 'none' && f.lat !== null && f.lon !== null) this.chooser.push({ t: f.t, lat: f.lat, lon: f.lon, speedMps: f.speedMps ?? undefined });
    }
    this.liveLaps = this.chooser.laps.length;
  }
}

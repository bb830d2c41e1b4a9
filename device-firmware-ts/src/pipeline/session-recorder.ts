/**
 * Starts and stops sessions: by motion (moving at or above `startKmh` for `startS` starts,
 * below it for `stopS` ends; receiver time, so a sped-up replay behaves like the road) or on
 * request. A manual stop holds off the automatic start until the unit has been stopped for
 * `stopS`. The lead-in that proved motion is kept and written at the start of the session.
 */
import { readFile } from 'node:fs/promises';
import { decodeSession, type SessionData, type SessionEvent, type SessionFix, type SessionHeader, type SessionImuSample, type SessionMeta } from '@pitwall/protocol';
import { SessionWriter } from './session-writer.js';
import { metaFromData, newSessionId, type SessionStore } from './session-store.js';
import type { Logger } from '../ops/logger.js';

export interface RecorderOptions {
  auto: boolean;
  startKmh: number;
  startS: number;
  stopS: number;
  unitId: string;
  firmwareVersion: string;
  imu: SessionHeader['imu'];
  /** Writer flush interval (data and wall time), ms. */
  flushIntervalMs?: number;
  trackName: (trackId: string) => string | null;
}

interface Open {
  writer: SessionWriter;
  meta: SessionMeta;
  startT: number;
  lastT: number;
  trackId: string | null;
  manual: boolean;
}

export class RecorderError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class SessionRecorder {
  private open: Open | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  private transitioning = false;
  private movingSince: number | null = null;
  private stoppedSince: number | null = null;
  private autoHeld = false;
  private lead: { fixes: SessionFix[]; imu: SessionImuSample[] } = { fixes: [], imu: [] };
  private lastFixT: number | null = null;
  private gnssIntervals: number[] = [];

  constructor(
    private readonly store: SessionStore,
    private readonly opts: RecorderOptions,
    private readonly log: Logger,
  ) {}

  get current(): SessionMeta | null {
    return this.open ? this.open.meta : null;
  }

  get sessionId(): string | null {
    return this.open?.meta.id ?? null;
  }

  /** True while the last fixes say the unit is moving. */
  get moving(): boolean {
    return this.movingSince !== null;
  }

  /** Receives every fix (trackId: the track known now). */
  addFix(fix: SessionFix, trackId: string | null): void {
    if (this.lastFixT !== null && fix.t > this.lastFixT) {
      this.gnssIntervals.push(fix.t - this.lastFixT);
      if (this.gnssIntervals.length > 25) this.gnssIntervals.shift();
    }
    this.lastFixT = fix.t;
    this.motion(fix);
    if (this.open) {
      this.open.writer.addFix(fix);
      this.open.lastT = fix.t;
      this.open.trackId = trackId ?? this.open.trackId;
      this.refreshMeta();
    } else {
      this.lead.fixes.push(fix);
      if (!this.transitioning) this.trimLead(fix.t); // a starting session takes the whole lead
    }
    if (!this.opts.auto || this.transitioning) return;
    if (!this.open && !this.autoHeld && this.movingSince !== null && fix.t - this.movingSince >= this.opts.startS * 1000) {
      this.transitioning = true; // until the start runs: later fixes must not start it again
      void this.start(false, trackId).catch((err: Error) => this.log.error(`auto start: ${err.message}`));
    } else if (this.open && !this.open.manual && this.stoppedSince !== null && fix.t - this.stoppedSince >= this.opts.stopS * 1000) {
      this.transitioning = true;
      void this.stop().catch((err: Error) => this.log.error(`auto stop: ${err.message}`));
    }
  }

  addImu(sample: SessionImuSample): void {
    if (this.open) this.open.writer.addImu(sample);
    else this.lead.imu.push(sample);
  }

  addEvent(event: SessionEvent): void {
    if (!this.open) return;
    this.open.writer.addEvent(event);
    const m = this.open.meta;
    if (event.type === 'lap') {
      this.open.meta = { ...m, laps: m.laps + 1, bestLapMs: m.bestLapMs === null ? event.timeMs : Math.min(m.bestLapMs, event.timeMs) };
    } else if (event.type === 'track') {
      // The chooser changed its mind: the laps so far are re-timed on the new layout.
      const best = event.laps.reduce<number | null>((b, l) => (b === null || l.timeMs < b ? l.timeMs : b), null);
      this.open.meta = { ...m, laps: event.laps.length, bestLapMs: best };
      this.open.trackId = event.trackId;
    }
  }

  private motion(fix: SessionFix): void {
    if (fix.fix === 'none' || fix.speedMps === null) return;
    if (fix.speedMps * 3.6 >= this.opts.startKmh) {
      this.movingSince ??= fix.t;
      this.stoppedSince = null;
    } else {
      this.stoppedSince ??= fix.t;
      this.movingSince = null;
      if (fix.t - this.stoppedSince >= this.opts.stopS * 1000) this.autoHeld = false;
    }
  }

  private trimLead(t: number): void {
    const keepFrom = t - (this.opts.startS + 1) * 1000;
    while ((this.lead.fixes[0]?.t ?? Infinity) < keepFrom) this.lead.fixes.shift();
    let drop = 0;
    while (drop < this.lead.imu.length && this.lead.imu[drop]!.t < keepFrom) drop++;
    if (drop) this.lead.imu.splice(0, drop);
  }

  private refreshMeta(): void {
    const o = this.open!;
    const track = o.trackId ? { id: o.trackId, name: this.opts.trackName(o.trackId) ?? o.trackId } : null;
    o.meta = { ...o.meta, track, durationS: Math.round((o.lastT - o.startT) / 100) / 10, sizeB: o.writer.bytes };
    this.store.update(o.meta);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(async () => {
      this.transitioning = true;
      try {
        return await fn();
      } finally {
        this.transitioning = false;
      }
    });
    this.busy = run.catch(() => {});
    return run;
  }

  start(manual: boolean, trackId: string | null): Promise<SessionMeta> {
    return this.serial(async () => {
      if (this.open) throw new RecorderError('already-recording', `session ${this.open.meta.id} is recording`);
      const lead = this.lead;
      const first = lead.fixes[0]?.t ?? lead.imu[0]?.t ?? this.lastFixT;
      if (first === null) throw new RecorderError('no-gnss', 'no GNSS data yet: a session starts at the first fix');
      const id = newSessionId(first);
      const sorted = [...this.gnssIntervals].sort((a, b) => a - b);
      const interval = sorted[sorted.length >> 1];
      const header: SessionHeader = {
        format: 'pitwall-session',
        version: 1,
        sessionId: id,
        unitId: this.opts.unitId,
        firmwareVersion: this.opts.firmwareVersion,
        startedAt: new Date(first).toISOString(),
        trackId,
        driver: null,
        gnssRateHz: interval ? Math.min(100, Math.round(10_000 / interval) / 10) : 0,
        imu: this.opts.imu,
      };
      const writer = await SessionWriter.create(this.store.path(id), header, { flushIntervalMs: this.opts.flushIntervalMs });
      const meta: SessionMeta = { id, track: null, start: header.startedAt, durationS: 0, laps: 0, bestLapMs: null, sizeB: writer.bytes, sha256: null, state: 'recording', confirmed: false };
      // Samples that arrived while the file was being created are in the lead too.
      this.lead = { fixes: [], imu: [] };
      for (const f of lead.fixes) writer.addFix(f);
      for (const s of lead.imu) writer.addImu(s);
      this.open = { writer, meta, startT: first, lastT: lead.fixes.at(-1)?.t ?? first, trackId, manual };
      this.refreshMeta();
      this.log.info(`session ${id} started (${manual ? 'on request' : 'moving'})`);
      return this.open.meta;
    });
  }

  /** Ends the open session with a summary (manual: hold off the automatic start). */
  stop(manual = false): Promise<SessionMeta> {
    return this.serial(async () => {
      const o = this.open;
      if (!o) throw new RecorderError('not-recording', 'no session is recording');
      if (manual) this.autoHeld = true;
      this.open = null;
      await o.writer.close({ endedAt: new Date(o.lastT).toISOString(), laps: o.meta.laps, bestLapMs: o.meta.bestLapMs, trackId: o.trackId });
      const closed = await this.store.markClosed(o.meta.id, { ...o.meta, durationS: Math.round((o.lastT - o.startT) / 100) / 10 });
      this.log.info(`session ${closed.id} closed: ${closed.laps} laps, ${closed.sizeB} bytes`);
      return closed;
    });
  }

  /** Reopens a session a crash left open; returns its data so the caller can restore lap timing. */
  resume(id: string): Promise<SessionData> {
    return this.serial(async () => {
      const path = this.store.path(id);
      const writer = await SessionWriter.resume(path, { flushIntervalMs: this.opts.flushIntervalMs });
      const data = decodeSession(new Uint8Array(await readFile(path)));
      const meta = metaFromData(id, data, writer.bytes, this.opts.trackName);
      const startT = Date.parse(data.header.startedAt);
      this.open = { writer, meta, startT, lastT: data.fixes.at(-1)?.t ?? startT, trackId: data.header.trackId, manual: false };
      this.lead = { fixes: [], imu: [] };
      this.refreshMeta();
      this.log.info(`session ${id} resumed at byte ${writer.bytes} (${data.stats.tornBytes} torn bytes cut)`);
      return data;
    });
  }

  /** Closes a session a crash left open, with a summary from its own contents. */
  closeUnfinished(id: string): Promise<SessionMeta> {
    return this.serial(async () => {
      const path = this.store.path(id);
      const writer = await SessionWriter.resume(path);
      const data = decodeSession(new Uint8Array(await readFile(path)));
      const meta = metaFromData(id, data, writer.bytes, this.opts.trackName);
      const end = Math.max(data.fixes.at(-1)?.t ?? 0, data.imu.at(-1)?.t ?? 0, Date.parse(data.header.startedAt));
      await writer.close({ endedAt: new Date(end).toISOString(), laps: meta.laps, bestLapMs: meta.bestLapMs, trackId: data.header.trackId });
      const closed = await this.store.markClosed(id, meta);
      this.log.info(`session ${id} left open by a restart while stopped: closed`);
      return closed;
    });
  }

  /** Resolves when no start or stop is in progress. */
  async idle(): Promise<void> {
    await this.busy;
  }

  /** Graceful shutdown: everything durable, the file left open (the next boot resumes or closes it). */
  async shutdown(): Promise<void> {
    await this.busy;
    const o = this.open;
    this.open = null;
    if (o) await o.writer.close();
  }
}

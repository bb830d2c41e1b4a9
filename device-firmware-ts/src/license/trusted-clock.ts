import { readFile } from 'node:fs/promises';
import { LICENSE_ISSUED_SKEW_MS, type TrustedClock as TrustedClockReading } from '@pitwall/protocol';
import { removeStaleTemps, writeFileAtomic } from '@pitwall/protocol/node';

/**
 * The unit's idea of "now" for licensing, which a cheater setting the clock back cannot move.
 *
 * - GNSS time is trusted once a fix with a date has told it (projected forward with the
 *   monotonic clock between fixes).
 * - The latest time seen is monotonic: it advances with the monotonic clock, takes any later
 *   trusted time (GNSS, the system clock, a vendor-signed `issued`), and never moves back. It is
 *   persisted crash-safely (write-fsync-rename) so a reboot, a power cut or a slot change cannot
 *   move it back either; it lags by at most one save interval.
 * - The system clock counts when it is not behind the latest time seen; behind it by more than
 *   the tolerance (5 minutes, the licence's `issued` skew) is tampering: recorded, audited by the
 *   caller, and the licence counts from the latest time seen instead.
 */
export const CLOCK_TAMPER_TOLERANCE_MS = LICENSE_ISSUED_SKEW_MS;

export interface ClockSources {
  /** The system clock (the RTC / NTP time), ms since the Unix epoch. */
  systemMs(): number;
  /** A monotonic clock in ms (never jumps; restarts at boot). */
  monoMs(): number;
}

export const realClockSources: ClockSources = { systemMs: () => Date.now(), monoMs: () => performance.now() };

interface Anchor {
  ms: number;
  mono: number;
}

interface Saved {
  latestMs: number;
  tamperedAtMs: number | null;
}

export interface ClockReading extends TrustedClockReading {
  nowMs: number;
  /** Why it is tampered, for the audit record. */
  tamperReason: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class TrustedClock {
  private latest: Anchor;
  private gnss: Anchor | null = null;
  private savedMs: number;
  private tampered = false;
  private saving: Promise<void> = Promise.resolve();
  private savedTamperAt: number | null;

  private constructor(
    private readonly file: string,
    saved: Saved,
    private tamperedAtMs: number | null,
    private readonly src: ClockSources,
    /** Why the record could not be read (a damaged record counts as tampering). */
    private readonly damaged: string | null,
  ) {
    this.latest = { ms: saved.latestMs, mono: src.monoMs() };
    this.savedMs = saved.latestMs;
    this.savedTamperAt = tamperedAtMs;
  }

  /** Reads the latest time seen from `file` (none yet: the epoch, so the system clock counts). */
  static async open(file: string, src: ClockSources = realClockSources): Promise<TrustedClock> {
    await removeStaleTemps(file);
    let text: string | null = null;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return TrustedClock.fromRecord(file, text, src);
  }

  /** The clock from its record's text, already read (null: none yet). */
  static fromRecord(file: string, text: string | null, src: ClockSources = realClockSources): TrustedClock {
    if (text === null) return new TrustedClock(file, { latestMs: 0, tamperedAtMs: null }, null, src, null);
    try {
      const v = JSON.parse(text) as Partial<Saved>;
      if (typeof v.latestMs !== 'number' || !Number.isSafeInteger(v.latestMs) || v.latestMs < 0) throw new Error('no latestMs');
      const at = typeof v.tamperedAtMs === 'number' && Number.isSafeInteger(v.tamperedAtMs) ? v.tamperedAtMs : null;
      return new TrustedClock(file, { latestMs: v.latestMs, tamperedAtMs: at }, at, src, null);
    } catch (err) {
      // Written atomically, so damage is not a torn write: the disk or a person changed it.
      return new TrustedClock(file, { latestMs: 0, tamperedAtMs: null }, null, src, `the trusted time record was damaged (${(err as Error).message.slice(0, 60)})`);
    }
  }

  /** A fix that carries a date tells the time: trusted from now on, projected with the monotonic clock. */
  observeGnss(timeMs: number): void {
    if (!Number.isFinite(timeMs)) return;
    this.gnss = { ms: timeMs, mono: this.src.monoMs() };
  }

  /** A vendor-signed lower bound on the time (a verified licence's or list's `issued`). */
  observeSigned(ms: number): void {
    const projected = this.projectedLatest();
    if (ms > projected) this.latest = { ms, mono: this.src.monoMs() };
  }

  /** When tampering was last found (kept across reboots), or null. */
  tamperedAt(): string | null {
    return this.tamperedAtMs === null ? null : iso(this.tamperedAtMs);
  }

  /** Whether a GNSS time has been seen this boot. */
  hasGnss(): boolean {
    return this.gnss !== null;
  }

  private projectedLatest(): number {
    return this.latest.ms + (this.src.monoMs() - this.latest.mono);
  }

  /** Now, as licensing must judge it; advances the latest time seen. */
  read(): ClockReading {
    const mono = this.src.monoMs();
    const system = this.src.systemMs();
    const latest = this.projectedLatest();
    const gnss = this.gnss ? this.gnss.ms + (mono - this.gnss.mono) : null;
    const candidate = gnss ?? system;
    let source: ClockReading['source'] = gnss !== null ? 'gnss' : 'system';
    let nowMs = candidate;
    if (candidate < latest) {
      nowMs = latest;
      source = 'latest-seen';
    }
    nowMs = Math.floor(nowMs);
    this.latest = { ms: nowMs, mono };
    // The system clock behind what the unit already knows is tampering (a GNSS fix or the latest
    // time seen); a damaged record too, since it can only have been changed behind our back.
    const behind = system < nowMs - CLOCK_TAMPER_TOLERANCE_MS;
    const tampered = behind || this.damaged !== null;
    if (tampered && !this.tampered) this.tamperedAtMs = nowMs;
    this.tampered = tampered;
    const tamperReason = !tampered
      ? null
      : behind
        ? `the system clock (${iso(system)}) is behind the ${source === 'gnss' ? 'GNSS time' : 'latest time seen'} (${iso(nowMs)}); the licence counts from ${iso(nowMs)}`
        : this.damaged;
    return { now: iso(nowMs), nowMs, source, tampered, tamperedAt: this.tamperedAt(), tamperReason };
  }

  /** Persists the latest time seen when it moved (one save at a time, never a lower value). */
  save(): Promise<void> {
    const run = this.saving.then(async () => {
      const latestMs = Math.floor(this.projectedLatest());
      if (latestMs <= this.savedMs && !this.tamperDirty()) return;
      await writeFileAtomic(this.file, JSON.stringify({ latestMs: Math.max(latestMs, this.savedMs), tamperedAtMs: this.tamperedAtMs } satisfies Saved), 0o600);
      this.savedMs = Math.max(latestMs, this.savedMs);
      this.savedTamperAt = this.tamperedAtMs;
    });
    this.saving = run.catch(() => undefined);
    return run;
  }

  private tamperDirty(): boolean {
    return this.tamperedAtMs !== this.savedTamperAt;
  }
}

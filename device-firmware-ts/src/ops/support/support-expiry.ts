import { readFileSync } from 'node:fs';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { writeFileAtomic } from '@pitwall/protocol/node';

/**
 * When support mode ends, kept so that neither a reboot nor a clock step can stretch it.
 *
 * The wall clock is not trusted: a Pi has no RTC and NTP may step it by hours in either
 * direction. Within one boot the end is a point on CLOCK_MONOTONIC (`process.hrtime`, which
 * the kernel never steps and which keeps counting across restarts of the runtime), tagged with
 * the kernel's boot id. After a real reboot the monotonic clock restarts, so the unit falls back
 * to the smaller of two upper bounds: the time that was left at the last checkpoint (written
 * every refresh while on; the time spent powered off is not known, so it is not subtracted)
 * and the wall-clock end minus the wall clock now. A clock stepped back makes the second bound
 * larger but never the first, so it cannot extend support; a clock stepped forward only
 * shortens it.
 */
export const SupportExpiryState = Type.Object(
  {
    v: Type.Literal(1),
    by: Type.Union([Type.Literal('switch'), Type.Literal('owner')]),
    bootId: Type.String({ maxLength: 64 }),
    endMonoMs: Type.Number(),
    /** Time left when this was written (the bound used after a reboot). */
    remainingMs: Type.Number({ minimum: 0 }),
    endWallMs: Type.Number(),
  },
  { additionalProperties: false },
);
export type SupportExpiryState = Static<typeof SupportExpiryState>;

export interface SupportClock {
  monoMs(): number;
  wallMs(): number;
  bootId(): string;
}

function kernelBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // No procfs: every start counts as a reboot (the stricter of the two rules).
    return `unknown-${process.pid}-${Date.now()}`;
  }
}

export const systemClock: SupportClock = {
  monoMs: () => Number(process.hrtime.bigint() / 1_000_000n),
  wallMs: () => Date.now(),
  bootId: (() => {
    let id: string | null = null;
    return () => (id ??= kernelBootId());
  })(),
};

export function startExpiry(by: SupportExpiryState['by'], durationMs: number, clock: SupportClock): SupportExpiryState {
  return { v: 1, by, bootId: clock.bootId(), endMonoMs: clock.monoMs() + durationMs, remainingMs: durationMs, endWallMs: clock.wallMs() + durationMs };
}

/** Milliseconds left (0 = expired), by the rules above. */
export function remainingMs(s: SupportExpiryState, clock: SupportClock): number {
  if (s.bootId === clock.bootId()) return Math.max(0, Math.min(s.endMonoMs - clock.monoMs(), s.remainingMs));
  return Math.max(0, Math.min(s.remainingMs, s.endWallMs - clock.wallMs()));
}

/**
 * The state carried into this boot with the time left now: after a reboot the end is re-anchored
 * on this boot's monotonic clock, so later checkpoints count down from the smaller bound.
 */
export function checkpoint(s: SupportExpiryState, clock: SupportClock): SupportExpiryState {
  const left = remainingMs(s, clock);
  const mono = clock.monoMs();
  return { ...s, bootId: clock.bootId(), endMonoMs: mono + left, remainingMs: left, endWallMs: Math.min(s.endWallMs, clock.wallMs() + left) };
}

/** The stored state file: written atomically (old or new after a power cut, never torn). */
export function expiryFile(file: string) {
  return {
    async load(): Promise<SupportExpiryState | null> {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return null;
      }
      try {
        const json: unknown = JSON.parse(text);
        return Value.Check(SupportExpiryState, json) ? json : null;
      } catch {
        return null;
      }
    },
    async save(s: SupportExpiryState): Promise<void> {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(file, JSON.stringify(s));
    },
    async clear(): Promise<void> {
      await unlink(file).catch(() => undefined);
    },
  };
}

/**
 * Host monotonic time to receiver time, from the fixes as they arrive. A fix reaches the host
 * some time after its receiver time (serial transfer, parsing, a busy event loop), never
 * before, so the fix that came quickest gives the best offset: the largest (fix time - arrival)
 * of the last few seconds. Taking only the latest fix would put each fix's delay, which jitters
 * by 100 ms and more on a loaded machine, into every IMU stamp. A fix whose offset differs from
 * that by more than a second is a jump of the receiver's time (or of the host's): the window
 * starts again from it.
 *
 * Stamps follow the samples' host times (one ODR period apart, or a gap's worth) and are slewed,
 * not stepped, onto host time + offset: a step between two stamps differs from the step between
 * their host times by at most 5%, so a better offset moves the stamps over a few seconds instead
 * of opening a hole or piling samples up. A difference past a second is stepped.
 */
const WINDOW_MS = 10_000;
const JUMP_MS = 1000;
const SLEW = 0.05;

export class ReceiverClock {
  private fixes: { at: number; offset: number }[] = [];
  private last: { host: number; t: number } | null = null;

  /** A fix with receiver time `fixT` arrived at host time `at`. */
  fix(fixT: number, at: number): void {
    const offset = fixT - at;
    const best = this.offset();
    if (best !== null && Math.abs(offset - best) > JUMP_MS) this.fixes = [];
    this.fixes.push({ at, offset });
    while (this.fixes[0]!.at < at - WINDOW_MS) this.fixes.shift();
  }

  /** Receiver time minus host time, or null before the first fix. */
  offset(): number | null {
    let best: number | null = null;
    for (const f of this.fixes) if (best === null || f.offset > best) best = f.offset;
    return best;
  }

  /** The receiver time of a sample taken at host time `host` (after the last one stamped), or null before the first fix. */
  stamp(host: number): number | null {
    const offset = this.offset();
    if (offset === null) return null;
    const target = host + offset;
    const prev = this.last;
    let t = target;
    if (prev && Math.abs(target - prev.t - (host - prev.host)) <= JUMP_MS) {
      const dh = host - prev.host;
      t = Math.min(Math.max(target, prev.t + dh * (1 - SLEW)), prev.t + dh * (1 + SLEW));
    }
    // Never back, so the samples stay in order (a receiver time that jumped back included).
    if (prev && t <= prev.t) t = prev.t + 0.001;
    this.last = { host, t };
    return t;
  }
}

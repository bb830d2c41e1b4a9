/**
 * When the samples of a FIFO drain were taken, in host monotonic time. The chip takes one
 * sample every ODR period; the FIFO says how many, not when. The chip counted them between
 * `asked` and `at` (the status read's request and answer), so the newest was taken after
 * `asked` - period and by `at`. The first drain puts it half a period before `asked`, and later
 * samples continue one period apart. Only a grid that strays more than half a period outside
 * those bounds (the chip's clock runs a little fast or slow against the host's) is moved, just
 * back to that edge; an answer that came late (a busy event loop) moves nothing. After a break (an
 * overrun, a FIFO emptied) the periods between the last sample and the newest that hold no
 * sample are counted as lost: the drain times give the count to within a period or so, and
 * the FIFO's 2-bit time-slot counter (TAG_CNT) gives it modulo 4, which together make it exact.
 */
export interface PlacedSamples {
  /** Host time of each sample, oldest first. */
  times: number[];
  /** Samples lost before these (grid slots skipped). */
  lost: number;
}

export class FifoSampleClock {
  private last: number | null = null;

  constructor(readonly periodMs: number) {}

  /** `n` samples read by a drain whose status was asked at `asked` and answered at `at`; `broken`: samples may be missing before them. */
  /** `skippedMod4`: slots between the last sample and the first of these by TAG_CNT, modulo 4 (null: unknown). */
  place(n: number, asked: number, at: number, broken: boolean, skippedMod4: number | null = null): PlacedSamples {
    const p = this.periodMs;
    if (n === 0) return { times: [], lost: 0 };
    let first: number;
    let lost = 0;
    if (this.last === null) {
      first = asked - p / 2 - (n - 1) * p;
    } else if (broken) {
      const estimate = (asked - p / 2 - this.last) / p - n;
      lost = skippedMod4 === null ? Math.round(estimate) : skippedMod4 + 4 * Math.round((estimate - skippedMod4) / 4);
      lost = Math.max(0, lost);
      first = this.last + (lost + 1) * p;
    } else {
      first = this.last + p;
      const newest = first + (n - 1) * p;
      if (newest > at + p / 2) first -= newest - (at + p / 2);
      else if (newest < asked - (3 * p) / 2) first += asked - (3 * p) / 2 - newest;
    }
    const times = Array.from({ length: n }, (_, i) => first + i * p);
    this.last = times[n - 1]!;
    return { times, lost };
  }
}

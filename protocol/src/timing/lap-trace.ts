/**
 * A lap as distance -> elapsed time, recorded once per fix, for delta-to-best by distance.
 * Distances never decrease. Lookups while driving move forward, so a cursor makes them O(1)
 * amortised instead of a search per fix.
 */
export class LapTrace {
  private readonly distances: number[] = [];
  private readonly elapsed: number[] = [];
  private cursor = 0;

  static of(points: readonly { distanceM: number; elapsedMs: number }[]): LapTrace {
    const trace = new LapTrace();
    for (const p of points) trace.add(p.distanceM, p.elapsedMs);
    return trace;
  }

  get length(): number {
    return this.distances.length;
  }

  get totalDistanceM(): number {
    return this.distances.at(-1) ?? 0;
  }

  get totalMs(): number {
    return this.elapsed.at(-1) ?? 0;
  }

  add(distanceM: number, elapsedMs: number): void {
    const last = this.distances.at(-1);
    if (last !== undefined && distanceM < last) distanceM = last;
    this.distances.push(distanceM);
    this.elapsed.push(elapsedMs);
  }

  /** Back to the start, for the next lap's lookups. */
  rewind(): void {
    this.cursor = 0;
  }

  /**
   * Elapsed time at `distanceM`, linearly interpolated; clamped to the trace's ends; null if
   * the trace is empty.
   */
  elapsedAt(distanceM: number): number | null {
    const n = this.distances.length;
    if (n === 0) return null;
    const d = this.distances;
    if (distanceM <= d[0]!) return this.elapsed[0]!;
    if (distanceM >= d[n - 1]!) return this.elapsed[n - 1]!;
    while (this.cursor > 0 && d[this.cursor]! > distanceM) this.cursor--;
    while (this.cursor < n - 2 && d[this.cursor + 1]! <= distanceM) this.cursor++;
    const i = this.cursor;
    const d0 = d[i]!;
    const d1 = d[i + 1]!;
    const e0 = this.elapsed[i]!;
    const e1 = this.elapsed[i + 1]!;
    return d1 === d0 ? e0 : e0 + ((distanceM - d0) / (d1 - d0)) * (e1 - e0);
  }

  toArray(): { distanceM: number; elapsedMs: number }[] {
    return this.distances.map((distanceM, i) => ({ distanceM, elapsedMs: this.elapsed[i]! }));
  }
}

import { LapTimer, pickTrack, timeLaps, type Lap, type SessionFix, type TrackDefinition } from '@pitwall/protocol';

export interface TimedLaps {
  trackId: string | null;
  laps: Lap[];
}

/** Fixes with a position, in the shape the lap timer reads. */
export function timingFixes(fixes: readonly SessionFix[]) {
  const out: { t: number; lat: number; lon: number; speedMps?: number; courseDeg?: number }[] = [];
  for (const f of fixes) {
    if (f.lat === null || f.lon === null || f.fix === 'none') continue;
    out.push({ t: f.t, lat: f.lat, lon: f.lon, speedMps: f.speedMps ?? undefined, courseDeg: f.courseDeg ?? undefined });
  }
  return out;
}

/**
 * Laps and sectors from the raw fixes: the track the unit named if the catalog has it, else the
 * one the position picks. Re-run after a catalog change to re-time old sessions.
 */
export function recomputeLaps(fixes: readonly SessionFix[], tracks: readonly TrackDefinition[], unitTrackId: string | null): TimedLaps {
  const timing = timingFixes(fixes);
  if (timing.length < 2) return { trackId: null, laps: [] };
  let track = unitTrackId ? tracks.find((t) => t.id === unitTrackId) : undefined;
  if (!track) {
    const first = timing[0]!;
    const pick = pickTrack(tracks, { position: { lat: first.lat, lon: first.lon } });
    track = pick.track ?? undefined;
  }
  if (!track) return { trackId: null, laps: [] };
  return { trackId: track.id, laps: timeLaps(timing, track).laps };
}

/**
 * The same timing fed fix by fix while a session streams in (LapTimer is incremental), so the
 * laps are ready when the download ends. Same track choice as recomputeLaps.
 */
export class StreamingLaps {
  private timer: LapTimer | null = null;
  private trackId: string | null = null;
  private decided = false;

  constructor(
    private readonly tracks: readonly TrackDefinition[],
    private readonly unitTrackId: string | null,
  ) {}

  push(fixes: readonly SessionFix[]): void {
    for (const f of timingFixes(fixes)) {
      if (!this.decided) {
        this.decided = true;
        let track = this.unitTrackId ? this.tracks.find((t) => t.id === this.unitTrackId) : undefined;
        track ??= pickTrack(this.tracks, { position: { lat: f.lat, lon: f.lon } }).track ?? undefined;
        if (track) {
          this.timer = new LapTimer(track);
          this.trackId = track.id;
        }
      }
      this.timer?.push(f);
    }
  }

  result(): TimedLaps {
    return { trackId: this.timer ? this.trackId : null, laps: this.timer ? [...this.timer.laps] : [] };
  }
}

export interface LapStats {
  bestIndex: number;
  /** Sum of the best time of each sector over laps with complete sectors. */
  theoreticalBestMs: number | null;
  /** Standard deviation of lap times (population), ms. */
  consistencyMs: number | null;
  bestSectorsMs: number[];
}

export function lapStats(laps: readonly { timeMs: number; sectorsMs: readonly number[] }[]): LapStats {
  let bestIndex = -1;
  laps.forEach((l, i) => {
    if (bestIndex < 0 || l.timeMs < laps[bestIndex]!.timeMs) bestIndex = i;
  });
  const n = Math.max(0, ...laps.map((l) => l.sectorsMs.length));
  const bestSectorsMs: number[] = [];
  for (let s = 0; s < n; s++) {
    const times = laps.filter((l) => l.sectorsMs.length === n).map((l) => l.sectorsMs[s]!);
    if (times.length) bestSectorsMs.push(Math.min(...times));
  }
  const theoreticalBestMs = n > 0 && bestSectorsMs.length === n ? bestSectorsMs.reduce((a, b) => a + b, 0) : bestIndex >= 0 ? laps[bestIndex]!.timeMs : null;
  let consistencyMs: number | null = null;
  if (laps.length >= 2) {
    const mean = laps.reduce((a, l) => a + l.timeMs, 0) / laps.length;
    consistencyMs = Math.sqrt(laps.reduce((a, l) => a + (l.timeMs - mean) ** 2, 0) / laps.length);
  }
  return { bestIndex, theoreticalBestMs, consistencyMs, bestSectorsMs };
}

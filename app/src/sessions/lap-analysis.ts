import { TrackChooser, type Lap, type SessionFix, type TrackDefinition } from '@pitwall/protocol';

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
 * Laps and sectors from the raw fixes: on the layout chosen by hand if there is one, else on the
 * one the track chooser decides by the driven path (the same chooser the unit runs). Re-run
 * after a catalog change to re-time old sessions.
 */
export function recomputeLaps(fixes: readonly SessionFix[], tracks: readonly TrackDefinition[], chosenTrackId: string | null): TimedLaps {
  const laps = new StreamingLaps(tracks, chosenTrackId);
  laps.push(fixes);
  return laps.result();
}

/**
 * The same timing fed fix by fix while a session streams in, so the laps are ready when the
 * download ends.
 */
export class StreamingLaps {
  private readonly chooser: TrackChooser;

  constructor(tracks: readonly TrackDefinition[], chosenTrackId: string | null) {
    const chosen = chosenTrackId ? tracks.find((t) => t.id === chosenTrackId) : undefined;
    // A layout chosen by hand is the only candidate, within any reach: timed exactly as a chosen one.
    this.chooser = chosen ? new TrackChooser([chosen], { reachM: Infinity }) : new TrackChooser(tracks);
  }

  push(fixes: readonly SessionFix[]): void {
    for (const f of timingFixes(fixes)) this.chooser.push(f);
  }

  result(): TimedLaps {
    const track = this.chooser.track;
    return { trackId: track?.id ?? null, laps: track ? [...this.chooser.laps] : [] };
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

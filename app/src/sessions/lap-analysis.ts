import { lapCornerSpeeds, TrackChooser, trackAnalysis, type Lap, type SessionFix, type TimingFix, type TrackDefinition } from '@pitwall/protocol';

export interface TimedLaps {
  trackId: string | null;
  laps: Lap[];
  /** Each lap's minimum speed in each corner of the track (km/h), for the fleet distributions; [] where unknown. */
  cornerMinKmh?: number[][];
}

/** Fixes read either side of a lap for the speeds at its line crossings. */
const CROSSING_MARGIN_MS = 1000;

/** Minimum speed per corner of each lap (the track's corners from its outline), km/h to 0.1. */
export function cornerMinimums(track: TrackDefinition, laps: readonly Lap[], fixes: readonly TimingFix[]): number[][] {
  const analysis = trackAnalysis(track);
  if (!analysis || analysis.corners.length === 0) return laps.map(() => []);
  let from = 0;
  return laps.map((lap) => {
    while (from < fixes.length && fixes[from]!.t < lap.startT - CROSSING_MARGIN_MS) from++;
    let to = from;
    while (to < fixes.length && fixes[to]!.t <= lap.endT + CROSSING_MARGIN_MS) to++;
    return lapCornerSpeeds(analysis, fixes.slice(from, to), lap).map((c) => Math.round(c.minMps * 36) / 10);
  });
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
  /** Kept for the corner speeds, measured once the laps are known. */
  private readonly fixes: TimingFix[] = [];

  constructor(tracks: readonly TrackDefinition[], chosenTrackId: string | null) {
    const chosen = chosenTrackId ? tracks.find((t) => t.id === chosenTrackId) : undefined;
    // A layout chosen by hand is the only candidate, within any reach: timed exactly as a chosen one.
    this.chooser = chosen ? new TrackChooser([chosen], { reachM: Infinity }) : new TrackChooser(tracks);
  }

  push(fixes: readonly SessionFix[]): void {
    for (const f of timingFixes(fixes)) {
      this.chooser.push(f);
      this.fixes.push(f);
    }
  }

  result(): TimedLaps {
    const track = this.chooser.track;
    const laps = track ? [...this.chooser.laps] : [];
    return { trackId: track?.id ?? null, laps, cornerMinKmh: track ? cornerMinimums(track, laps, this.fixes) : [] };
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

import { create } from 'zustand';
import type { LiveLap, LiveTiming } from '@pitwall/protocol';

/** Completed laps kept per unit for the live timing panel. */
export const MAX_LAPS = 200;

export interface UnitTiming {
  /** The unit's latest view of the lap in progress, and when it arrived (local epoch ms). */
  timing: LiveTiming | null;
  timingAt: number | null;
  /** Elapsed time at which each sector of the lap in progress began (index = sector). */
  sectorStarts: number[];
  laps: LiveLap[];
}

export interface TimingState {
  units: Record<string, UnitTiming>;
  pushTiming(id: string, timing: LiveTiming, at?: number): void;
  pushLap(id: string, lap: LiveLap): void;
}

const empty = (): UnitTiming => ({ timing: null, timingAt: null, sectorStarts: [], laps: [] });

/**
 * Each timing event says how long the lap and the sector in progress have run: their
 * difference is when the sector began, so the splits of the lap in progress are exact even
 * though the events come only a few times a second.
 */
export function nextSectorStarts(prev: UnitTiming, t: LiveTiming): number[] {
  const sameLap = prev.timing !== null && prev.timing.lap === t.lap;
  const starts = sameLap ? [...prev.sectorStarts] : [];
  if (t.elapsedMs !== null && t.sectorElapsedMs !== null) starts[t.sector] = t.elapsedMs - t.sectorElapsedMs;
  return starts;
}

/** Split times of the lap in progress so far: sector k ran from its start to the next one's. */
export function currentSplits(starts: readonly number[]): (number | null)[] {
  const out: (number | null)[] = [];
  for (let k = 0; k + 1 < starts.length; k++) {
    const a = starts[k];
    const b = starts[k + 1];
    out.push(a === undefined || b === undefined ? null : b - a);
  }
  return out;
}

export const useTiming = create<TimingState>()((set, get) => ({
  units: {},

  pushTiming(id, timing, at = Date.now()) {
    const prev = get().units[id] ?? empty();
    set({ units: { ...get().units, [id]: { ...prev, timing, timingAt: at, sectorStarts: nextSectorStarts(prev, timing) } } });
  },

  pushLap(id, lap) {
    const prev = get().units[id] ?? empty();
    const laps = [...prev.laps.filter((l) => l.lap !== lap.lap || l.sessionId !== lap.sessionId), lap].slice(-MAX_LAPS);
    set({ units: { ...get().units, [id]: { ...prev, laps } } });
  },
}));

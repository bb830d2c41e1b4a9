import { create } from 'zustand';

/** Where the cursor is on the lap charts (distance from the line, m), shared with the track map. */
export interface ChartCursorState {
  distanceM: number | null;
  setDistance(d: number | null): void;
}

export const useChartCursor = create<ChartCursorState>()((set) => ({
  distanceM: null,
  setDistance(distanceM) {
    set({ distanceM });
  },
}));

import { create } from 'zustand';
import type { CallError, FleetHealthRow, HealthSeries } from '@pitwall/protocol';
import { call } from '../api.js';
import { useDiagnostics } from './diagnostics-store.js';

export const RANGES = [
  { label: '1 h', ms: 3600_000 },
  { label: '6 h', ms: 6 * 3600_000 },
  { label: '24 h', ms: 86_400_000 },
  { label: '7 d', ms: 7 * 86_400_000 },
];

export interface HealthState {
  fleet: FleetHealthRow[] | null;
  error: CallError | null;
  selected: string | null;
  range: number;
  series: HealthSeries | null;
  load(): Promise<void>;
  select(id: string): Promise<void>;
  setRange(ms: number): Promise<void>;
}

/** The fleet's health and the series of the unit open; reloaded after every diagnostics pull. */
export const useHealth = create<HealthState>()((set, get) => {
  let asked = 0;
  const loadSeries = async (): Promise<void> => {
    const { selected, range } = get();
    if (!selected) return;
    const mine = ++asked;
    const res = await call('health:series', { id: selected, from: new Date(Date.now() - range).toISOString() });
    // Only the newest question's answer is shown; a failure never leaves another unit's series up.
    if (mine !== asked) return;
    set(res.ok ? { series: res.value, error: null } : { series: null, error: res.error });
  };
  return {
    fleet: null,
    error: null,
    selected: null,
    range: RANGES[3]!.ms,
    series: null,

    async load() {
      const res = await call('health:fleet', {});
      if (!res.ok) return set({ error: res.error });
      set({ fleet: res.value, selected: get().selected ?? res.value[0]?.unitId ?? null });
      await loadSeries();
    },

    async select(selected) {
      if (selected !== get().selected) set({ selected, series: null });
      await loadSeries();
    },

    async setRange(range) {
      set({ range });
      await loadSeries();
    },
  };
});

useDiagnostics.subscribe((s, before) => {
  if (s.generation !== before.generation && useHealth.getState().fleet !== null) void useHealth.getState().load();
});

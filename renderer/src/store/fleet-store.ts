import { create } from 'zustand';
import type { CallError, FleetDistributionResult, FleetTrack } from '@pitwall/protocol';
import { call } from '../api.js';

/** The Fleet screen: one track's distributions for a group (drivers or units), one member marked. */
export interface FleetState {
  tracks: FleetTrack[] | null;
  trackId: string | null;
  groupBy: 'driver' | 'unit';
  /** The group's members; null: everyone on the track. */
  members: string[] | null;
  mark: string | null;
  result: FleetDistributionResult | null;
  error: CallError | null;
  busy: boolean;
  load(): Promise<void>;
  set(patch: Partial<Pick<FleetState, 'trackId' | 'groupBy' | 'members' | 'mark'>>): Promise<void>;
}

export const useFleet = create<FleetState>()((set, get) => {
  const refresh = async () => {
    const { trackId, groupBy, members, mark } = get();
    if (!trackId) return;
    set({ busy: true });
    const res = await call('fleet:distribution', { trackId, groupBy, ...(members ? { members } : {}), ...(mark ? { mark } : {}) });
    set(res.ok ? { result: res.value, error: null, busy: false } : { error: res.error, busy: false });
  };
  return {
    tracks: null,
    trackId: null,
    groupBy: 'driver',
    members: null,
    mark: null,
    result: null,
    error: null,
    busy: false,
    async load() {
      const res = await call('fleet:tracks', {});
      if (!res.ok) return set({ error: res.error });
      const first = res.value[0];
      set({ tracks: res.value, trackId: get().trackId ?? first?.trackId ?? null, mark: get().mark ?? first?.drivers[0] ?? null });
      await refresh();
    },
    async set(patch) {
      const next = { ...patch };
      // Another track or grouping: its own members; the mark kept only if it is one of them.
      if (patch.trackId !== undefined || patch.groupBy !== undefined) {
        const t = get().tracks?.find((x) => x.trackId === (patch.trackId ?? get().trackId));
        const names = (patch.groupBy ?? get().groupBy) === 'driver' ? t?.drivers : t?.units;
        next.members = null;
        if (patch.mark === undefined) next.mark = names?.includes(get().mark ?? '') ? get().mark : (names?.[0] ?? null);
      }
      set(next);
      await refresh();
    },
  };
});

import { create } from 'zustand';
import type { CallError, CrashDetail, StoredCrash } from '@pitwall/protocol';
import { call } from '../api.js';
import { useDiagnostics } from './diagnostics-store.js';



export interface CrashesState {
  crashes: StoredCrash[] | null;
  selected: StoredCrash | null;
  detail: CrashDetail | null;
  error: CallError | null;
  load(): Promise<void>;
  select(c: StoredCrash): Promise<void>;
}

/** The stored crash dumps and the one open; reloaded after every diagnostics pull. */
export const useCrashes = create<CrashesState>()((set, get) => ({
  crashes: null,
  selected: null,
  detail: null,
  error: null,

  async load() {
    const res = await call('crashes:list', {});
    if (!res.ok) return set({ error: res.error });
    set({ crashes: res.value });
    const first = get().selected ?? res.value[0];
    if (first && !get().detail) await get().select(first);
  },

  async select(c) {
    set({ selected: c, detail: null });
    const res = await call('crashes:get', { unitId: c.unitId, crashId: c.crashId });
    // A reply for a crash that is no longer selected must not replace the newer one.
    if (get().selected !== c) return;
    if (res.ok) set({ detail: res.value });
    else set({ error: res.error });
  },
}));

useDiagnostics.subscribe((s, before) => {
  if (s.generation !== before.generation && useCrashes.getState().crashes !== null) void useCrashes.getState().load();
});

import { create } from 'zustand';
import type { BundleSummary, CallError, UnitUpdateView, UpdatePushProgress } from '@pitwall/protocol';
import { call, on } from '../api.js';

export interface UpdatesState {
  path: string;
  bundle: BundleSummary | null;
  inspecting: boolean;
  /** Units chosen for the push. */
  chosen: string[];
  pushing: boolean;
  progress: UpdatePushProgress | null;
  states: Record<string, UnitUpdateView>;
  error: CallError | null;
  setPath(path: string): void;
  inspect(): Promise<void>;
  toggle(unitId: string): void;
  push(): Promise<void>;
  refresh(unitIds: string[]): Promise<void>;
}

/** The Updates screen: the bundle looked at, the units chosen, the push's progress, each unit's update. */
export const useUpdates = create<UpdatesState>()((set, get) => ({
  path: '',
  bundle: null,
  inspecting: false,
  chosen: [],
  pushing: false,
  progress: null,
  states: {},
  error: null,

  setPath: (path) => set({ path, bundle: null, error: null }),

  async inspect() {
    const path = get().path.trim();
    if (!path) return;
    set({ inspecting: true, error: null, bundle: null });
    const res = await call('updates:inspect', { path });
    if (get().path.trim() !== path) return;
    set(res.ok ? { bundle: res.value, inspecting: false } : { error: res.error, inspecting: false });
  },

  toggle: (unitId) => set((s) => ({ chosen: s.chosen.includes(unitId) ? s.chosen.filter((u) => u !== unitId) : [...s.chosen, unitId] })),

  async push() {
    const { bundle, chosen } = get();
    if (!bundle || chosen.length === 0 || get().pushing) return;
    set({ pushing: true, error: null, progress: null });
    const res = await call('updates:push', { path: bundle.path, unitIds: chosen });
    set(res.ok ? { pushing: false, progress: res.value } : { pushing: false, error: res.error });
  },

  async refresh(unitIds) {
    if (unitIds.length === 0) return;
    const res = await call('updates:status', { unitIds });
    if (res.ok) set((s) => ({ states: { ...s.states, ...Object.fromEntries(res.value.map((v) => [v.unitId, v])) } }));
  },
}));

on('updates:progress', (progress) => useUpdates.setState({ progress }));
on('updates:states', (views) => useUpdates.setState((s) => ({ states: { ...s.states, ...Object.fromEntries(views.map((v) => [v.unitId, v])) } })));

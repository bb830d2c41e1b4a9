import { create } from 'zustand';
import type { CallError, LogRow, MethodResult, SyncProgress, UnitSyncResult } from '@pitwall/protocol';
import { call } from '../api.js';

/** Rows kept from a live tail (newest first). */
export const MAX_TAIL_ROWS = 2000;

/** One unit's diagnostics archive: being written, written (where), or failed. */
export interface ArchiveExport {
  busy: boolean;
  result: MethodResult<'diagnostics:export'> | null;
  error: CallError | null;
}

export interface DiagnosticsState {
  progress: Record<string, SyncProgress>;
  syncing: boolean;
  lastResults: UnitSyncResult[] | null;
  syncError: CallError | null;
  /** Bumped after every pull, so screens reload what they show. */
  generation: number;
  tail: { unitId: string; rows: LogRow[] } | null;
  setProgress(p: SyncProgress): void;
  sync(ids?: string[]): Promise<void>;
  startTail(unitId: string): Promise<CallError | null>;
  stopTail(): Promise<void>;
  pushTail(unitId: string, rows: LogRow[]): void;
  exports: Record<string, ArchiveExport>;
  /** Writes the unit's diagnostics archive into the companion's exports folder. */
  exportArchive(unitId: string): Promise<void>;
}

export const useDiagnostics = create<DiagnosticsState>()((set, get) => ({
  progress: {},
  syncing: false,
  lastResults: null,
  syncError: null,
  generation: 0,
  tail: null,

  setProgress(p) {
    set({ progress: { ...get().progress, [p.unitId]: p } });
  },

  async sync(ids) {
    if (get().syncing) return;
    set({ syncing: true, syncError: null, progress: {} });
    const res = await call('sync:diagnostics', ids ? { ids } : {});
    set({ syncing: false, lastResults: res.ok ? res.value : null, syncError: res.ok ? null : res.error, generation: get().generation + 1 });
  },

  async startTail(unitId) {
    const current = get().tail;
    if (current && current.unitId !== unitId) await call('logs:tail', { id: current.unitId, on: false });
    const res = await call('logs:tail', { id: unitId, on: true });
    if (!res.ok) return res.error;
    set({ tail: { unitId, rows: [] } });
    return null;
  },

  async stopTail() {
    const current = get().tail;
    set({ tail: null });
    if (current) await call('logs:tail', { id: current.unitId, on: false });
  },

  pushTail(unitId, rows) {
    const t = get().tail;
    if (!t || t.unitId !== unitId) return;
    const fresh = [...rows].reverse();
    set({ tail: { unitId, rows: [...fresh, ...t.rows].slice(0, MAX_TAIL_ROWS) } });
  },

  exports: {},

  async exportArchive(unitId) {
    if (get().exports[unitId]?.busy) return;
    const put = (e: ArchiveExport) => set({ exports: { ...get().exports, [unitId]: e } });
    put({ busy: true, result: null, error: null });
    const res = await call('diagnostics:export', { id: unitId });
    put(res.ok ? { busy: false, result: res.value, error: null } : { busy: false, result: null, error: res.error });
  },
}));

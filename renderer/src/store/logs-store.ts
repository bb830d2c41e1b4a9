import { create } from 'zustand';
import type { CallError, LogDetail, LogLevel, LogRow, LogsQueryParams } from '@pitwall/protocol';
import { call } from '../api.js';
import { useDiagnostics } from './diagnostics-store.js';

const PAGE = 300;

export interface LogFilters {
  unitId: string;
  subsystem: string;
  level: string;
  /** datetime-local values (local time). */
  from: string;
  to: string;
  text: string;
}

export interface LogsState {
  filters: LogFilters;
  rows: LogRow[];
  total: { n: number; capped: boolean } | null;
  next: number | null;
  error: CallError | null;
  tailError: CallError | null;
  selected: number | null;
  /** Every field of the selected record, once it arrived. */
  detail: LogDetail | null;
  detailError: CallError | null;
  setFilter(k: keyof LogFilters, value: string): void;
  /** The first page for the filters (again). */
  query(): Promise<void>;
  /** The next page, when there is one and none is loading. */
  more(): Promise<void>;
  /** Opens one record (its detail loads) or closes it (null). */
  select(id: number | null): Promise<void>;
  toggleTail(): Promise<void>;
}

/** datetime-local value (local time) -> ISO UTC, or undefined. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const ms = new Date(local).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function params(f: LogFilters, before?: number): LogsQueryParams {
  return {
    limit: PAGE,
    ...(f.unitId ? { unitId: f.unitId } : {}),
    ...(f.subsystem ? { subsystem: f.subsystem } : {}),
    ...(f.level ? { level: f.level as LogLevel } : {}),
    ...(toIso(f.from) ? { from: toIso(f.from) } : {}),
    ...(toIso(f.to) ? { to: toIso(f.to) } : {}),
    ...(f.text.trim() ? { text: f.text.trim() } : {}),
    ...(before ? { before } : {}),
  };
}

/** The log search: filters, the pages loaded, the record open; a newer query wins over an older one. */
export const useLogs = create<LogsState>()((set, get) => {
  let asked = 0;
  let loading = false;
  return {
    filters: { unitId: '', subsystem: '', level: '', from: '', to: '', text: '' },
    rows: [],
    total: null,
    next: null,
    error: null,
    tailError: null,
    selected: null,
    detail: null,
    detailError: null,

    setFilter(k, value) {
      if (get().filters[k] === value) return;
      set({ filters: { ...get().filters, [k]: value } });
      void get().query();
    },

    async query() {
      const mine = ++asked;
      loading = true;
      const res = await call('logs:query', params(get().filters));
      if (mine !== asked) return;
      loading = false;
      if (!res.ok) return set({ error: res.error });
      set({ error: null, rows: res.value.rows, next: res.value.next, total: { n: res.value.total, capped: res.value.capped } });
    },

    async more() {
      const { next, filters } = get();
      if (loading || next === null) return;
      loading = true;
      const mine = asked;
      const res = await call('logs:query', params(filters, next));
      if (mine !== asked) return;
      loading = false;
      if (!res.ok) return set({ error: res.error });
      set({ rows: [...get().rows, ...res.value.rows], next: res.value.next });
    },

    async select(selected) {
      set({ selected, detail: null, detailError: null });
      if (selected === null) return;
      const res = await call('logs:record', { id: selected });
      // The answer for a record no longer open must not show under the newer one.
      if (get().selected !== selected) return;
      set(res.ok ? { detail: res.value } : { detailError: res.error });
    },

    async toggleTail() {
      set({ tailError: null });
      const diag = useDiagnostics.getState();
      if (diag.tail) return void (await diag.stopTail());
      const unit = get().filters.unitId;
      if (unit) set({ tailError: await diag.startTail(unit) });
    },
  };
});

useDiagnostics.subscribe((s, before) => {
  if (s.generation !== before.generation) void useLogs.getState().query();
});

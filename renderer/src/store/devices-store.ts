import { create } from 'zustand';
import type { CallError, DeviceEntry, DeviceStatus, LiveFix } from '@pitwall/protocol';
import { call } from '../api.js';

/** Fixes kept per unit for the live panel (a few minutes at 10-25 Hz). */
export const MAX_FIXES = 3000;
/** How often an open unit panel asks for the unit's status. */
export const STATUS_POLL_MS = 3000;

export interface LiveState {
  fixes: LiveFix[];
  /** Local receive time (epoch ms) of each fix, for the speed chart's time axis. */
  receivedAt: number[];
  status: DeviceStatus | null;
  statusError: CallError | null;
}

export interface DevicesState {
  phase: 'loading' | 'ready' | 'error';
  loadError: CallError | null;
  devices: DeviceEntry[];
  selectedId: string | null;
  live: Record<string, LiveState>;
  /** The add-by-address dialog is open. */
  adding: boolean;
  setAdding(open: boolean): void;
  load(): Promise<void>;
  setDevices(devices: DeviceEntry[]): void;
  select(id: string | null): void;
  pushFix(id: string, fix: LiveFix, at?: number): void;
  /** Several fixes of one unit in one update (a batch the event feed gathered). */
  pushFixes(id: string, fixes: readonly LiveFix[], at: readonly number[]): void;
  setStatus(id: string, status: DeviceStatus | null, error: CallError | null): void;
  clearLive(id: string): void;
  addAddress(address: string): Promise<{ ok: true; device: DeviceEntry } | { ok: false; error: CallError }>;
  forget(id: string): Promise<CallError | null>;
  /** Live fixes and a status poll of one unit while its panel is open; returns the stop. */
  watch(id: string): () => void;
}

const emptyLive = (): LiveState => ({ fixes: [], receivedAt: [], status: null, statusError: null });

/** Online units first, then by name, so the list does not jump around while it updates. */
export function sortDevices(list: DeviceEntry[]): DeviceEntry[] {
  return [...list].sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export const useDevices = create<DevicesState>()((set, get) => ({
  phase: 'loading',
  loadError: null,
  devices: [],
  selectedId: null,
  live: {},
  adding: false,

  setAdding(adding) {
    set({ adding });
  },

  async load() {
    if (get().phase !== 'ready') set({ phase: 'loading', loadError: null });
    const res = await call('devices:list', {});
    if (res.ok) get().setDevices(res.value);
    else set({ phase: 'error', loadError: res.error });
  },

  setDevices(devices) {
    const sorted = sortDevices(devices);
    const selectedId = get().selectedId;
    set({
      devices: sorted,
      phase: 'ready',
      loadError: null,
      selectedId: selectedId && sorted.some((d) => d.id === selectedId) ? selectedId : null,
    });
  },

  select(id) {
    set({ selectedId: id });
  },

  pushFix(id, fix, at = Date.now()) {
    get().pushFixes(id, [fix], [at]);
  },

  pushFixes(id, fixes, at) {
    if (fixes.length === 0) return;
    const prev = get().live[id] ?? emptyLive();
    const drop = Math.max(0, prev.fixes.length + fixes.length - MAX_FIXES);
    set({
      live: {
        ...get().live,
        [id]: { ...prev, fixes: [...prev.fixes, ...fixes].slice(drop), receivedAt: [...prev.receivedAt, ...at].slice(drop) },
      },
    });
  },

  setStatus(id, status, error) {
    const prev = get().live[id] ?? emptyLive();
    set({ live: { ...get().live, [id]: { ...prev, status: status ?? prev.status, statusError: error } } });
  },

  clearLive(id) {
    const { [id]: _gone, ...rest } = get().live;
    set({ live: rest });
  },

  async addAddress(address) {
    const res = await call('devices:add-address', { address });
    if (!res.ok) return { ok: false, error: res.error };
    const others = get().devices.filter((d) => d.id !== res.value.id);
    get().setDevices([...others, res.value]);
    set({ selectedId: res.value.id });
    return { ok: true, device: res.value };
  },

  async forget(id) {
    const res = await call('devices:forget', { id });
    if (!res.ok) return res.error;
    get().setDevices(get().devices.filter((d) => d.id !== id));
    get().clearLive(id);
    return null;
  },

  watch(id) {
    let alive = true;
    void call('live:watch', { id });
    const poll = async () => {
      const res = await call('devices:status', { id });
      if (!alive) return;
      if (res.ok) get().setStatus(id, res.value, null);
      else get().setStatus(id, null, res.error);
    };
    void poll();
    const timer = setInterval(() => void poll(), STATUS_POLL_MS);
    return () => {
      alive = false;
      clearInterval(timer);
      void call('live:unwatch', { id });
    };
  },
}));

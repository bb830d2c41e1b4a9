import { create } from 'zustand';
import type { CallError, HubUnitsStatus, MethodName, MethodParams } from '@pitwall/protocol';
import { call, on } from '../api.js';
import { useHub } from './hub-store.js';

type UnitsCall = Extract<MethodName, 'hub:register-unit' | 'hub:fetch-challenges' | 'hub:forward-registrations'>;

/** The Hub screen's "Units on this hub": each unit's registration, the forward challenges held. */
export interface HubUnitsState {
  status: HubUnitsStatus | null;
  /** Which action waits for its answer (for Register, with its unit). */
  busy: { method: UnitsCall; unitId?: string } | null;
  /** The refusal of the last fetch or forward (a unit's refusal is in its row). */
  error: CallError | null;
  /** What the last Register did, as a sentence, with its unit. */
  done: { unitId: string; sentence: string; queued: boolean } | null;
  load(): Promise<void>;
  register(unitId: string, claimCode?: string): Promise<boolean>;
  fetchChallenges(count: number): Promise<void>;
  forward(): Promise<void>;
}

let unsubscribe: (() => void) | null = null;

export const useHubUnits = create<HubUnitsState>()((set, get) => {
  const reload = async () => {
    const r = await call('hub:units', {});
    if (r.ok) set({ status: r.value });
  };
  const act = async <M extends UnitsCall>(method: M, params: MethodParams<M>, unitId?: string) => {
    if (get().busy) return null;
    set({ busy: { method, unitId }, error: null, done: null });
    const res = await call(method, params);
    set({ busy: null });
    if (!res.ok) await reload();
    // Another key than the pinned one: the connection's red warning shows both.
    if (!res.ok && res.error.code === 'key-changed') await useHub.getState().load();
    return res;
  };
  return {
    status: null,
    busy: null,
    error: null,
    done: null,
    async load() {
      // Units come and go (paired, online): the list follows the device list.
      unsubscribe ??= on('devices:changed', () => void reload());
      await reload();
    },
    async register(unitId, claimCode) {
      const res = await act('hub:register-unit', claimCode ? { unitId, claimCode } : { unitId }, unitId);
      if (res?.ok) set({ status: res.value.units, done: { unitId, sentence: res.value.sentence, queued: res.value.outcome === 'queued' } });
      return res?.ok ?? false;
    },
    async fetchChallenges(count) {
      const res = await act('hub:fetch-challenges', { count });
      if (res) set(res.ok ? { status: res.value } : { error: res.error });
    },
    async forward() {
      const res = await act('hub:forward-registrations', {});
      if (res) set(res.ok ? { status: res.value } : { error: res.error });
    },
  };
});

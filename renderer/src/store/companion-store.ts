import { create } from 'zustand';
import type { MethodResult } from '@pitwall/protocol';
import { call } from '../api.js';

export interface CompanionState {
  /** Version and mode (Electron window or browser), for the shell's footer. */
  info: MethodResult<'app:info'> | null;
  /** This computer's operator key, shown wherever a person compares keys. */
  operatorKey: string | null;
  loadInfo(): Promise<void>;
  /** Asks once; later calls reuse the answer (the key does not change while the companion runs). */
  loadOperatorKey(): Promise<void>;
}

/** This companion itself: what the shell and the pairing views show about it. */
export const useCompanion = create<CompanionState>()((set, get) => {
  let asking: Promise<void> | null = null;
  return {
    info: null,
    operatorKey: null,

    async loadInfo() {
      const res = await call('app:info', {});
      if (res.ok) set({ info: res.value });
    },

    loadOperatorKey() {
      if (get().operatorKey !== null) return Promise.resolve();
      asking ??= call('operator:identity', {}).then((res) => {
        asking = null;
        if (res.ok) set({ operatorKey: res.value.fingerprint });
      });
      return asking;
    },
  };
});

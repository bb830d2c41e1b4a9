import { create } from 'zustand';
import type { CallError, Role } from '@pitwall/protocol';
import { call } from '../api.js';

/** How long network pairing waits for the unit's button. */
export const WAIT_S = 120;

export type PairPhase =
  | { kind: 'choose' }
  | { kind: 'waiting'; role: Role; startedAt: number }
  | { kind: 'pairing' }
  | { kind: 'done'; role: Role; fingerprint: string; operatorFingerprint: string }
  | { kind: 'error'; error: CallError };

export interface PairingState {
  /** The unit whose pairing dialog is open, or null. */
  unitId: string | null;
  phase: PairPhase;
  open(unitId: string): void;
  /** Closes the dialog; answers still on their way are dropped. */
  close(): void;
  /** Back to choosing role and way after an error. */
  retry(): void;
  /** USB pairs at once; network waits for the unit's pairing button (see `tick`). */
  start(via: 'usb' | 'net', role: Role, now?: number): Promise<void>;
  /** While waiting: gives up after WAIT_S, else asks whether the unit's pairing window is open and pairs once it is. */
  tick(now?: number): Promise<void>;
}

/** "Pair this unit": the dialog's steps, driven by the dialog's once-a-second tick. */
export const usePairing = create<PairingState>()((set, get) => {
  // Bumped on open and close, so an answer meant for an earlier dialog changes nothing.
  let dialog = 0;
  let polling = false;
  const pair = async (via: 'usb' | 'net', role: Role): Promise<void> => {
    const mine = dialog;
    const id = get().unitId;
    if (!id) return;
    set({ phase: { kind: 'pairing' } });
    const res = await call('pairing:pair', { id, via, role });
    if (mine !== dialog) return;
    set({ phase: res.ok ? { kind: 'done', role: res.value.role, fingerprint: res.value.unitFingerprint, operatorFingerprint: res.value.operatorFingerprint } : { kind: 'error', error: res.error } });
  };
  return {
    unitId: null,
    phase: { kind: 'choose' },

    open(unitId) {
      dialog++;
      set({ unitId, phase: { kind: 'choose' } });
    },

    close() {
      dialog++;
      set({ unitId: null, phase: { kind: 'choose' } });
    },

    retry() {
      set({ phase: { kind: 'choose' } });
    },

    async start(via, role, now = Date.now()) {
      if (via === 'usb') return pair('usb', role);
      set({ phase: { kind: 'waiting', role, startedAt: now } });
      await get().tick(now);
    },

    async tick(now = Date.now()) {
      const { phase, unitId } = get();
      if (phase.kind !== 'waiting' || !unitId) return;
      // Checked before the overlap guard, so a window question that never comes back still ends the wait.
      if (now - phase.startedAt > WAIT_S * 1000) {
        set({ phase: { kind: 'error', error: { code: 'pairing-closed', message: 'The pairing button was not pressed within 2 minutes.' } } });
        return;
      }
      if (polling) return;
      const mine = dialog;
      polling = true;
      const w = await call('pairing:window', { id: unitId }).finally(() => (polling = false));
      if (mine !== dialog || get().phase !== phase) return;
      if (!w.ok) set({ phase: { kind: 'error', error: w.error } });
      else if (w.value.open) await pair('net', phase.role);
    },
  };
});

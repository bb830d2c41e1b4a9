import { create } from 'zustand';
import type { CallError, MethodResult, Operator } from '@pitwall/protocol';
import { call } from '../api.js';

export type OwnerRequestList = MethodResult<'pairing:requests'>;

/** What the unit panel's pairing section shows for one paired unit. */
export interface UnitTrust {
  /** The unit's operators (owners only may list them); null until listed. */
  operators: Operator[] | null;
  /** Requests to become an owner, with the unit's key to compare; null until listed. */
  requests: OwnerRequestList | null;
  unpairing: boolean;
  /** The request being approved or denied. */
  answering: string | null;
  /** The last unpair or revoke that failed. */
  error: { action: 'unpair' | 'revoke'; error: CallError } | null;
  requestError: CallError | null;
}

export interface TrustState {
  units: Record<string, UnitTrust>;
  loadOperators(id: string): Promise<void>;
  unpair(id: string): Promise<void>;
  revoke(id: string, fingerprint: string): Promise<void>;
  loadRequests(id: string): Promise<void>;
  /** Approves or denies one request, then lists requests and operators again. */
  answerRequest(id: string, requestId: string, approve: boolean): Promise<void>;
}

const empty = (): UnitTrust => ({ operators: null, requests: null, unpairing: false, answering: null, error: null, requestError: null });

/** Pairing, operators and owner requests per unit; an older answer never replaces a newer one. */
export const useTrust = create<TrustState>()((set, get) => {
  const asked = new Map<string, number>();
  const ask = (key: string): (() => boolean) => {
    const mine = (asked.get(key) ?? 0) + 1;
    asked.set(key, mine);
    return () => asked.get(key) === mine;
  };
  const patch = (id: string, p: Partial<UnitTrust>) => set({ units: { ...get().units, [id]: { ...(get().units[id] ?? empty()), ...p } } });

  return {
    units: {},

    async loadOperators(id) {
      const newest = ask(`operators:${id}`);
      const res = await call('pairing:operators', { id });
      if (newest() && res.ok) patch(id, { operators: res.value });
    },

    async unpair(id) {
      if (get().units[id]?.unpairing) return;
      patch(id, { unpairing: true, error: null });
      const res = await call('pairing:unpair', { id });
      patch(id, { unpairing: false, operators: res.ok ? null : (get().units[id]?.operators ?? null), error: res.ok ? null : { action: 'unpair', error: res.error } });
    },

    async revoke(id, fingerprint) {
      const res = await call('pairing:revoke', { id, fingerprint });
      patch(id, { error: res.ok ? null : { action: 'revoke', error: res.error } });
      await get().loadOperators(id);
    },

    async loadRequests(id) {
      const newest = ask(`requests:${id}`);
      const res = await call('pairing:requests', { id });
      if (newest() && res.ok) patch(id, { requests: res.value });
    },

    async answerRequest(id, requestId, approve) {
      if (get().units[id]?.answering) return;
      patch(id, { answering: requestId });
      const res = await call(approve ? 'pairing:approve' : 'pairing:deny', { id, requestId });
      patch(id, { answering: null, requestError: res.ok ? null : res.error });
      await Promise.all([get().loadRequests(id), get().loadOperators(id)]);
    },
  };
});

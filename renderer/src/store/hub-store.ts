import { create } from 'zustand';
import type { CallError, CallResult, HubProgress, HubStatus, MethodName, MethodParams, SessionListEntry } from '@pitwall/protocol';
import { call, on } from '../api.js';

type HubCall = Extract<MethodName, `hub:${string}`>;

/** The Hub screen: the link to one hub, its groups, sessions to share, the registry. */
export interface HubState {
  status: HubStatus | null;
  sessions: SessionListEntry[];
  /** The step of the work under way (checking, sharing, syncing, registry), from the companion's events. */
  progress: HubProgress | null;
  /** Which action is waiting for its answer. */
  busy: HubCall | null;
  /** The last action's refusal, as the companion said it. */
  error: CallError | null;
  load(): Promise<void>;
  run<M extends HubCall>(method: M, params: MethodParams<M>): Promise<boolean>;
}

let unsubscribe: (() => void) | null = null;

export const useHub = create<HubState>()((set, get) => ({
  status: null,
  sessions: [],
  progress: null,
  busy: null,
  error: null,
  async load() {
    unsubscribe ??= on('hub:progress', (p) => {
      set({ progress: p.phase === 'done' ? null : p });
      // A retry the companion ran by itself ends here too: the screen reads where it left things.
      if (p.phase === 'done' && get().busy === null) void call('hub:status', {}).then((r) => r.ok && set({ status: r.value }));
    });
    const [status, sessions] = await Promise.all([call('hub:status', {}), call('sessions:list', {})]);
    set({ ...(status.ok ? { status: status.value } : { error: status.error }), ...(sessions.ok ? { sessions: sessions.value } : {}) });
  },
  async run(method, params) {
    if (get().busy) return false;
    set({ busy: method, error: null });
    const res = (await call(method, params)) as CallResult<HubStatus>;
    set({ busy: null, progress: null });
    if (res.ok) {
      set({ status: res.value });
      return true;
    }
    // The refusal is shown; the state it left (a problem kept, a queue kept) is read again.
    set({ error: res.error });
    const now = await call('hub:status', {});
    if (now.ok) set({ status: now.value });
    return false;
  },
}));

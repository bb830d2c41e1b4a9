import { create } from 'zustand';
import type { CallError, HubRosterEdit, HubRostersStatus, MethodName, MethodParams } from '@pitwall/protocol';
import { call } from '../api.js';
import { useHub } from './hub-store.js';

type RostersCall = Extract<MethodName, 'hub:roster-edit' | 'hub:roster-discard' | 'hub:rosters-sync'>;

/** The Hub screen's "Group rosters": the rosters this laptop holds, edits not pushed yet, what merges brought. */
export interface HubRostersState {
  status: HubRostersStatus | null;
  busy: { method: RostersCall; groupId?: string } | null;
  /** The refusal of the last action, with its group when it was an edit. */
  error: (CallError & { groupId?: string }) | null;
  load(): Promise<void>;
  edit(groupId: string, edit: HubRosterEdit): Promise<boolean>;
  discard(groupId: string): Promise<void>;
  sync(): Promise<void>;
}

export const useHubRosters = create<HubRostersState>()((set, get) => {
  const reload = async () => {
    const r = await call('hub:rosters', {});
    if (r.ok) set({ status: r.value });
  };
  const act = async <M extends RostersCall>(method: M, params: MethodParams<M>, groupId?: string): Promise<boolean> => {
    if (get().busy) return false;
    set({ busy: { method, groupId }, error: null });
    const res = await call(method, params);
    set({ busy: null });
    if (res.ok) {
      set({ status: res.value });
      return true;
    }
    set({ error: { ...res.error, groupId } });
    await reload();
    // Another key than the pinned one: the connection's red warning shows both.
    if (res.error.code === 'key-changed') await useHub.getState().load();
    return false;
  };
  return {
    status: null,
    busy: null,
    error: null,
    load: reload,
    edit: (groupId, edit) => act('hub:roster-edit', { groupId, edit }, groupId),
    discard: async (groupId) => void (await act('hub:roster-discard', { groupId }, groupId)),
    sync: async () => void (await act('hub:rosters-sync', {})),
  };
});

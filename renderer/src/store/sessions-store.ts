import { create } from 'zustand';
import type { CallError, SessionLapTrace, SessionLaps, SessionListEntry, SessionSyncProgress, TrackEntry } from '@pitwall/protocol';
import { call } from '../api.js';

/** A lap chosen for the charts; lap 0 is the whole session. */
export interface Chosen {
  session: number;
  lap: number;
}
export const keyOf = (c: Chosen) => `${c.session}:${c.lap}`;
/** Laps charted at once. */
const MAX_CHOSEN = 5;
/** Points per lap trace: enough for a 30-minute session at 25 Hz drawn whole. */
export const TRACE_POINTS = 50_000;

/** The layout picker of the selected session: the layouts near where it was driven, the one picked. */
export interface TrackPicker {
  session: number;
  /** Null until listed (or when the list failed). */
  tracks: TrackEntry[] | null;
  /** A layout id, or '' for the track chooser's own pick. */
  value: string;
  busy: boolean;
  error: CallError | null;
}

/** "Add as my track" for the selected session: the name and where the start/finish goes (null: the longest straight). */
export interface OwnTrackForm {
  session: number;
  name: string;
  /** A fraction of the lap, or null for the longest straight. */
  at: number | null;
  busy: boolean;
  error: CallError | null;
}

export interface SessionsState {
  sessions: SessionListEntry[] | null;
  error: CallError | null;
  selected: number | null;
  laps: Record<number, SessionLaps>;
  chosen: Chosen[];
  /** Traces by `traceKey` (a lap with the reference its delta is against). */
  traces: Record<string, SessionLapTrace>;
  mapMode: 'speed' | 'delta';
  sync: { busy: boolean; progress: SessionSyncProgress | null; note: string | null };
  trackPicker: TrackPicker | null;
  load(): Promise<void>;
  select(id: number): Promise<void>;
  toggle(c: Chosen): void;
  /** Charts the whole session alone (speed and map over every fix). */
  showWhole(id: number): void;
  addOther(session: number, lap: number): Promise<void>;
  /** Puts another lap in place of the chosen lap at `index` (the comparison's lap pickers). */
  replaceChosen(index: number, c: Chosen): void;
  setMapMode(mode: 'speed' | 'delta'): void;
  startSync(): Promise<void>;
  setProgress(p: SessionSyncProgress): void;
  openTrackPicker(session: SessionListEntry): Promise<void>;
  pickTrack(value: string): void;
  closeTrackPicker(): void;
  /** Re-times the picked session on the picked layout and charts its two best laps again. */
  applyTrack(): Promise<void>;
  ownTrackForm: OwnTrackForm | null;
  openOwnTrackForm(session: SessionListEntry): void;
  editOwnTrackForm(patch: Partial<Pick<OwnTrackForm, 'name' | 'at'>>): void;
  closeOwnTrackForm(): void;
  /** Draws a track from the session (tracks:add), which re-times it there, and shows its laps. */
  saveOwnTrack(): Promise<void>;
}

/** A chosen lap's trace key: its delta is against the first chosen lap. */
export const traceKey = (c: Chosen, chosen: readonly Chosen[]) => `${keyOf(c)}>${chosen[0] && c.lap !== 0 ? keyOf(chosen[0]) : ''}`;

export const useSessions = create<SessionsState>()((set, get) => {
  const loadLaps = async (id: number): Promise<SessionLaps | null> => {
    const have = get().laps[id];
    if (have) return have;
    const res = await call('sessions:laps', { session: id });
    if (!res.ok) return set({ error: res.error }), null;
    set({ laps: { ...get().laps, [id]: res.value } });
    return res.value;
  };
  const fetchTraces = () => {
    const { chosen, traces } = get();
    const reference = chosen[0] && chosen[0].lap !== 0 ? chosen[0] : undefined;
    for (const c of chosen) {
      const k = traceKey(c, chosen);
      if (traces[k]) continue;
      void call('sessions:trace', { session: c.session, lap: c.lap, maxPoints: TRACE_POINTS, ...(reference && c.lap !== 0 ? { reference } : {}) }).then((res) => {
        if (res.ok) set({ traces: { ...get().traces, [k]: res.value } });
        else set({ error: res.error });
      });
    }
  };
  const choose = (chosen: Chosen[]) => {
    set({ chosen });
    fetchTraces();
  };
  /** A session re-timed: its laps shown afresh (the others' are left to load again), its two best charted. */
  const retimed = async (session: number, laps: SessionLaps) => {
    set({ laps: { [session]: laps }, traces: {} });
    if (get().selected === session) choose([...laps.laps].sort((a, b) => a.timeMs - b.timeMs).slice(0, 2).map((l) => ({ session, lap: l.lap })));
    await get().load();
  };
  return {
    sessions: null,
    error: null,
    selected: null,
    laps: {},
    chosen: [],
    traces: {},
    mapMode: 'speed',
    sync: { busy: false, progress: null, note: null },
    trackPicker: null,

    async load() {
      const res = await call('sessions:list', {});
      if (!res.ok) return set({ error: res.error });
      set({ sessions: res.value, error: null });
      if (get().selected === null && res.value.length > 0) await get().select(res.value[0]!.id);
    },

    async select(id) {
      set({ selected: id, trackPicker: null, ownTrackForm: null });
      const data = await loadLaps(id);
      if (!data) return;
      // Start with the best lap and the next best, the usual first comparison.
      const order = [...data.laps].sort((a, b) => a.timeMs - b.timeMs);
      choose(order.slice(0, 2).map((l) => ({ session: id, lap: l.lap })));
    },

    toggle(c) {
      const list = get().chosen.filter((x) => x.lap !== 0);
      choose(list.some((x) => keyOf(x) === keyOf(c)) ? list.filter((x) => keyOf(x) !== keyOf(c)) : [...list, c].slice(-MAX_CHOSEN));
    },

    showWhole(id) {
      choose([{ session: id, lap: 0 }]);
    },

    async addOther(session, lap) {
      const data = await loadLaps(session);
      const pick = lap || (data && data.bestIndex >= 0 ? data.laps[data.bestIndex]!.lap : 0);
      if (pick) get().toggle({ session, lap: pick });
    },

    replaceChosen(index, c) {
      const list = [...get().chosen];
      if (index < list.length && !list.some((x) => keyOf(x) === keyOf(c))) {
        list[index] = c;
        choose(list);
      }
    },

    setMapMode(mapMode) {
      set({ mapMode });
    },

    async startSync() {
      set({ sync: { ...get().sync, busy: true, note: null } });
      const res = await call('sync:start', {});
      const note = res.ok ? (res.value.units.length === 0 ? 'No paired unit is online.' : `${res.value.fetched} new session${res.value.fetched === 1 ? '' : 's'}.`) : res.error.message;
      set({ sync: { ...get().sync, busy: false, note } });
      await get().load();
    },

    setProgress(progress) {
      set({ sync: { ...get().sync, progress } });
    },

    async openTrackPicker(session) {
      const picker: TrackPicker = { session: session.id, tracks: null, value: session.trackByHand && session.trackId ? session.trackId : '', busy: false, error: null };
      set({ trackPicker: picker, ownTrackForm: null });
      const res = await call('tracks:list', { session: session.id });
      if (get().trackPicker?.session !== session.id) return;
      set({ trackPicker: res.ok ? { ...picker, tracks: res.value } : { ...picker, error: res.error } });
    },

    pickTrack(value) {
      const p = get().trackPicker;
      if (p) set({ trackPicker: { ...p, value } });
    },

    closeTrackPicker() {
      set({ trackPicker: null });
    },

    async applyTrack() {
      const p = get().trackPicker;
      if (!p || p.busy) return;
      set({ trackPicker: { ...p, busy: true, error: null } });
      const done = await call('sessions:set-track', { session: p.session, trackId: p.value === '' ? null : p.value });
      const res = done.ok ? await call('sessions:laps', { session: p.session }) : done;
      if (!res.ok) return set({ trackPicker: { ...p, busy: false, error: res.error } });
      set({ trackPicker: null });
      await retimed(p.session, res.value);
    },

    ownTrackForm: null,

    openOwnTrackForm(session) {
      const venue = session.trackName?.split(' — ')[0];
      set({ trackPicker: null, ownTrackForm: { session: session.id, name: venue ? `${venue} (my line)` : 'My track', at: null, busy: false, error: null } });
    },

    editOwnTrackForm(patch) {
      const f = get().ownTrackForm;
      if (f && !f.busy) set({ ownTrackForm: { ...f, ...patch } });
    },

    closeOwnTrackForm() {
      set({ ownTrackForm: null });
    },

    async saveOwnTrack() {
      const f = get().ownTrackForm;
      if (!f || f.busy) return;
      set({ ownTrackForm: { ...f, busy: true, error: null } });
      const added = await call('tracks:add', { session: f.session, name: f.name, ...(f.at === null ? {} : { at: f.at }) });
      const res = added.ok ? await call('sessions:laps', { session: f.session }) : added;
      if (!res.ok) return set({ ownTrackForm: { ...f, busy: false, error: res.error } });
      set({ ownTrackForm: null });
      await retimed(f.session, res.value);
    },
  };
});

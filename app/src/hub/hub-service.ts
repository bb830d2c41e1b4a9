import { CompanionError, type EventSink, type HubProgress, type HubStatus, type MethodParams } from '@pitwall/protocol';
import { HubCallError, HubClient } from '@pitwall/protocol/node';
import type { SecretStore } from '../identity/secret-store.js';
import type { Db } from '../store/database.js';
import type { SessionStore } from '../sessions/session-store.js';
import { OwnTracks } from '../sessions/own-tracks.js';
import { syncTrackRegistry } from '../sessions/track-registry-sync.js';
import { syncHubGroups } from './hub-sync.js';
import { shareQueued } from './hub-share-queue.js';
import { fetchWithin, hubErrorCode, hubKeyOf, hubProblem, hubUrlOf, keyChangedSentence, memberGroupsOf, plainHttpWarning } from './hub-link.js';
import { HubState, type HubLinkRow } from './hub-state.js';

export interface HubServiceOptions {
  db: Db;
  store: SessionStore;
  /** Where the member token is kept (never in the database, never sent to the window). */
  tokens: SecretStore;
  events: EventSink;
  /** Each hub call's deadline (default 15 s). */
  timeoutMs?: number;
  /** First wait before trying again after the hub could not be reached; doubles up to 15 minutes (default 30 s). */
  retryMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

const MAX_RETRY_MS = 15 * 60_000;

/** The Hub screen's methods: connect (key pinned on first use), groups, sessions to share (queued, offline-first), the track registry. */
export function createHubService(o: HubServiceOptions) {
  const state = new HubState(o.db);
  const now = o.now ?? Date.now;
  const timeoutMs = o.timeoutMs ?? 15_000;
  let running: Promise<void> | null = null;
  let retry: { timer: NodeJS.Timeout; at: number; waitMs: number } | null = null;
  let closed = false;

  const token = async (): Promise<string | null> => {
    const t = (await o.tokens.load())?.toString('utf8') ?? '';
    return t === '' ? null : t;
  };
  const label = (session: number): string => {
    const s = o.store.find(session);
    return s ? `${s.unitName} · ${new Date(s.startedAt).toISOString().slice(0, 16).replace('T', ' ')} · ${s.laps} laps` : `session ${session} (no longer in this store)`;
  };
  const progress = (phase: HubProgress['phase'], done: number, total: number, text: string) =>
    o.events('hub:progress', { phase, done, total, label: text });

  const status = async (): Promise<HubStatus> => {
    const link = state.link();
    return {
      connection: link && {
        url: link.url,
        fingerprint: link.fingerprint,
        pinnedAt: link.pinnedAt,
        presentedFingerprint: link.presentedKey,
        tokenSet: (await token()) !== null,
        member: link.memberName === null ? null : { name: link.memberName, organisation: link.organisation ?? '' },
        warning: plainHttpWarning(link.url),
      },
      groups: link ? state.groups() : [],
      queue: link ? state.queue(label) : [],
      shared: link ? state.shared() : [],
      lastShared: link?.lastShared ?? 0,
      lastSyncAt: link?.lastSyncAt ?? null,
      problem: link?.problem ?? null,
      offline: link?.offline ?? false,
      retryAt: retry?.at ?? null,
      running: running !== null,
      registry: link?.registry ?? { lastSyncAt: null, pushed: null, pulled: null, changes: [], error: null },
    };
  };

  const linked = async (): Promise<{ link: HubLinkRow; client: HubClient }> => {
    const link = state.link();
    const t = await token();
    if (!link || t === null) throw new CompanionError('not-found', 'No hub is connected: give its address and your member token first.');
    return { link, client: new HubClient(link.url, { token: t, timeoutMs }) };
  };

  /** The pinned key checked before the token is sent anywhere. */
  const checkKey = async (link: HubLinkRow, client: HubClient): Promise<void> => {
    progress('checking', 0, 1, 'Checking the hub’s key');
    const key = await hubKeyOf(new HubClient(link.url, { timeoutMs }));
    if (key.publicKey !== link.publicKey) {
      state.write('hubState.patchLink', { presentedKey: key.fingerprint });
      throw new CompanionError('key-changed', keyChangedSentence(link.url, link, key.fingerprint));
    }
    state.write('hubState.patchLink', { presentedKey: null });
    const me = await memberGroupsOf(client);
    state.write('hubState.patchLink', { memberName: me.name, organisation: me.organisation.name });
    state.write('hubState.setGroups', me.groups);
  };

  const cancelRetry = () => {
    if (retry) clearTimeout(retry.timer);
    retry = null;
  };
  const scheduleRetry = () => {
    const waitMs = Math.min(retry ? retry.waitMs * 2 : (o.retryMs ?? 30_000), MAX_RETRY_MS);
    cancelRetry();
    const timer = setTimeout(() => {
      if (!closed) void runSync().catch(() => undefined);
    }, waitMs);
    timer.unref();
    retry = { timer, at: now() + waitMs, waitMs };
  };

  /** Records a failed attempt as a sentence; an unreachable hub keeps the queue and is tried again later. */
  const failed = (url: string, err: unknown): never => {
    const p = hubProblem(url, err);
    state.write('hubState.patchLink', { problem: p.sentence, offline: p.offline });
    if (p.offline) scheduleRetry();
    else cancelRetry();
    o.log?.(`hub: ${p.sentence}`);
    progress('done', 0, 0, p.sentence);
    throw new CompanionError(hubErrorCode(err, p.offline), p.sentence);
  };

  const syncChosen = async (client: HubClient): Promise<void> => {
    const chosen = state.groups().filter((g) => g.chosen);
    for (const [i, g] of chosen.entries()) {
      progress('syncing', i, chosen.length, `Bringing in ${g.name}`);
      try {
        const [r] = await syncHubGroups(o.db, client, [g.groupId]);
        state.write('hubState.groupResult', g.groupId, now(), r?.changed ?? 0, null);
      } catch (err) {
        if (err instanceof HubCallError && !err.final) throw err;
        state.write('hubState.groupResult', g.groupId, now(), null, hubProblem(client.baseUrl, err).sentence);
      }
    }
  };

  const runSync = async (): Promise<void> => {
    if (running) return running;
    running = (async () => {
      const { link, client } = await linked();
      try {
        await checkKey(link, client);
        const shared = await shareQueued({ store: o.store, state, label, now, progress }, client);
        await syncChosen(client);
        cancelRetry();
        state.write('hubState.patchLink', { lastSyncAt: now(), lastShared: shared, problem: null, offline: false });
        progress('done', 1, 1, 'Synced');
      } catch (err) {
        failed(link.url, err);
      }
    })().finally(() => (running = null));
    return running;
  };

  const handlers = {
    'hub:status': async () => status(),
    'hub:connect': async ({ url: raw, token: given }: MethodParams<'hub:connect'>) => {
      const url = hubUrlOf(raw);
      const t = given?.trim() || (state.link()?.url === url ? await token() : null);
      if (!t) throw new CompanionError('invalid-params', 'A member token is needed (the academy gives one to each member).');
      const old = state.link();
      let key;
      let me;
      try {
        key = await hubKeyOf(new HubClient(url, { timeoutMs }));
        if (old?.url === url && old.publicKey !== key.publicKey) {
          state.write('hubState.patchLink', { presentedKey: key.fingerprint });
          throw new CompanionError('key-changed', keyChangedSentence(url, old, key.fingerprint));
        }
        me = await memberGroupsOf(new HubClient(url, { token: t, timeoutMs }));
      } catch (err) {
        const p = hubProblem(url, err);
        throw new CompanionError(hubErrorCode(err, p.offline), p.sentence);
      }
      cancelRetry();
      state.write('hubState.setLink', { url, publicKey: key.publicKey, fingerprint: key.fingerprint, pinnedAt: now() });
      await o.tokens.save(Buffer.from(t, 'utf8'));
      state.write('hubState.patchLink', { memberName: me.name, organisation: me.organisation.name, problem: null, offline: false, presentedKey: null });
      state.write('hubState.setGroups', me.groups);
      return status();
    },
    'hub:forget': async () => {
      cancelRetry();
      await running?.catch(() => undefined);
      state.write('hubState.setLink', null);
      await o.tokens.save(Buffer.alloc(0));
      return status();
    },
    'hub:choose-groups': async ({ groupIds }: MethodParams<'hub:choose-groups'>) => {
      await linked();
      const known = new Set(state.groups().map((g) => g.groupId));
      const unknown = groupIds.find((g) => !known.has(g));
      if (unknown) throw new CompanionError('not-found', `You are not in a group ${unknown} on this hub.`);
      state.write('hubState.choose', groupIds);
      return status();
    },
    'hub:share': async ({ sessions, groups }: MethodParams<'hub:share'>) => {
      await linked();
      const missing = sessions.find((s) => !o.store.find(s));
      if (missing !== undefined) throw new CompanionError('not-found', `No session ${missing} in this companion's store.`);
      const mine = new Map(state.groups().map((g) => [g.groupId, g]));
      const bad = groups.find((g) => mine.get(g)?.role !== 'driver' && mine.get(g)?.role !== 'coach');
      if (bad !== undefined) throw new CompanionError('forbidden', mine.has(bad) ? `You share into ${mine.get(bad)!.name} only as a driver or coach.` : `You are not in a group ${bad} on this hub.`);
      state.write('hubState.enqueue', [...new Set(sessions)], [...new Set(groups)], now());
      await runSync().catch(() => undefined);
      return status();
    },
    'hub:sync': async () => {
      await runSync();
      return status();
    },
    'hub:registry-sync': async () => {
      const { link, client } = await linked();
      try {
        await checkKey(link, client);
        progress('registry', 0, 1, 'Sending this laptop’s tracks and merging the registry');
        const r = await syncTrackRegistry(new OwnTracks(o.db), link.url, (await token())!, fetchWithin(timeoutMs * 4));
        state.write('hubState.patchLink', { registry: { at: now(), pushed: r.pushed.tracks.length, pulled: r.pulled, changes: r.changes }, problem: null, offline: false });
        progress('done', 1, 1, 'Registry synced');
      } catch (err) {
        state.write('hubState.patchLink', { registry: { error: hubProblem(link.url, err).sentence } });
        failed(link.url, err);
      }
      return status();
    },
  };

  return {
    handlers,
    /** The connected hub and the member token, for the units' registration (hub-units-service.ts). */
    link: async () => ({ link: state.link(), token: await token() }),
    /** Another key the hub showed to a registration: kept beside the pinned one, as a sync's check keeps it, for the screen to compare. */
    keyPresented: (fingerprint: string) => state.write('hubState.patchLink', { presentedKey: fingerprint }),
    close() {
      closed = true;
      cancelRetry();
    },
  };
}

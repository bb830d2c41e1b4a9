import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompanionError, DEFAULT_TRACK_CATALOG, OWN_TRACKS_MAX, parseTrackCatalog, Routes, trackDisplayName, type MethodParams, type MethodResult, type SessionListEntry, type TrackDefinition } from '@pitwall/protocol';
import type { DeviceRegistry } from '../discovery/device-registry.js';
import type { Db } from '../store/database.js';
import type { UnitAgent } from '../device-client/unit-agent.js';
import type { UnitChannels } from '../trust/unit-channel.js';
import { lapStats } from './lap-analysis.js';
import { SessionStore, type StoredSession } from './session-store.js';
import { syncSessions, type SyncProgress, type SyncSource } from './session-sync.js';
import { lapDelta, lapTrace } from './lap-trace-data.js';
import { addTrackFromSession, OwnTracks } from './own-tracks.js';
import { ownTrackDetails } from './own-track-details.js';
import { trackEntries } from './track-list.js';
import { compareStoredLaps } from './lap-comparison.js';
import { fleetForTrack, fleetTracks } from './fleet-stats.js';

export function loadTracks(path: string | URL = DEFAULT_TRACK_CATALOG): TrackDefinition[] {
  try {
    return parseTrackCatalog(JSON.parse(readFileSync(path, 'utf8'))).tracks;
  } catch {
    return [];
  }
}

/** Downloads at once over all units. */
const SYNC_CONCURRENCY = 3;

export interface SessionsServiceOptions {
  db: Db;
  dataDir: string | null;
  registry: DeviceRegistry;
  channels: UnitChannels;
  tracks: readonly TrackDefinition[];
  onProgress: (p: SyncProgress) => void;
  log: (m: string) => void;
}

/**
 * A paired unit's session API through the pinned, proven channel (list, confirm); downloads on
 * their own kept-alive connections with the same pin check, reused from one session to the next
 * during this sync.
 */
function unitSource(id: string, name: string, channels: UnitChannels, concurrency: number): SyncSource {
  let downloads: Promise<UnitAgent> | null = null;
  // The list and the first connect run at once (the download connection comes up while the
  // unit lists): they share the first proof instead of sending two challenges; the link that
  // proved the key carries the rest of this sync.
  let first: Promise<string> | null = null;
  const proven = async (): Promise<string> => {
    first ??= channels.provenTarget(id);
    const target = await first;
    await channels.ensureProven(id, target);
    return target;
  };
  return {
    unitId: id,
    unitName: name,
    list: async () => {
      await proven();
      return (await channels.callRoute(id, Routes.sessions, {}, { timeoutMs: 10_000 })).sessions;
    },
    confirm: async (sessionId, sha256) => void (await channels.callRoute(id, Routes.confirmSession, { params: { id: sessionId }, body: { sha256 } })),
    connect: async () => {
      const target = await proven();
      downloads ??= channels.streamAgent(id, { keepAlive: true, maxSockets: concurrency });
      return { target, agent: await downloads };
    },
    close: () => void downloads?.then((a) => a.destroy(), () => undefined),
  };
}

export function createSessionsService(o: SessionsServiceOptions) {
  const own = new OwnTracks(o.db);
  // The catalog and the tracks drawn here; own tracks are few, read when asked for.
  const tracks = () => [...o.tracks, ...own.list()];
  const store = new SessionStore(o.db, tracks);
  const trackName = (id: string | null) => {
    const t = id ? tracks().find((x) => x.id === id) : undefined;
    return t ? trackDisplayName(t) : null;
  };
  const entry = (s: StoredSession): SessionListEntry => ({ ...s, trackName: trackName(s.trackId) });
  const need = (id: number) => {
    const s = store.find(id);
    if (!s) throw new CompanionError('not-found', `no session ${id} in this companion's store`);
    return s;
  };
  /** A stored lap, or for lap 0 the whole session. */
  const needLap = (id: number, lap: number) => {
    const s = need(id);
    if (lap === 0) return { startT: s.startedAt, endT: s.endedAt };
    const l = store.laps(id).find((x) => x.lap === lap);
    if (!l) throw new CompanionError('not-found', `session ${id} has no lap ${lap}`);
    return l;
  };
  // Laps stored before the fleet distributions' rows existed get them, a few sessions a turn.
  const fill = () => {
    try {
      if (store.fillLapFeatures() > 0) setTimeout(fill, 50).unref();
    } catch (err) {
      o.log(`lap features: ${(err as Error).message}`);
    }
  };
  setTimeout(fill, 1000).unref();
  let running: Promise<MethodResult<'sync:start'>> | null = null;
  return {
    store,
    handlers: {
      'sessions:list': async (): Promise<MethodResult<'sessions:list'>> => store.list().map(entry),
      'sessions:laps': async ({ session }: MethodParams<'sessions:laps'>): Promise<MethodResult<'sessions:laps'>> => {
        const s = need(session);
        const laps = store.laps(session).map(({ trackId: _t, ...l }) => l);
        return { session: entry(s), laps, ...lapStats(laps) };
      },
      'sessions:trace': async ({ session, lap, maxPoints, reference }: MethodParams<'sessions:trace'>): Promise<MethodResult<'sessions:trace'>> => {
        const l = needLap(session, lap);
        const trace = lapTrace(store.fixes(session, l.startT, l.endT), l.startT, maxPoints ?? 1500);
        let deltaMs: number[] | null = null;
        if (reference && lap !== 0 && reference.lap !== 0) {
          const r = needLap(reference.session, reference.lap);
          deltaMs = lapDelta(trace, store.fixes(reference.session, r.startT, r.endT), r.startT);
        }
        return { session, lap, ...trace, deltaMs };
      },
      'sessions:compare': async ({ a, b }: MethodParams<'sessions:compare'>): Promise<MethodResult<'sessions:compare'>> => compareStoredLaps(store, tracks(), a, b),
      'fleet:tracks': async (): Promise<MethodResult<'fleet:tracks'>> => fleetTracks(o.db, tracks()),
      'fleet:distribution': async (p: MethodParams<'fleet:distribution'>): Promise<MethodResult<'fleet:distribution'>> => fleetForTrack(o.db, tracks(), p),
      'tracks:list': async ({ near, session, withinM }: MethodParams<'tracks:list'>): Promise<MethodResult<'tracks:list'>> => {
        const at = near ?? (session === undefined ? undefined : (store.firstPosition(need(session).id) ?? undefined));
        return trackEntries(tracks(), new Set(own.list().map((t) => t.id)), at, withinM);
      },
      'sessions:set-track': async ({ session, trackId }: MethodParams<'sessions:set-track'>): Promise<MethodResult<'sessions:set-track'>> => {
        need(session);
        if (trackId !== null && !tracks().some((t) => t.id === trackId)) throw new CompanionError('not-found', `no track "${trackId}"`);
        store.chooseTrack(session, trackId);
        const s = need(session);
        return { trackId: s.trackId, laps: s.laps };
      },
      'tracks:add': async ({ session, name, at, sectorsAt }: MethodParams<'tracks:add'>): Promise<MethodResult<'tracks:add'>> => {
        need(session);
        if (/\p{Cc}/u.test(name)) throw new CompanionError('invalid-params', 'A track name cannot hold control characters (line breaks, tabs and the like).');
        if (!name.trim()) throw new CompanionError('invalid-params', 'A track needs a name that is not only spaces.');
        let r;
        try {
          r = addTrackFromSession(store, own, session, { name, at, sectorsAt });
        } catch (err) {
          throw new CompanionError('invalid-params', `Could not draw a track from session ${session}: ${(err as Error).message}.`);
        }
        o.log(`tracks add: ${r.added ? 'added' : 'already stored'} ${r.track.id} from session ${session} (${r.laps} laps on it)`);
        return { trackId: r.track.id, name: trackDisplayName(r.track), lengthM: r.track.lengthM, laps: r.laps, added: r.added };
      },
      'tracks:own': async (): Promise<MethodResult<'tracks:own'>> => ownTrackDetails(own, o.tracks),
      'tracks:rename': async ({ id, name }: MethodParams<'tracks:rename'>): Promise<MethodResult<'tracks:rename'>> => {
        if (/\p{Cc}/u.test(name) || !name.trim()) throw new CompanionError('invalid-params', 'A track name needs a letter and cannot hold control characters.');
        if (!own.list().some((t) => t.id === id)) throw new CompanionError('not-found', `no own track "${id}"`);
        own.book.rename(id, name.trim());
        o.log(`tracks rename: ${id} is now "${name.trim()}"`);
        return { id, name: name.trim() };
      },
      'tracks:book': async (): Promise<MethodResult<'tracks:book'>> => own.book.book,
      'tracks:merge': async ({ book }: MethodParams<'tracks:merge'>): Promise<MethodResult<'tracks:merge'>> => {
        let changes;
        try {
          changes = own.merge(book);
        } catch (err) {
          throw new CompanionError('invalid-params', `That book of tracks was not merged: ${(err as Error).message}.`);
        }
        o.log(`tracks merge: ${changes.length} changes`);
        return { changes };
      },
      'tracks:push': async ({ unitId }: MethodParams<'tracks:push'>): Promise<MethodResult<'tracks:push'>> => {
        const list = own.list();
        const name = o.registry.get(unitId)?.name ?? unitId;
        if (list.length > OWN_TRACKS_MAX) throw new CompanionError('invalid-params', `a unit holds at most ${OWN_TRACKS_MAX} own tracks; this companion has ${list.length}`);
        const res = await o.channels.callRoute(unitId, Routes.pushOwnTracks, { body: { tracks: list } }, { timeoutMs: 30_000 });
        o.log(`tracks push: ${name} now holds ${res.tracks} own tracks (from its next start)`);
        return res;
      },
      'sync:start': async ({ unitId }: MethodParams<'sync:start'>): Promise<MethodResult<'sync:start'>> => {
        if (running) return running;
        const units = o.registry.list().filter((u) => (unitId ? u.id === unitId : true) && o.registry.pin(u.id) && o.registry.trustedTargets(u.id).length > 0);
        if (unitId && units.length === 0) throw new CompanionError('unreachable', `${o.registry.get(unitId)?.name ?? unitId} is not a paired unit with a network link right now`);
        const partialDir = join(o.dataDir ?? join(process.cwd(), '.pitwall-partial'), 'partial-sessions');
        running = syncSessions(
          units.map((u) => unitSource(u.id, u.name, o.channels, SYNC_CONCURRENCY)),
          { store, partialDir, concurrency: SYNC_CONCURRENCY, onProgress: o.onProgress, log: o.log },
        ).finally(() => (running = null));
        return running;
      },
    },
  };
}

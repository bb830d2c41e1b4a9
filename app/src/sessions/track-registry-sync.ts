import {
  HubRoutes, emptyBook, registryTrackPull, registryTrackPushResult,
  type MergeChange, type RegistryTrackPushResult, type TrackBook,
} from '@pitwall/protocol';
import { createHash } from 'node:crypto';
import type { Db } from '../store/database.js';
import { storeWriter } from '../store/store-writer.js';
import { hubKey, readCursor } from '../hub/pull-cursors.js';
import type { OwnTracks } from './own-tracks.js';

/** What `pitwall tracks sync` did: the hub's answer to the push, what the pull brought, what merging it changed here. */
export interface RegistrySyncReport {
  pushed: RegistryTrackPushResult;
  /** Entries pulled (tracks and groups). */
  pulled: number;
  changes: MergeChange[];
  /** Each track's id in the registry, by this book's key: the tracks pushed and pulled this time. */
  registryIds: Record<string, string>;
  /** Nothing here changed since the last sync (the hub had all of it): the book was not sent. */
  pushSkipped: boolean;
  /** The registry version pulled after (0: the whole registry). */
  pulledAfter: number;
}

export interface RegistrySyncOptions {
  /**
   * The store that keeps where the last pull stopped and what was last pushed: the next sync
   * pulls only what changed after it, and sends the book only when it changed. Without it every
   * sync pushes the book and pulls the whole registry.
   */
  db?: Db;
  /** Push and pull everything, whatever the store says. */
  reset?: boolean;
}

const digestOf = (book: TrackBook) => createHash('sha256').update(JSON.stringify(book)).digest('hex');

const TIMEOUT_MS = 60_000;
const PAGE = 200;

/** A refusal or failure of the hub, in its own words (its error shape) or the transport's. */
export class RegistrySyncError extends Error {
  override readonly name = 'RegistrySyncError';
}

/**
 * Pushes this laptop's book to the hub's registry, pulls what changed in the organisation's
 * registry page by page (every page checked against the protocol's schema: the hub is a peer
 * too) and merges it into the book with the same merge as between laptops. With a store, the
 * pull goes on after the last version seen and an unchanged book is not sent again; the first
 * sync, `reset`, and a hub whose version is behind the cursor (started afresh) pull it all.
 */
export async function syncTrackRegistry(own: OwnTracks, hubUrl: string, token: string, fetchImpl: typeof fetch = fetch, opts: RegistrySyncOptions = {}): Promise<RegistrySyncReport> {
  own.withSignatures();
  const { node, book } = own.book.load();
  const base = new URL(hubUrl);
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetchImpl(new URL(path, base), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new RegistrySyncError(`the hub at ${base.origin} is not reachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RegistrySyncError(`the hub answered ${res.status} with something that is not JSON`);
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: unknown; message?: unknown } }).error;
      throw new RegistrySyncError(`the hub refused (${res.status} ${String(e?.code ?? '')}): ${String(e?.message ?? text.slice(0, 200))}`);
    }
    return json;
  };

  const cursor = opts.db && !opts.reset ? readCursor(opts.db, hubUrl, 'tracks') : { version: 0, pushed: null };
  const pushSkipped = cursor.version > 0 && cursor.pushed === digestOf(book);
  const pushed: RegistryTrackPushResult = pushSkipped
    ? { tracks: [], version: cursor.version }
    : registryTrackPushResult.parse(await call('POST', HubRoutes.registryPush.path, { laptop: node, book }));
  const registryIds: Record<string, string> = Object.fromEntries(pushed.tracks.map((t) => [t.key, t.registryId]));
  // A registry behind the cursor was started afresh: everything in it is new here.
  const pulledAfter = pushed.version < cursor.version ? 0 : cursor.version;
  const remote: TrackBook = emptyBook();
  let pulled = 0;
  let seen = Math.max(pulledAfter, pushed.version);
  for (let after = pulledAfter; ; ) {
    const page = registryTrackPull.parse(await call('GET', `${HubRoutes.registryPull.path}?after=${after}&limit=${PAGE}`));
    for (const e of page.entries) {
      remote.tracks[e.key] = e.track;
      registryIds[e.key] = e.id;
      seen = Math.max(seen, e.version);
    }
    for (const g of page.groups) {
      remote.groups[g.key] = g.group;
      seen = Math.max(seen, g.version);
    }
    pulled += page.entries.length + page.groups.length;
    if (page.next === null) break;
    if (page.next <= after) throw new RegistrySyncError('the hub paged backwards');
    after = page.next;
  }
  const changes = pulled ? own.merge(remote) : [];
  // What the book holds now, the hub holds too (pushed, or pulled from it): the next sync sends it only when it changed.
  if (opts.db) storeWriter(opts.db).run('hub.setCursor', hubKey(hubUrl), 'tracks', seen, digestOf(own.book.load().book));
  return { pushed, pulled, changes, registryIds, pushSkipped, pulledAfter };
}

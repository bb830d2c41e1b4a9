import {
  HubRoutes, emptyBook, registryTrackPull, registryTrackPushResult,
  type MergeChange, type RegistryTrackPushResult, type TrackBook,
} from '@pitwall/protocol';
import type { OwnTracks } from './own-tracks.js';

/** What `pitwall tracks sync` did: the hub's answer to the push, what the pull brought, what merging it changed here. */
export interface RegistrySyncReport {
  pushed: RegistryTrackPushResult;
  /** Entries pulled (tracks and groups). */
  pulled: number;
  changes: MergeChange[];
  /** Each track's id in the registry, by this book's key. */
  registryIds: Record<string, string>;
}

const TIMEOUT_MS = 60_000;
const PAGE = 200;

/** A refusal or failure of the hub, in its own words (its error shape) or the transport's. */
export class RegistrySyncError extends Error {
  override readonly name = 'RegistrySyncError';
}

/**
 * Pushes this laptop's book to the hub's registry, pulls the organisation's registry page by page
 * (every page checked against the protocol's schema: the hub is a peer too) and merges it into
 * the book with the same merge as between laptops. Pulling from the start each time costs a
 * transfer but no state here, and the merge is idempotent.
 */
export async function syncTrackRegistry(own: OwnTracks, hubUrl: string, token: string, fetchImpl: typeof fetch = fetch): Promise<RegistrySyncReport> {
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

  const pushed = registryTrackPushResult.parse(await call('POST', HubRoutes.registryPush.path, { laptop: node, book }));
  const remote: TrackBook = emptyBook();
  const registryIds: Record<string, string> = {};
  let pulled = 0;
  for (let after = 0; ; ) {
    const page = registryTrackPull.parse(await call('GET', `${HubRoutes.registryPull.path}?after=${after}&limit=${PAGE}`));
    for (const e of page.entries) {
      remote.tracks[e.key] = e.track;
      registryIds[e.key] = e.id;
    }
    for (const g of page.groups) remote.groups[g.key] = g.group;
    pulled += page.entries.length + page.groups.length;
    if (page.next === null) break;
    if (page.next <= after) throw new RegistrySyncError('the hub paged backwards');
    after = page.next;
  }
  const changes = own.merge(remote);
  return { pushed, pulled, changes, registryIds };
}

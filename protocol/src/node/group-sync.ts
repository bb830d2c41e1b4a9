import type { SharedSession } from '../hub/index.js';
import type { HubClient } from './hub-client.js';

export interface GroupSyncResult {
  /** Sessions new or changed since the cursor, oldest change first. */
  changed: SharedSession[];
  /** The cursor to keep for the next sync (unchanged when nothing came). */
  cursor: string | null;
}

/** At most this many pages a sync: a group with more catches up over the next syncs. */
const MAX_PAGES = 50;

/**
 * Offline-first catch-up of one group: from the cursor the companion kept, page by page until
 * the hub has nothing newer. Nothing is kept here: the caller stores `changed` and then the
 * cursor, in that order, so a crash between them only fetches some sessions twice (each is
 * replaced whole by unit and session id). When the hub is out of reach this throws (a
 * HubCallError of status 0) and the caller keeps working from what it has.
 */
export async function syncGroup(hub: HubClient, groupId: string, cursor: string | null): Promise<GroupSyncResult> {
  const changed: SharedSession[] = [];
  let at = cursor;
  for (let page = 0; page < MAX_PAGES; page++) {
    const p = await hub.groupSessions(groupId, at);
    changed.push(...p.sessions);
    at = p.next;
    if (!p.more) break;
  }
  return { changed, cursor: at };
}

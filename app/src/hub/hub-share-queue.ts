import type { HubProgress, HubQueuedShare } from '@pitwall/protocol';
import { HubCallError, type HubClient } from '@pitwall/protocol/node';
import type { SessionStore } from '../sessions/session-store.js';
import { hubProblem } from './hub-link.js';
import type { HubState } from './hub-state.js';
import { shareSessions } from './hub-sync.js';

export interface ShareQueueContext {
  store: SessionStore;
  state: HubState;
  label: (session: number) => string;
  now: () => number;
  progress: (phase: HubProgress['phase'], done: number, total: number, label: string) => void;
}

/** One queued session on its own: shared, or its refusal kept beside it (a transport failure stops the sync). */
async function shareOne(c: ShareQueueContext, client: HubClient, q: HubQueuedShare): Promise<boolean> {
  try {
    await shareSessions(c.store, client, [String(q.session)], q.groups);
    c.state.write('hubState.shared', q.session, q.groups, c.now());
    return true;
  } catch (err) {
    if (err instanceof HubCallError && !err.final) throw err;
    c.state.write('hubState.queueError', q.session, hubProblem(client.baseUrl, err).sentence);
    return false;
  }
}

/**
 * Sends the queue, sessions with the same groups in one request (the hub takes a day at once, all
 * or nothing); a refused batch is tried one session at a time, so the refusal is kept beside the
 * session it is about and the others go. A session no longer in the store leaves the queue.
 * Returns how many the hub took.
 */
export async function shareQueued(c: ShareQueueContext, client: HubClient): Promise<number> {
  const queue = c.state.queue(c.label);
  const batches = new Map<string, HubQueuedShare[]>();
  for (const q of queue) {
    if (!c.store.find(q.session)) {
      c.state.write('hubState.dequeue', q.session);
      continue;
    }
    const key = JSON.stringify([...q.groups].sort());
    batches.set(key, [...(batches.get(key) ?? []), q]);
  }
  let shared = 0;
  let done = 0;
  for (const items of batches.values()) {
    c.progress('sharing', done, queue.length, items.length === 1 ? `Sharing ${items[0]!.label}` : `Sharing ${items.length} sessions`);
    if (items.length === 1) shared += Number(await shareOne(c, client, items[0]!));
    else {
      try {
        await shareSessions(c.store, client, items.map((q) => String(q.session)), items[0]!.groups);
        for (const q of items) c.state.write('hubState.shared', q.session, q.groups, c.now());
        shared += items.length;
      } catch (err) {
        if (err instanceof HubCallError && !err.final) throw err;
        for (const q of items) shared += Number(await shareOne(c, client, q));
      }
    }
    done += items.length;
  }
  return shared;
}

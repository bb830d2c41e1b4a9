import type { CoreHandlers } from './handlers.js';

/**
 * Reference-counts live watches per client (a browser tab's WebSocket, an Electron window), so
 * one client's unwatch or disconnect never stops another client's live feed, and a client that
 * goes away releases everything it watched.
 */
export class LiveWatches {
  private readonly byUnit = new Map<string, Set<string>>();

  constructor(private readonly core: Pick<CoreHandlers, 'live:watch' | 'live:unwatch'>) {}

  async watch(client: string, id: string): Promise<void> {
    let clients = this.byUnit.get(id);
    if (clients?.has(client)) return;
    if (!clients) {
      await this.core['live:watch']({ id });
      clients = this.byUnit.get(id) ?? new Set();
      this.byUnit.set(id, clients);
    }
    clients.add(client);
  }

  async unwatch(client: string, id: string): Promise<void> {
    const clients = this.byUnit.get(id);
    if (!clients?.delete(client)) return;
    if (clients.size === 0) {
      this.byUnit.delete(id);
      await this.core['live:unwatch']({ id });
    }
  }

  /** Units this client watches. */
  watchedBy(client: string): string[] {
    return [...this.byUnit].filter(([, clients]) => clients.has(client)).map(([id]) => id);
  }

  isWatching(client: string, id: string): boolean {
    return this.byUnit.get(id)?.has(client) ?? false;
  }

  async release(client: string): Promise<void> {
    for (const id of this.watchedBy(client)) await this.unwatch(client, id).catch(() => undefined);
  }
}

/** The client's view of the handlers: live:watch/unwatch go through its own reference counts. */
export function handlersForClient<H extends Pick<CoreHandlers, 'live:watch' | 'live:unwatch'>>(handlers: H, watches: LiveWatches, client: string): H {
  return {
    ...handlers,
    'live:watch': async ({ id }: { id: string }) => {
      await watches.watch(client, id);
      return {};
    },
    'live:unwatch': async ({ id }: { id: string }) => {
      await watches.unwatch(client, id);
      return {};
    },
  };
}

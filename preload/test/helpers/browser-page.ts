import { WebSocket } from 'ws';
import type { PitwallApi } from '@pitwall/protocol';

/** A browser's WebSocket reports a refused handshake as error and close events, never by throwing. */
class BrowserWebSocket extends WebSocket {
  constructor(url: string, protocols?: string[]) {
    super(url, protocols);
    this.on('error', () => undefined);
  }
}

/**
 * The few browser globals the bridge uses, for one page at `url`: a fresh window, location,
 * sessionStorage and history, fetch resolving relative paths against the page (as a browser
 * does) and ws's WebSocket (Node 20 has none) behaving as a browser's. Then the bridge module is loaded afresh, as a
 * page load would.
 */
export async function openPage(url: string, storage = new Map<string, string>()): Promise<{ api: PitwallApi; location: URL; storage: Map<string, string> }> {
  const location = new URL(url);
  const g = globalThis as Record<string, unknown>;
  g.window = {};
  g.location = location;
  g.sessionStorage = { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) };
  g.history = { replaceState: (_s: unknown, _t: string, to: string) => void (location.href = new URL(to, location.href).href) };
  g.WebSocket = BrowserWebSocket;
  const realFetch = (g.realFetch ??= globalThis.fetch) as typeof fetch;
  g.fetch = (input: string, init?: RequestInit) => realFetch(new URL(input, location.href), init);
  await import(`../../src/browser-bridge.ts?page=${Math.random()}`);
  return { api: (g.window as { pitwall: PitwallApi }).pitwall, location, storage };
}

/** Ends every page's reconnect loop: later sockets never open (and so never close and retry). */
export function closePages(): void {
  (globalThis as Record<string, unknown>).WebSocket = class {};
}

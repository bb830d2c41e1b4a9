import type { CallResult, EventPayload, MethodName, MethodParams, MethodResult, PitwallApi } from '@pitwall/protocol';
import { Listeners } from './listeners.js';

/**
 * window.pitwall in browser mode: calls go to POST /api/call, events come over the
 * /api/events WebSocket (reconnecting). The per-launch token arrives in the URL fragment
 * (#token=...), is moved to sessionStorage and removed from the address bar. In Electron the
 * preload has already defined window.pitwall and this file does nothing.
 */
declare global {
  interface Window {
    pitwall?: PitwallApi;
  }
}

const TOKEN_KEY = 'pitwall.token';
const HELLO_WAIT_MS = 3000;

function takeToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]{16,128})(?:&|$)/.exec(location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', location.pathname + location.search);
    return m[1];
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function install(): void {
  const token = takeToken();
  const listeners = new Listeners();
  const watched = new Set<string>();
  let clientId: string | null = null;
  let helloWaiters: Array<() => void> = [];
  let retryMs = 500;
  let connectedBefore = false;

  const fail = <T>(code: 'forbidden' | 'internal', message: string): CallResult<T> => ({ ok: false, error: { code, message } });

  async function post<M extends MethodName>(method: M, params: MethodParams<M>): Promise<CallResult<MethodResult<M>>> {
    if (!token) return fail('forbidden', 'This page has no access token. Open the full address that "pitwall serve" printed.');
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
    if (clientId) headers['X-Pitwall-Client'] = clientId;
    let res: Response;
    try {
      res = await fetch('/api/call', { method: 'POST', headers, body: JSON.stringify({ method, params }), cache: 'no-store', credentials: 'omit' });
    } catch {
      return fail('internal', 'Lost contact with the Pitwall companion. Is it still running?');
    }
    if (res.status === 401) return fail('forbidden', 'The access token of this page is out of date. Open the address the companion printed at its last start.');
    try {
      return (await res.json()) as CallResult<MethodResult<M>>;
    } catch {
      return fail('internal', `The companion answered with HTTP ${res.status} and no readable result.`);
    }
  }

  /** live:watch is tied to this page's socket, so wait (briefly) until the socket said hello. */
  const socketReady = (): Promise<void> =>
    clientId
      ? Promise.resolve()
      : new Promise((resolve) => {
          helloWaiters.push(resolve);
          setTimeout(resolve, HELLO_WAIT_MS);
        });

  function connect(): void {
    if (!token) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`;
    const ws = new WebSocket(url, ['pitwall', `bearer.${token}`]);
    ws.onmessage = (msg) => {
      let data: { event?: unknown; payload?: unknown };
      try {
        data = JSON.parse(String(msg.data)) as typeof data;
      } catch {
        return;
      }
      if (data.event === 'hello') {
        clientId = (data.payload as { client?: string } | undefined)?.client ?? null;
        retryMs = 500;
        for (const w of helloWaiters) w();
        helloWaiters = [];
        if (connectedBefore) void resync();
        connectedBefore = true;
        return;
      }
      listeners.emit(data.event, data.payload);
    };
    ws.onclose = () => {
      clientId = null;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  }

  /** After a reconnect: the host released our watches, so take them again and refresh the list. */
  async function resync(): Promise<void> {
    for (const id of watched) await post('live:watch', { id });
    const list = await post('devices:list', {});
    if (list.ok) listeners.emit('devices:changed', list.value satisfies EventPayload<'devices:changed'>);
  }

  const api: PitwallApi = {
    async call(method, params) {
      if (method === 'live:watch' || method === 'live:unwatch') {
        await socketReady();
        const id = (params as { id: string }).id;
        const result = await post(method, params);
        if (result.ok) {
          if (method === 'live:watch') watched.add(id);
          else watched.delete(id);
        }
        return result;
      }
      return post(method, params);
    },
    on: (event, listener) => listeners.add(event, listener),
  };
  Object.defineProperty(window, 'pitwall', { value: Object.freeze(api), writable: false, configurable: false });
  connect();
}

if (!window.pitwall) install();

import type { CallResult, EventName, EventPayload, MethodName, MethodParams, MethodResult, PitwallApi } from '@pitwall/protocol';

declare global {
  interface Window {
    pitwall?: PitwallApi;
  }
}

/** The renderer's only way out: window.pitwall, from the Electron preload or the browser bridge. */
export function pitwall(): PitwallApi {
  const api = window.pitwall;
  if (!api) throw new Error('window.pitwall is missing: the page was opened outside the Pitwall companion.');
  return api;
}

export function call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<CallResult<MethodResult<M>>> {
  try {
    return pitwall().call(method, params);
  } catch (err) {
    return Promise.resolve({ ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } });
  }
}

export function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return window.pitwall ? window.pitwall.on(event, listener) : () => undefined;
}

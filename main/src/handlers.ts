import {
  CompanionError,
  isMethodName,
  paramsValidator,
  SchemaError,
  type CallResult,
  type CompanionHandlers,
  type MethodName,
  type MethodResult,
} from '@pitwall/protocol';

/** What the companion core (app/) serves; main adds 'app:info'. */
export type CoreHandlers = Omit<CompanionHandlers, 'app:info'>;

export type Dispatch = (method: unknown, rawParams: unknown) => Promise<CallResult<unknown>>;

export interface DispatchOptions {
  /** Called with unexpected (non-CompanionError) failures; never sent to the UI. */
  onInternalError?: (method: MethodName, err: unknown) => void;
}

/** The full handler map of the window.pitwall contract. */
export function buildHandlers(core: CoreHandlers, info: MethodResult<'app:info'>): CompanionHandlers {
  const appInfo = { ...info };
  return { ...core, 'app:info': async () => ({ ...appInfo }) };
}

/**
 * One entry point for both transports (Electron IPC and browser-mode HTTP): checks the method
 * name, validates params against the protocol schema, runs the handler and wraps the outcome in
 * the `{ ok, value } | { ok: false, error }` envelope. Only CompanionError messages reach the UI.
 */
export function createDispatch(handlers: CompanionHandlers, opts: DispatchOptions = {}): Dispatch {
  return async (method, rawParams) => {
    if (!isMethodName(method)) {
      const shown = typeof method === 'string' ? `"${method.slice(0, 64)}"` : typeof method;
      return { ok: false, error: { code: 'unknown-method', message: `Unknown method ${shown}.` } };
    }
    const params = rawParams === undefined ? {} : rawParams;
    try {
      paramsValidator(method).parse(params);
    } catch (err) {
      const detail = err instanceof SchemaError ? err.problems.join('; ') : 'invalid';
      return { ok: false, error: { code: 'invalid-params', message: `Invalid parameters for ${method}: ${detail}` } };
    }
    try {
      const handler = handlers[method] as (p: unknown) => Promise<unknown>;
      const value = await handler(params);
      return { ok: true, value };
    } catch (err) {
      if (err instanceof CompanionError) return { ok: false, error: { code: err.code, message: err.message } };
      opts.onInternalError?.(method, err);
      return { ok: false, error: { code: 'internal', message: `The companion failed while handling ${method}. Details are in its log.` } };
    }
  };
}

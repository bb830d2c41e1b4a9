import type { CallError, CallResult, MethodName, MethodParams, MethodResult, PitwallApi } from '@pitwall/protocol';

/** One call the stores made: what they asked, and (until answered) the way to answer it. */
export interface AskedCall<M extends MethodName = MethodName> {
  method: M;
  params: MethodParams<M>;
  answered: boolean;
  answer(result: CallResult<MethodResult<M>>): void;
}

type Handler = (params: never) => CallResult<unknown>;

export const ok = <T>(value: T): CallResult<T> => ({ ok: true, value });
export const fail = (code: CallError['code'], message = `${code} (from the fake bridge)`): CallResult<never> => ({ ok: false, error: { code, message } });

/**
 * window.pitwall for the renderer's stores, in-process: every call is recorded; a method with a
 * handler is answered at once, any other waits until the test answers it, so a test decides
 * the order answers arrive in (stale answers, races).
 */
export class FakeBridge implements PitwallApi {
  readonly calls: AskedCall[] = [];
  private readonly handlers = new Map<MethodName, Handler>();

  /** Answers every later call of `method` with `handler(params)`. */
  handle<M extends MethodName>(method: M, handler: (params: MethodParams<M>) => CallResult<MethodResult<M>>): this {
    this.handlers.set(method, handler as Handler);
    return this;
  }

  /** Later calls of `method` wait for the test again. */
  hold(method: MethodName): this {
    this.handlers.delete(method);
    return this;
  }

  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<CallResult<MethodResult<M>>> {
    return new Promise((resolve) => {
      const asked: AskedCall<M> = {
        method,
        params,
        answered: false,
        answer(result) {
          if (asked.answered) throw new Error(`${method} answered twice`);
          asked.answered = true;
          resolve(result);
        },
      };
      this.calls.push(asked as unknown as AskedCall);
      const handler = this.handlers.get(method);
      if (handler) asked.answer(handler(params as never) as CallResult<MethodResult<M>>);
    });
  }

  on(): () => void {
    return () => undefined;
  }

  /** The calls of `method` made so far (answered or not). */
  made<M extends MethodName>(method: M): AskedCall<M>[] {
    return this.calls.filter((c) => c.method === method) as unknown as AskedCall<M>[];
  }

  /** The one unanswered call of `method`; fails the test when there is none or several. */
  waiting<M extends MethodName>(method: M): AskedCall<M> {
    const open = this.made(method).filter((c) => !c.answered);
    if (open.length !== 1) throw new Error(`expected one unanswered ${method}, found ${open.length}`);
    return open[0]!;
  }
}

/** Installs a fresh fake as window.pitwall (Node has no window: the stores only read window.pitwall). */
export function installBridge(): FakeBridge {
  const bridge = new FakeBridge();
  (globalThis as { window?: unknown }).window = { pitwall: bridge };
  return bridge;
}

/** Lets answered promises run their continuations (the stores' awaits). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Runs in the hang watchdog's worker thread: reads where the (blocked) main thread is.
//
// A diagnostic report cannot do it: the report on a signal is written by a JavaScript signal
// handler, which runs on the main thread's event loop only after the block ends, and then has
// no JavaScript stack. The inspector can: a session opened from a worker with
// connectToMainThread() hands its messages to the main isolate through a V8 interrupt, which
// busy JavaScript code services at its next loop back-edge or call. `Debugger.pause` then
// stops the main thread where it is and reports its call frames. Code blocked inside a native
// call (a synchronous read of a pipe, a native addon) takes no interrupt: then no stack comes
// back within the time allowed, and the caller says so.
import type * as Inspector from 'node:inspector';

export interface MainStack {
  /** V8-style frames, innermost first: `    at fn (url:line:column)`. */
  frames: string[];
  /** The innermost function's name (or its location when anonymous). */
  top: string;
  /** Milliseconds from asking to getting the frames. */
  tookMs: number;
}

interface CallFrame {
  functionName: string;
  location: { scriptId: string; lineNumber: number; columnNumber?: number };
  url?: string;
}

/**
 * Pauses the main thread through the inspector and returns its stack, or an Error saying why
 * not (no inspector, no answer in `timeoutMs`). The main thread stays paused: the caller ends
 * the process after writing its dump.
 */
export async function captureMainStack(timeoutMs: number): Promise<MainStack | Error> {
  // Imported here: on a Node built without the inspector the import throws, and the watchdog
  // must still write its dump.
  let inspector: typeof Inspector;
  try {
    inspector = await import('node:inspector');
  } catch (err) {
    return new Error(`the inspector is not available in this process (${(err as Error).message})`);
  }
  return new Promise((resolve) => {
    const t0 = performance.now();
    let session: Inspector.Session;
    try {
      session = new inspector.Session();
      session.connectToMainThread();
    } catch (err) {
      resolve(new Error(`the inspector is not available in this process (${(err as Error).message})`));
      return;
    }
    const urls = new Map<string, string>();
    let done = false;
    const finish = (v: MainStack | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    };
    const timer = setTimeout(
      () => finish(new Error(`the main thread did not stop for the inspector within ${timeoutMs} ms (blocked inside a native call, not in JavaScript)`)),
      timeoutMs,
    );
    session.on('Debugger.scriptParsed', (m: { params: { scriptId: string; url: string } }) => {
      urls.set(m.params.scriptId, m.params.url);
    });
    session.on('Debugger.paused', (m: { params: { callFrames: CallFrame[] } }) => {
      const frames = m.params.callFrames;
      const first = frames[0];
      const top = !first ? 'no frame' : first.functionName || formatFrame(first, urls).replace(/^\s*at /, '').replace(/^.*\//, '');
      finish({ frames: frames.map((f) => formatFrame(f, urls)), top, tookMs: Math.round(performance.now() - t0) });
    });
    session.post('Debugger.enable', (err) => {
      if (err) return finish(new Error(`Debugger.enable: ${err.message}`));
      session.post('Debugger.pause', (e) => {
        if (e) finish(new Error(`Debugger.pause: ${e.message}`));
      });
    });
  });
}

export function formatFrame(f: CallFrame, urls: ReadonlyMap<string, string>): string {
  const url = f.url || urls.get(f.location.scriptId) || `<script ${f.location.scriptId}>`;
  const where = `${url}:${f.location.lineNumber + 1}:${(f.location.columnNumber ?? 0) + 1}`;
  return f.functionName ? `    at ${f.functionName} (${where})` : `    at ${where}`;
}

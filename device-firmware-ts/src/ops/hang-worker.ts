// Runs in a worker thread: watches the main thread's heartbeat and, when the event loop has
// been blocked past the limit, pauses the main thread through the inspector to read where it
// is stuck, writes a 'hang' dump with that stack and kills the process (the main thread cannot
// run its own handlers while blocked).
import { parentPort, workerData } from 'node:worker_threads';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LogRecord } from '@pitwall/protocol';
import { captureMainStack } from './main-thread-stack.js';
import type { HangWorkerData } from './hang-watchdog.js';

const d = workerData as HangWorkerData;
const beat = new BigInt64Array(d.heartbeat);
let state: Record<string, unknown> = {};
parentPort?.on('message', (m: { state?: Record<string, unknown>; stop?: boolean }) => {
  if (m.state) state = m.state;
  // Stays alive (the port is kept open): a worker exiting by itself while the main thread
  // calls process.exit() can deadlock the exit; a live worker is simply terminated.
  if (m.stop) clearInterval(timer);
});

/** This boot's last records from the tail of the log file. */
function tailRecords(max = 500): LogRecord[] {
  try {
    const fd = openSync(d.logFile, 'r');
    try {
      const size = fstatSync(fd).size;
      const len = Math.min(size, 512 * 1024);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      const out: LogRecord[] = [];
      for (const line of buf.toString('utf8').split('\n')) {
        if (!line.includes(d.boot)) continue;
        try {
          out.push(JSON.parse(line) as LogRecord);
        } catch {
          /* torn */
        }
      }
      return out.slice(-max);
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
}

/** Time allowed for the main thread to stop for the inspector (JavaScript stops in milliseconds). */
const STACK_TIMEOUT_MS = 2000;

async function dumpHang(blockedMs: number): Promise<void> {
  const main = await captureMainStack(STACK_TIMEOUT_MS).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  // Loaded only now: the dump's modules (protocol's schemas, the redaction rules) would hold
  // several MB in this thread's heap for the whole run, for a dump that is rarely written.
  const [{ openCrashStore }, { buildDump }, { Redactor }] = await Promise.all([import('./crash-store.js'), import('./crash-dump-builder.js'), import('./redactor.js')]);
  const store = openCrashStore(d.dataDir);
  const redactor = new Redactor();
  let report: unknown = null;
  try {
    report = process.report.getReport();
  } catch {
    /* none */
  }
  const blocked = `event loop blocked for ${(blockedMs / 1000).toFixed(1)} s (limit ${d.hangMs / 1000} s)`;
  const message =
    main instanceof Error
      ? `${blocked}; the main thread's stack could not be read: ${main.message}`
      : `${blocked} in ${main.top}; the stack is the main thread's, paused there by the watchdog`;
  store.writeSync(
    buildDump(
      { unit: d.unit, boot: d.boot, fw: d.fw, commit: d.commit, redactor },
      {
        id: store.newId('hang'),
        kind: 'hang',
        error: {
          name: 'Hang',
          message: `${message}; the diagnostic report is the watchdog thread's`,
          stack: main instanceof Error ? null : [`Hang: ${blocked}`, ...main.frames].join('\n'),
        },
        lastLogs: tailRecords(),
        state,
        report,
      },
    ),
  );
}

let dumping = false;
const timer = setInterval(() => {
  const blockedMs = Date.now() - Number(Atomics.load(beat, 0));
  if (blockedMs < d.hangMs || dumping) return;
  dumping = true;
  clearInterval(timer);
  dumpHang(blockedMs)
    .catch((err: Error) => process.stderr.write(`hang watchdog: dump failed: ${err.message}\n`))
    .finally(() => process.kill(process.pid, 'SIGKILL'));
}, Math.min(500, Math.max(50, d.hangMs / 4)));

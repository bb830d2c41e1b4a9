// Runs in a worker thread: watches the main thread's heartbeat and, when the event loop has
// been blocked past the limit, writes a 'hang' dump and kills the process (the main thread
// cannot run its own handlers while blocked).
import { parentPort, workerData } from 'node:worker_threads';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LogRecord } from '@pitwall/protocol';
import { openCrashStore } from './crash-store.js';
import { buildDump } from './crash-dump-builder.js';
import { Redactor } from './redactor.js';

interface HangWorkerData {
  heartbeat: SharedArrayBuffer;
  hangMs: number;
  dataDir: string;
  logFile: string;
  unit: string;
  boot: string;
  fw: string;
  commit: string;
}

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

const timer = setInterval(() => {
  const blockedMs = Date.now() - Number(Atomics.load(beat, 0));
  if (blockedMs < d.hangMs) return;
  clearInterval(timer);
  const store = openCrashStore(d.dataDir);
  const redactor = new Redactor();
  let report: unknown = null;
  try {
    report = process.report.getReport();
  } catch {
    /* none */
  }
  store.writeSync(
    buildDump(
      { unit: d.unit, boot: d.boot, fw: d.fw, commit: d.commit, redactor },
      {
        id: store.newId('hang'),
        kind: 'hang',
        error: {
          name: 'Hang',
          message: `event loop blocked for ${(blockedMs / 1000).toFixed(1)} s (limit ${d.hangMs / 1000} s); the main thread's stack cannot be read while it is blocked — the report is the watchdog thread's`,
          stack: null,
        },
        lastLogs: tailRecords(),
        state,
        report,
      },
    ),
  );
  process.kill(process.pid, 'SIGKILL');
}, Math.min(500, Math.max(50, d.hangMs / 4)));

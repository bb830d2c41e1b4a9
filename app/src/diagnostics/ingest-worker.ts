// The log ingest threads: 'store' turns staging files into rows in SQLite + FTS5, with a 'parse'
// thread it starts validating and redacting the frames ahead (log-parse.ts).
// This entry only lowers the thread's priority, then loads the rest (loading is CPU work too).
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';

// Indexing is background work: on Linux the nice value is per thread, so this lowers only this
// thread, and the transfer (main thread) and the UI keep the CPU when both want it.
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    /* not allowed: run at the normal priority */
  }
}
const data = workerData as { role: 'store'; dataDir: string } | { role: 'parse' };
if (data.role === 'parse') (await import('./log-parse.js')).serveParse(parentPort!);
else (await import('./ingest-worker-loop.js')).serveIngest(parentPort!, data.dataDir);

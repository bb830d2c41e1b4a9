// The log ingest worker thread: staging files -> validated, redacted rows in SQLite + FTS5.
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
const { serveIngest } = await import('./ingest-worker-loop.js');
serveIngest(parentPort!, (workerData as { dataDir: string }).dataDir);

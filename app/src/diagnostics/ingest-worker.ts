// The log parse thread (pipelined-ingest.ts): validates and redacts frames of log lines ahead
// of the one the store's writer thread is storing (log-parse.ts).
// This entry only lowers the thread's priority, then loads the rest (loading is CPU work too).
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';

// Parsing is background work: on Linux the nice value is per thread, so this lowers only this
// thread, and the transfer (main thread) and the UI keep the CPU when both want it.
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    /* not allowed: run at the normal priority */
  }
}
(await import('./log-parse.js')).serveParse(parentPort!);

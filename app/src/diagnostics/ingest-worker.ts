// The log ingest worker thread: staging files -> validated, redacted rows in SQLite + FTS5.
// Messages: {t:'open', id, path} {t:'written', id, bytes} {t:'finish', id} {t:'stop'}.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/database.js';
import { DiagnosticsStore } from './diagnostics-store.js';
import { StagedFileIngest } from './log-ingest.js';

type ToWorker = { t: 'open'; id: number; path: string } | { t: 'written'; id: number; bytes: number } | { t: 'finish'; id: number } | { t: 'stop' };

const port = parentPort!;
// Indexing is background work: on Linux the nice value is per thread, so this lowers only this
// thread, and the transfer (main thread) and the UI keep the CPU when both want it.
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    /* not allowed: run at the normal priority */
  }
}
const db = openDatabase((workerData as { dataDir: string }).dataDir);
const store = new DiagnosticsStore(db);
const files = new Map<number, StagedFileIngest>();

port.on('message', (m: ToWorker) => {
  if (m.t === 'stop') {
    for (const f of files.values()) f.abandon();
    files.clear();
    db.close();
    port.close();
    return;
  }
  try {
    if (m.t === 'open') {
      files.set(m.id, new StagedFileIngest(store, m.path, (added, records) => port.postMessage({ t: 'commit', id: m.id, added, records })));
    } else if (m.t === 'written') {
      files.get(m.id)?.step(m.bytes);
    } else if (m.t === 'finish') {
      const f = files.get(m.id);
      if (!f) return port.postMessage({ t: 'failed', id: m.id, message: 'no such staging file open' });
      files.delete(m.id);
      port.postMessage({ t: 'done', id: m.id, result: f.finish() });
    }
  } catch (err) {
    files.get(m.id)?.abandon();
    files.delete(m.id);
    port.postMessage({ t: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
});

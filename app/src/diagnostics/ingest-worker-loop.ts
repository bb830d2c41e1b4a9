import type { MessagePort } from 'node:worker_threads';
import { openDatabase } from '../store/database.js';
import { DiagnosticsStore } from './diagnostics-store.js';
import { StagedFileIngest } from './log-ingest.js';

type ToWorker = { t: 'open'; id: number; path: string } | { t: 'written'; id: number; bytes: number } | { t: 'finish'; id: number } | { t: 'stop' };

/**
 * The ingest worker's message loop, on its own connection to the database in `dataDir`.
 * Messages: {t:'open', id, path} {t:'written', id, bytes} {t:'finish', id} {t:'stop'}; answers
 * {t:'commit', id, added, records} after each frame, then {t:'done', id, result} or {t:'failed', id, message}.
 */
export function serveIngest(port: MessagePort, dataDir: string): void {
  const db = openDatabase(dataDir);
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
}

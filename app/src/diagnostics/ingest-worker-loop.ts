import type { MessagePort } from 'node:worker_threads';
import type { Db } from '../store/database.js';
import { failureText } from '../store/store-errors.js';
import { LogWriter } from './log-writer.js';
import { StagedFileIngest } from './log-ingest.js';
import { FrameParseThread, PipelinedFileIngest } from './pipelined-ingest.js';

type ToWorker = { t: 'open'; id: number; path: string } | { t: 'written'; id: number; bytes: number } | { t: 'finish'; id: number } | { t: 'stop' };

/**
 * A log ingest channel on the store's writer thread (store-writer.ts), on the writer's
 * connection, with a parse thread parsing frames ahead of the one being stored.
 * Messages: {t:'open', id, path} {t:'written', id, bytes} {t:'finish', id} {t:'stop'}; answers
 * {t:'commit', id, added, records} after each frame, then {t:'done', id, result} or {t:'failed', id, message}.
 */
export function serveIngest(port: MessagePort, db: Db): void {
  const store = new LogWriter(db);
  const parser = new FrameParseThread((m) => port.postMessage({ t: 'log', message: m }));
  const files = new Map<number, PipelinedFileIngest>();
  // A database failure (damaged, read-only, disk full) carries its sentence for the user.
  const failed = (id: number, err: unknown) => port.postMessage({ t: 'failed', id, message: failureText(err) });

  port.on('message', (m: ToWorker) => {
    if (m.t === 'stop') {
      for (const f of files.values()) f.abandon();
      files.clear();
      void parser.close();
      port.close();
      return;
    }
    if (m.t === 'open') {
      try {
        files.set(m.id, new PipelinedFileIngest(new StagedFileIngest(store, m.path, (added, records) => port.postMessage({ t: 'commit', id: m.id, added, records })), parser));
      } catch (err) {
        failed(m.id, err);
      }
    } else if (m.t === 'written') {
      files.get(m.id)?.written(m.bytes);
    } else if (m.t === 'finish') {
      const f = files.get(m.id);
      if (!f) return failed(m.id, new Error('no such staging file open'));
      files.delete(m.id);
      f.finish().then(
        (result) => port.postMessage({ t: 'done', id: m.id, result }),
        (err: unknown) => {
          f.abandon();
          failed(m.id, err);
        },
      );
    }
  });
}

// A session sync's channel on the store's writer thread (ingest-thread.ts sends, store-writer.ts
// opens the channel): requests are handled in the order they were sent, on the writer's connection.
import type { MessagePort } from 'node:worker_threads';
import type { Db } from '../store/database.js';
import { failureText } from '../store/store-errors.js';
import { IngestJobs } from './ingest-jobs.js';
import type { IngestReply, IngestRequest } from './ingest-thread.js';
import { PartialSessions } from './partial-sessions.js';

export function serveSessionIngest(port: MessagePort, db: Db): void {
  const jobs = new IngestJobs(new PartialSessions(db));
  const answer = (req: number, fn: () => unknown): void => {
    let reply: IngestReply;
    try {
      reply = { kind: 'done', req, ok: true, value: fn() };
    } catch (err) {
      reply = { kind: 'done', req, ok: false, error: failureText(err) };
    }
    port.postMessage(reply);
  };
  port.on('message', (m: IngestRequest) => {
    switch (m.op) {
      case 'begin':
        return jobs.begin(m.job, m.header, m.meta);
      case 'append':
        jobs.append(m.job, m.rows);
        return port.postMessage({ kind: 'ack', rows: m.count } satisfies IngestReply);
      case 'complete':
        return answer(m.req, () => jobs.complete(m.job, m.session, m.laps));
      case 'drop':
        return answer(m.req, () => jobs.drop(m.job));
      case 'close':
        // Everything sent before is committed: the sync may go on. The channel closes (the
        // writer then checkpoints the write-ahead log).
        answer(m.req, () => undefined);
        port.close();
        return;
    }
  });
}

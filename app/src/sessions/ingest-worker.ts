// The ingest thread (ingest-thread.ts): one connection to the companion's database, one
// writer; requests are handled in the order they were sent.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabaseFile } from '../store/database.js';
import { IngestJobs } from './ingest-jobs.js';
import type { IngestReply, IngestRequest, IngestWorkerData } from './ingest-thread.js';
import { PartialSessions } from './partial-sessions.js';

const port = parentPort!;
const { file } = workerData as IngestWorkerData;
const db = openDatabaseFile(file);
// A checkpoint (copying the write-ahead log into the database, with an fsync) every 4 MB of
// rows took a third of the ingest time: here it runs once, after the sync (see 'close'), and
// only a very long sync reaches this bound.
db.pragma('wal_autocheckpoint = 32768');
const jobs = new IngestJobs(new PartialSessions(db));

function answer(req: number, fn: () => unknown): void {
  let reply: IngestReply;
  try {
    reply = { kind: 'done', req, ok: true, value: fn() };
  } catch (err) {
    reply = { kind: 'done', req, ok: false, error: (err as Error).message };
  }
  port.postMessage(reply);
}

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
      // Everything sent before is committed: the sync may go on. Then the log goes into the
      // database, and the thread ends.
      answer(m.req, () => undefined);
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
      } finally {
        db.close();
        port.close();
      }
      return;
  }
});

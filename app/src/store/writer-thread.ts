// The store's writer thread (store-writer.ts): the only write connection to the companion's
// database. It runs the main thread's small writes (blocked callers, answered through an
// Atomics flag) and the ingest streams (log staging files, session syncs) on their channels.
// It runs at the normal priority: the main thread waits for it (a lower one would make the UI
// wait behind any other busy process), and a sync's ingest must keep up with the link. The
// log ingest's CPU-heavy half, parsing and redaction, runs on its own thread at a lower one.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDatabaseFile, type Db } from './database.js';
import { toStoreError } from './store-errors.js';
import { runPosted, type ChannelKind, type WriterReply, type WriterRequest, type WriterThreadData } from './store-writer.js';
import { runWrite } from './write-ops.js';
import { setYieldHook } from './writer-yield.js';

const { file, migrations, signal, port } = workerData as WriterThreadData;
const flag = new Int32Array(signal);
let db: Db | null = null;
let openError: unknown = null;
try {
  db = openDatabaseFile(file, migrations);
  // A checkpoint (copying the write-ahead log into the database, with an fsync) every 4 MB of
  // rows took a third of a session ingest: it runs when an ingest stream ends, and only a very
  // long one reaches this bound.
  db.pragma('wal_autocheckpoint = 32768');
} catch (err) {
  openError = err;
}

function reply(m: WriterReply): void {
  port.postMessage(m);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

/** A quiet moment: the write-ahead log goes into the database file (readers may hold part of it back). */
function checkpoint(): void {
  try {
    db?.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    /* the next one will */
  }
}

async function serveChannel(kind: ChannelKind, channel: MessagePort, conn: Db): Promise<void> {
  channel.once('close', checkpoint);
  if (kind === 'sessions') (await import('../sessions/ingest-worker.js')).serveSessionIngest(channel, conn);
  else (await import('../diagnostics/ingest-worker-loop.js')).serveIngest(channel, conn);
}

function handle(m: WriterRequest): void {
  // Nobody waits for these: no reply, a failure is a warning.
  if (m.op === '#posted' && 'writes' in m) return void (db && runPosted(db, m.writes, (op, kind, detail) => port.postMessage({ seq: 0, ok: false, op, kind, detail } satisfies WriterReply)));
  try {
    if (openError) throw openError;
    const conn = db;
    if (!conn) throw new Error('the store writer is closed');
    if (m.op === '#ready') return reply({ seq: m.seq, ok: true, value: null });
    if (m.op === '#channel' && 'kind' in m) {
      const { kind, port: channel } = m;
      void serveChannel(kind, channel, conn).catch((err: unknown) => channel.postMessage({ t: 'log', message: `store writer: ${(err as Error).message}` }));
      return reply({ seq: m.seq, ok: true, value: null });
    }
    if (m.op === '#close') {
      db = null;
      conn.close();
      reply({ seq: m.seq, ok: true, value: null });
      port.close();
      return;
    }
    reply({ seq: m.seq, ok: true, value: runWrite(conn, m.op, 'args' in m ? m.args : []) });
  } catch (err) {
    const e = toStoreError(err);
    reply({ seq: m.seq, ok: false, kind: e.kind, detail: e.detail });
  }
}

port.on('message', handle);
// A long ingest lets the blocked main thread's writes in between two of its transactions.
setYieldHook(() => {
  for (let got = receiveMessageOnPort(port); got; got = receiveMessageOnPort(port)) handle(got.message as WriterRequest);
});

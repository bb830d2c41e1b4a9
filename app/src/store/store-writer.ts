import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorkerModule } from '../worker-module.js';
import type { Db } from './database.js';
import type { Migration } from './migrations.js';
import { StoreError, toStoreError, type StoreErrorKind } from './store-errors.js';
import { runWrite, type WriteArgs, type WriteOp, type WriteResult } from './write-ops.js';

/** The writer thread's ingest streams: log staging files, session syncs. */
export type ChannelKind = 'logs' | 'sessions';

/**
 * The one writer of a companion database. Every write goes through it: the main thread's
 * small writes by name (write-ops.ts), synchronous as before; the ingests as streams of
 * messages on their own channel. For a database file it is a thread that owns the only write
 * connection; the main thread's connection is read-only (`query_only`).
 */
export interface StoreWriter {
  run<K extends WriteOp>(op: K, ...args: WriteArgs<K>): WriteResult<K>;
  /**
   * A write nobody waits for (a unit's last-seen time): queued, and sent with the others of the
   * same turn of the event loop as one transaction, before any later `run`. A failure is a
   * process warning, not the caller's error.
   */
  post<K extends WriteOp>(op: K, ...args: WriteArgs<K>): void;
  /** The same, handing the buffers over instead of copying them. */
  runTransferring<K extends WriteOp>(transfer: ArrayBuffer[], op: K, ...args: WriteArgs<K>): WriteResult<K>;
  /** A port to the writer thread for an ingest stream, or null when writes run inline (an in-memory store). */
  channel(kind: ChannelKind): MessagePort | null;
  close(): void;
}

/** Writes on the caller's own connection: an in-memory store, which no other thread can open. */
export class InlineWriter implements StoreWriter {
  constructor(private readonly db: Db) {}
  run<K extends WriteOp>(op: K, ...args: WriteArgs<K>): WriteResult<K> {
    try {
      return runWrite(this.db, op, args) as WriteResult<K>;
    } catch (err) {
      throw toStoreError(err);
    }
  }
  runTransferring<K extends WriteOp>(_transfer: ArrayBuffer[], op: K, ...args: WriteArgs<K>): WriteResult<K> {
    return this.run(op, ...args);
  }
  post<K extends WriteOp>(op: K, ...args: WriteArgs<K>): void {
    runPosted(this.db, [{ op, args }], warnPostedFailure);
  }
  channel(): null {
    return null;
  }
  close(): void {}
}

/** A write sent without waiting for its answer (StoreWriter.post). */
export interface PostedWrite {
  op: string;
  args: unknown[];
}

/** A posted write's failure, as the main thread reports it. */
export function warnPostedFailure(op: string, kind: StoreErrorKind, detail: string): void {
  process.emitWarning(`store write ${op} failed (${kind}): ${detail}`, 'PitwallStoreWarning');
}

/** Runs posted writes in one transaction; each that fails is undone alone and handed to `failed`. Never throws. */
export function runPosted(db: Db, writes: readonly PostedWrite[], failed: (op: string, kind: StoreErrorKind, detail: string) => void): void {
  const fail = (op: string, err: unknown) => {
    const e = toStoreError(err);
    failed(op, e.kind, e.detail);
  };
  try {
    db.transaction(() => {
      for (const w of writes) {
        try {
          db.transaction(() => runWrite(db, w.op, w.args))();
        } catch (err) {
          fail(w.op, err);
        }
      }
    })();
  } catch (err) {
    fail(writes.map((w) => w.op).join(', '), err);
  }
}

export type WriterRequest =
  | { seq: number; op: '#ready' | '#close' }
  | { seq: number; op: '#posted'; writes: PostedWrite[] }
  | { seq: number; op: '#channel'; kind: ChannelKind; port: MessagePort }
  | { seq: number; op: string; args: unknown[] };
/** seq 0: a posted write failed (`op` names it); nobody waits for it. */
export type WriterReply = { seq: number; ok: true; value: unknown } | { seq: number; ok: false; kind: StoreErrorKind; detail: string; op?: string };

export interface WriterThreadData {
  file: string;
  migrations: readonly Migration[];
  /** Int32 flag the thread sets to 1 (and notifies) after each reply. */
  signal: SharedArrayBuffer;
  port: MessagePort;
}

/** How long the main thread waits for the writer: its start (migrations), then any one write. */
const START_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 30_000;

/**
 * The writer thread. A call posts its request and blocks on an Atomics flag until the reply
 * is there (as a synchronous SQLite call blocked on the lock before; the thread runs waiting
 * calls between two ingest transactions, so a call waits for one transaction at most).
 */
export class ThreadWriter implements StoreWriter {
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private seq = 0;
  private closed = false;
  private posted: PostedWrite[] = [];

  constructor(file: string, migrations: readonly Migration[]) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: WriterThreadData = { file, migrations, signal: this.signal.buffer as SharedArrayBuffer, port: port2 };
    this.worker = startWorkerModule(import.meta.url, 'writer-thread', data, '', [port2]);
    this.worker.unref();
    // Between calls: a posted write's failure (and the late answer of a call that timed out, dropped).
    this.port.on('message', (m: WriterReply) => this.postedFailure(m));
    this.port.unref();
    try {
      this.call({ op: '#ready' }, [], START_TIMEOUT_MS);
    } catch (err) {
      this.closed = true;
      void this.worker.terminate();
      throw err;
    }
  }

  run<K extends WriteOp>(op: K, ...args: WriteArgs<K>): WriteResult<K> {
    return this.call({ op, args }, []) as WriteResult<K>;
  }

  runTransferring<K extends WriteOp>(transfer: ArrayBuffer[], op: K, ...args: WriteArgs<K>): WriteResult<K> {
    return this.call({ op, args }, transfer) as WriteResult<K>;
  }

  post<K extends WriteOp>(op: K, ...args: WriteArgs<K>): void {
    if (this.closed) return;
    if (this.posted.length === 0) setImmediate(() => this.sendPosted());
    this.posted.push({ op, args });
  }

  private postedFailure(m: WriterReply): void {
    if (m.seq === 0 && !m.ok) warnPostedFailure(m.op ?? 'posted', m.kind, m.detail);
  }

  private sendPosted(): void {
    if (this.posted.length === 0 || this.closed) return;
    const writes = this.posted;
    this.posted = [];
    this.port.postMessage({ op: '#posted', seq: 0, writes });
  }

  channel(kind: ChannelKind): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.call({ op: '#channel', kind, port: port2 }, [port2]);
    return port1;
  }

  /** Ends the thread after its connection closed (the write-ahead log checkpointed). */
  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: '#close' }, [], CALL_TIMEOUT_MS);
    } finally {
      this.closed = true;
      this.port.close();
      void this.worker.terminate();
    }
  }

  private call(request: { op: string; [field: string]: unknown }, transfer: (ArrayBuffer | MessagePort)[], timeoutMs = CALL_TIMEOUT_MS): unknown {
    if (this.closed) throw new StoreError('unavailable', 'the store writer is closed');
    // Writes posted before this call run before it.
    this.sendPosted();
    const seq = ++this.seq;
    this.port.postMessage({ ...request, seq }, transfer);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Reset before looking: a reply that lands after the look sets the flag again, so the wait returns.
      Atomics.store(this.signal, 0, 0);
      for (let got = receiveMessageOnPort(this.port); got; got = receiveMessageOnPort(this.port)) {
        const reply = got.message as WriterReply;
        if (reply.seq !== seq) {
          this.postedFailure(reply); // else the late answer to a call that timed out
          continue;
        }
        if (reply.ok) return reply.value;
        throw new StoreError(reply.kind, reply.detail);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new StoreError('busy', `no answer from the store writer in ${timeoutMs} ms`);
      Atomics.wait(this.signal, 0, 0, left);
    }
  }
}

const writers = new WeakMap<Db, StoreWriter>();

/** Ties a connection to its store's writer (database.ts does, on open). */
export function registerWriter(db: Db, writer: StoreWriter): void {
  writers.set(db, writer);
}

/** The writer of the store `db` reads: every write of the repositories goes through it. */
export function storeWriter(db: Db): StoreWriter {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = new InlineWriter(db)));
  return w;
}

import type { MessagePort } from 'node:worker_threads';
import type { StoreWriter } from '../store/store-writer.js';
import type { LogWriter } from './log-writer.js';
import { StagedFileIngest, type StagedFileResult } from './log-ingest.js';

/** One staging file being ingested while the transfer still appends to it. */
export interface IngestFile {
  /** Whole frames are in the file up to `bytes`. */
  written(bytes: number): void;
  /** No more frames come: resolves when every record is in the store (durably) and the file is deleted. */
  finish(): Promise<StagedFileResult>;
}

/** Turns staging files into store rows: on the store's writer thread (a database file), or in-process. */
export interface Ingester {
  open(path: string, onCommit?: (added: number, records: number) => void): IngestFile;
  close(): Promise<void>;
}

/** In-process ingest (an in-memory store, which a worker cannot share): between I/O callbacks. */
export class InlineIngester implements Ingester {
  constructor(private readonly store: LogWriter) {}

  open(path: string, onCommit?: (added: number, records: number) => void): IngestFile {
    let file: StagedFileIngest | null = null;
    let error: Error | null = null;
    let limit = 0;
    let scheduled = false;
    const guard = (fn: () => void): void => {
      if (error) return;
      try {
        fn();
      } catch (err) {
        error = err as Error;
      }
    };
    guard(() => (file = new StagedFileIngest(this.store, path, onCommit)));
    const run = (): void => {
      scheduled = false;
      guard(() => file!.step(limit));
    };
    return {
      written: (bytes) => {
        limit = Math.max(limit, bytes);
        if (!scheduled) {
          scheduled = true;
          setImmediate(run);
        }
      },
      finish: async () => {
        await new Promise((r) => setImmediate(r));
        let result: StagedFileResult | null = null;
        guard(() => (result = file!.finish()));
        if (error) {
          file?.abandon();
          throw error;
        }
        return result!;
      },
    };
  }

  async close(): Promise<void> {}
}

type FromWorker =
  | { t: 'log'; message: string }
  | { t: 'commit'; id: number; added: number; records: number }
  | { t: 'done'; id: number; result: StagedFileResult }
  | { t: 'failed'; id: number; message: string };

interface Pending {
  onCommit?: (added: number, records: number) => void;
  resolve: (r: StagedFileResult) => void;
  reject: (e: Error) => void;
}

/**
 * Ingest on the store's writer thread: parsing, validation, redaction, SQLite and FTS5 run
 * beside the transfer instead of in its way. One channel for all units, files in the order
 * they were opened. On Linux the parse thread runs at a lower CPU priority than the transfer and the UI.
 */
export class WorkerIngester implements Ingester {
  private port: MessagePort | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly writer: StoreWriter,
    private readonly log: (m: string) => void = () => undefined,
  ) {}

  private start(): MessagePort {
    if (this.port) return this.port;
    const port = this.writer.channel('logs');
    if (!port) throw new Error('this store has no writer thread (a store in memory ingests inline)');
    port.on('message', (m: FromWorker) => {
      if (m.t === 'log') return this.log(m.message);
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.t === 'commit') return p.onCommit?.(m.added, m.records);
      this.pending.delete(m.id);
      if (this.pending.size === 0) port.unref();
      if (m.t === 'done') p.resolve(m.result);
      else p.reject(new Error(`log ingest failed: ${m.message}`));
    });
    port.once('close', () => {
      if (this.port === port) this.port = null;
      for (const p of this.pending.values()) p.reject(new Error('log ingest stopped (the store writer closed its channel)'));
      this.pending.clear();
    });
    port.unref();
    this.port = port;
    return port;
  }

  open(path: string, onCommit?: (added: number, records: number) => void): IngestFile {
    const port = this.start();
    const id = this.nextId++;
    const done = new Promise<StagedFileResult>((resolve, reject) => this.pending.set(id, { onCommit, resolve, reject }));
    done.catch(() => undefined);
    port.ref();
    port.postMessage({ t: 'open', id, path });
    return {
      written: (bytes) => port.postMessage({ t: 'written', id, bytes }),
      finish: () => {
        port.postMessage({ t: 'finish', id });
        return done;
      },
    };
  }

  /** Lets the writer end its current transaction and close the channel (given up after 5 s). */
  async close(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.port = null;
    const closed = new Promise((r) => port.once('close', r));
    port.postMessage({ t: 'stop' });
    const timer = setTimeout(() => port.close(), 5000);
    await closed;
    clearTimeout(timer);
  }
}

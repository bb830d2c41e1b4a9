import type { Worker } from 'node:worker_threads';
import { LOW_PRIORITY_PRELUDE, startWorkerModule } from '../worker-module.js';
import type { DiagnosticsStore } from './diagnostics-store.js';
import { StagedFileIngest, type StagedFileResult } from './log-ingest.js';

/** One staging file being ingested while the transfer still appends to it. */
export interface IngestFile {
  /** Whole frames are in the file up to `bytes`. */
  written(bytes: number): void;
  /** No more frames come: resolves when every record is in the store (durably) and the file is deleted. */
  finish(): Promise<StagedFileResult>;
}

/** Turns staging files into store rows: in a worker thread (a database file), or in-process. */
export interface Ingester {
  open(path: string, onCommit?: (added: number, records: number) => void): IngestFile;
  close(): Promise<void>;
}

/** In-process ingest (an in-memory store, which a worker cannot share): between I/O callbacks. */
export class InlineIngester implements Ingester {
  constructor(private readonly store: DiagnosticsStore) {}

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
 * Ingest in a worker thread with its own connection to the database file: parsing, validation,
 * redaction, SQLite and FTS5 run beside the transfer instead of in its way. One worker for all
 * units (the single writer of the log tables), files in the order they were opened. On Linux
 * the worker runs at a lower CPU priority than the transfer and the UI.
 */
export class WorkerIngester implements Ingester {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly dataDir: string,
    private readonly log: (m: string) => void = () => undefined,
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    // From the TypeScript sources the worker lowers its priority before it loads tsx.
    const worker = startWorkerModule(import.meta.url, 'ingest-worker', { role: 'store', dataDir: this.dataDir }, LOW_PRIORITY_PRELUDE);
    worker.on('message', (m: FromWorker) => {
      if (m.t === 'log') return this.log(m.message);
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.t === 'commit') return p.onCommit?.(m.added, m.records);
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.t === 'done') p.resolve(m.result);
      else p.reject(new Error(`log ingest failed: ${m.message}`));
    });
    const fail = (err: Error): void => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => {
      this.log(`log ingest worker: ${err.message}`);
      fail(new Error(`log ingest stopped: ${err.message}`));
    });
    worker.on('exit', (code) => fail(new Error(`log ingest stopped (worker exit ${code})`)));
    this.worker = worker;
    return worker;
  }

  open(path: string, onCommit?: (added: number, records: number) => void): IngestFile {
    const worker = this.start();
    const id = this.nextId++;
    const done = new Promise<StagedFileResult>((resolve, reject) => this.pending.set(id, { onCommit, resolve, reject }));
    done.catch(() => undefined);
    worker.ref();
    worker.postMessage({ t: 'open', id, path });
    return {
      written: (bytes) => worker.postMessage({ t: 'written', id, bytes }),
      finish: () => {
        worker.postMessage({ t: 'finish', id });
        return done;
      },
    };
  }

  /** Lets the worker end its current transaction and close its connection (killed after 5 s). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const exited = new Promise((r) => worker.once('exit', r));
    worker.postMessage({ t: 'stop' });
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}

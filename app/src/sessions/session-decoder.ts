import type { Worker } from 'node:worker_threads';
import type { TrackDefinition } from '@pitwall/protocol';
import { startWorkerModule } from '../worker-module.js';
import type { TimedLaps } from './lap-analysis.js';
import type { DecodedRows, DecodeReply, DecodeRequest } from './session-decode-worker.js';
import type { StreamedSession } from './stream-decoder.js';

export type { DecodedRows } from './session-decode-worker.js';

/** A decoded session and its laps, ready to complete in the store. */
export interface DecodedSession {
  session: StreamedSession;
  laps: TimedLaps;
}

/** One session's download as the decoder sees it. */
export interface DecodeJob {
  unitId: string;
  sessionId: string;
  /** The layouts to time laps on; pass the same array for a sync's sessions (a new one is copied to the thread). */
  tracks: readonly TrackDefinition[];
  /** Decoded rows, in order; a returned promise holds the downloads until it settles (the store is behind). */
  onRows(rows: DecodedRows): Promise<void> | void;
}

/**
 * Decodes a sync's sessions on a thread of its own (session-decode-worker.ts), so the main
 * thread, which serves the UI and the device API, only moves bytes. Bytes handed over but not
 * yet decoded are bounded, and rows the store has not taken stop the flow: past the bound, or
 * while the store is behind, `push` returns a promise and the downloads pause. If the thread dies, its sessions fail with a sentence
 * (their rows are dropped by the sync) and the next session starts a new thread.
 */
export interface SessionDecoder {
  /** Resolves once the thread has the job (and its track list): push after it. */
  open(job: number, o: DecodeJob): Promise<void>;
  /** Bytes of a job at their file offset (a gap spoils the stream); copied, the caller keeps its buffer. */
  push(job: number, offset: number, bytes: Uint8Array): Promise<void> | void;
  /** After a download that came in one clean piece of `size` bytes: the session, or null to decode the whole file. */
  end(job: number, size: number): Promise<DecodedSession | null>;
  /** The whole verified file at `path` (its rows go to `onRows` first). */
  whole(job: number, path: string): Promise<DecodedSession>;
  /** How many bytes of a partial file can be trusted (session-download.ts's verifiedPrefix). */
  verifiedPrefix(path: string): Promise<number>;
  forget(job: number): void;
  /** Threads started so far (one that died is replaced by the next session's). */
  started(): number;
  /** Ends the thread at once (as a crash would); what it had open fails. */
  terminate(): Promise<void>;
  close(): Promise<void>;
}

/** Bytes handed over but not yet decoded and stored, beyond which the downloads wait. */
const INFLIGHT_BYTES = 8 * 1024 * 1024;
/** Tracks per message when a track list goes to the thread. */
const TRACKS_PER_POST = 8;

/** One decoder thread and what waits on it. */
class DecoderThread {
  readonly worker: Worker;
  broken: Error | null = null;
  private req = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private inflight = 0;
  /** The track list this thread holds (sent again only when another list comes). */
  private tracks: readonly TrackDefinition[] | null = null;
  private tracksSent: Promise<void> = Promise.resolve();
  /** Rows the store has not taken yet (its promise pending): the downloads wait meanwhile. */
  private stalled = 0;
  private readonly behind: (() => void)[] = [];
  readonly ended: Promise<void>;

  constructor(
    private readonly jobs: Map<number, DecodeJob>,
    private readonly bound: number,
  ) {
    this.worker = startWorkerModule(import.meta.url, 'session-decode-worker', null);
    this.worker.on('message', (m: DecodeReply) => this.reply(m));
    this.worker.on('error', (err) => this.fail(`the session decoder failed (${err.message})`));
    this.ended = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.fail(`the session decoder thread stopped (exit code ${code})`);
        resolve();
      }),
    );
  }

  private reply(m: DecodeReply): void {
    if (m.kind === 'ack') {
      const job = m.rows ? this.jobs.get(m.job) : undefined;
      let wait: Promise<void> | void = undefined;
      try {
        if (job && m.rows) wait = job.onRows(m.rows);
      } finally {
        if (wait) {
          this.stalled++;
          const release = () => {
            this.stalled--;
            this.release(m.bytes);
          };
          void wait.then(release, release);
        } else this.release(m.bytes);
      }
      return;
    }
    const w = this.waiting.get(m.req);
    this.waiting.delete(m.req);
    if (m.ok) w?.resolve(m.value);
    else w?.reject(new Error(m.error));
  }

  private release(bytes: number): void {
    this.inflight -= bytes;
    if (this.inflight < this.bound / 2 && this.stalled === 0) for (const go of this.behind.splice(0)) go();
  }

  private fail(why: string): void {
    this.broken ??= new Error(`${why}: the session was not stored; the next sync fetches it again`);
    for (const w of this.waiting.values()) w.reject(this.broken);
    this.waiting.clear();
    for (const go of this.behind.splice(0)) go();
  }

  /** Sends a track list in parts, a turn each: a clone of the whole catalog would hold this thread up to 130 ms. */
  sendTracks(tracks: readonly TrackDefinition[]): Promise<void> {
    if (this.tracks !== tracks) {
      this.tracks = tracks;
      const before = this.tracksSent;
      this.tracksSent = (async () => {
        // After the list before it, whole: parts of two lists must not interleave.
        await before.catch(() => undefined);
        for (let i = 0; i === 0 || i < tracks.length; i += TRACKS_PER_POST) {
          if (i > 0) await new Promise((r) => setImmediate(r));
          this.post({ op: 'tracks', first: i === 0, part: tracks.slice(i, i + TRACKS_PER_POST) });
        }
      })();
    }
    return this.tracksSent;
  }

  post(m: DecodeRequest, transfer: ArrayBuffer[] = []): void {
    if (this.broken) throw this.broken;
    this.worker.postMessage(m, transfer);
  }

  request<T>(make: (req: number) => DecodeRequest): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    const req = ++this.req;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(req, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage(make(req));
    });
  }

  push(job: number, offset: number, bytes: Uint8Array): Promise<void> | void {
    // A copy of its own, moved (not cloned) to the thread: a socket's buffer may share its memory.
    const copy = new Uint8Array(bytes);
    // Counted before the move: a moved buffer reads as empty here.
    this.inflight += bytes.length;
    this.post({ op: 'data', job, offset, bytes: copy }, [copy.buffer]);
    if (this.inflight >= this.bound || this.stalled > 0) return new Promise((resolve) => this.behind.push(resolve));
  }
}

/** `inflightBytes`: the bound on bytes handed over and not yet decoded and stored. */
export function openSessionDecoder(o: { inflightBytes?: number } = {}): SessionDecoder {
  const jobs = new Map<number, DecodeJob>();
  let current: DecoderThread | null = null;
  let started = 0;
  const live = (): DecoderThread => {
    if (!current || current.broken) {
      current = new DecoderThread(jobs, o.inflightBytes ?? INFLIGHT_BYTES);
      started++;
    }
    return current;
  };
  /** The thread each open job was opened on (a job does not move to a new thread). */
  const threadOf = new Map<number, DecoderThread>();
  const thread = (job: number): DecoderThread => {
    const t = threadOf.get(job);
    if (!t) throw new Error(`the session decoder has no download ${job} open`);
    return t;
  };
  return {
    async open(job, o) {
      const t = live();
      jobs.set(job, o);
      threadOf.set(job, t);
      await t.sendTracks(o.tracks);
      t.post({ op: 'open', job, unitId: o.unitId, sessionId: o.sessionId });
    },
    push: (job, offset, bytes) => thread(job).push(job, offset, bytes),
    end: (job, size) => thread(job).request((req) => ({ op: 'end', req, job, size })),
    whole: (job, path) => thread(job).request((req) => ({ op: 'whole', req, job, path })),
    verifiedPrefix: (path) => live().request((req) => ({ op: 'prefix', req, path })),
    forget(job) {
      const t = threadOf.get(job);
      jobs.delete(job);
      threadOf.delete(job);
      if (t && !t.broken) t.post({ op: 'forget', job });
    },
    started: () => started,
    async terminate() {
      const t = current;
      if (!t) return;
      await t.worker.terminate();
      await t.ended;
    },
    async close() {
      const t = current;
      current = null;
      if (!t) return;
      await t.worker.terminate();
      await t.ended;
    },
  };
}

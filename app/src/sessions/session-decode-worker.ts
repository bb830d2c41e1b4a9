// The session decoder's thread (session-decoder.ts starts it): a sync's downloaded bytes are
// decoded here, chunk by chunk (CRC checks, IMU blocks, fixes into rows, lap timing), so the
// companion's main thread only moves bytes. Whatever a unit sent, a fault is an answer, never a
// throw past a handler: a corrupt stream is only spoiled, a corrupt whole file a refusal.
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import type { SessionHeader, TrackDefinition } from '@pitwall/protocol';
import { recomputeLaps, StreamingLaps } from './lap-analysis.js';
import { fixRows } from './sample-rows.js';
import { verifiedPrefix } from './session-download.js';
import { decodeVerified, StreamDecoder } from './stream-decoder.js';

export type DecodeRequest =
  | { op: 'tracks'; first: boolean; part: TrackDefinition[] }
  | { op: 'open'; job: number; unitId: string; sessionId: string }
  | { op: 'data'; job: number; offset: number; bytes: Uint8Array }
  | { op: 'end'; req: number; job: number; size: number }
  | { op: 'whole'; req: number; job: number; path: string }
  | { op: 'prefix'; req: number; path: string }
  | { op: 'forget'; job: number };

/** Decoded rows (sample-rows.ts) of a job, with its header; from the stream or from the whole file. */
export interface DecodedRows {
  from: 'stream' | 'file';
  header: SessionHeader;
  fixes: Float64Array;
  imu: Float64Array;
}

export type DecodeReply =
  | { kind: 'ack'; job: number; bytes: number; rows: DecodedRows | null }
  | { kind: 'done'; req: number; ok: true; value: unknown }
  | { kind: 'done'; req: number; ok: false; error: string };

/** Decoded samples handed on at a time while a session downloads. */
const FLUSH_SAMPLES = 5000;

interface Job {
  unitId: string;
  sessionId: string;
  tracks: readonly TrackDefinition[];
  stream: StreamDecoder;
  fed: number;
  laps: StreamingLaps | null;
}

const jobs = new Map<number, Job>();
/** The layouts the laps are timed on, sent once per list in parts (a clone of the whole catalog costs the sender up to 130 ms). */
let tracks: TrackDefinition[] = [];
const port = parentPort!;
const post = (m: DecodeReply, rows?: DecodedRows | null): void => port.postMessage(m, rows ? ([rows.fixes.buffer, rows.imu.buffer] as ArrayBuffer[]) : []);

/** The stream is this session's, from its unit, and clean so far. */
function ours(j: Job): boolean {
  const h = j.stream.sessionHeader;
  return !j.stream.spoiled && h !== null && h.unitId === j.unitId && h.sessionId === j.sessionId;
}

/** The samples decoded since the last flush, as rows (null when the stream is not ours). */
function flush(j: Job): DecodedRows | null {
  if (!ours(j)) return null;
  j.laps ??= new StreamingLaps(j.tracks, null);
  const d = j.stream.drain();
  j.laps.push(d.fixes);
  return { from: 'stream', header: j.stream.sessionHeader!, fixes: fixRows(d.fixes), imu: d.imu };
}

function data(m: Extract<DecodeRequest, { op: 'data' }>): void {
  const j = jobs.get(m.job);
  let rows: DecodedRows | null = null;
  if (j) {
    if (m.offset !== j.fed) j.stream.spoiled = true;
    j.fed = m.offset + m.bytes.length;
    try {
      j.stream.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length));
      if (j.stream.pending() >= FLUSH_SAMPLES) rows = flush(j);
    } catch {
      // Nothing a unit sends may end this thread: the stream is spoiled, the whole file judged after.
      j.stream.spoiled = true;
      rows = null;
    }
  }
  post({ kind: 'ack', job: m.job, bytes: m.bytes.length, rows }, rows);
}

/** What the stream held, if it covered exactly `size` bytes cleanly: the session and its laps; else null. */
function end(j: Job | undefined, job: number, size: number): unknown {
  if (!j || !ours(j)) return null;
  const rows = flush(j);
  post({ kind: 'ack', job, bytes: 0, rows }, rows);
  const session = j.stream.result(size);
  return session && j.laps ? { session, laps: j.laps.result() } : null;
}

/** A whole verified file (after a resumed or refetched download): its rows first, then the session and its laps. */
async function whole(j: Job | undefined, job: number, path: string): Promise<unknown> {
  if (!j) throw new Error('the session decoder has no such download open');
  const w = decodeVerified(await readFile(path));
  const h = w.session.header;
  if (h.unitId !== j.unitId || h.sessionId !== j.sessionId) throw new Error(`session ${j.sessionId} names another unit or session in its header`);
  const rows: DecodedRows = { from: 'file', header: h, fixes: fixRows(w.fixes), imu: w.imu };
  const laps = recomputeLaps(w.fixes, j.tracks, null);
  post({ kind: 'ack', job, bytes: 0, rows }, rows);
  return { session: w.session, laps };
}

async function answer(req: number, fn: () => unknown): Promise<void> {
  try {
    post({ kind: 'done', req, ok: true, value: await fn() });
  } catch (err) {
    post({ kind: 'done', req, ok: false, error: (err as Error).message || String(err) });
  }
}

port.on('message', (m: DecodeRequest) => {
  switch (m.op) {
    case 'tracks':
      // A new array for a new list: the jobs opened on the last one keep theirs.
      if (m.first) tracks = m.part;
      else tracks.push(...m.part);
      return;
    case 'open':
      jobs.set(m.job, { unitId: m.unitId, sessionId: m.sessionId, tracks, stream: new StreamDecoder(), fed: 0, laps: null });
      return;
    case 'data':
      return data(m);
    case 'end':
      return void answer(m.req, () => end(jobs.get(m.job), m.job, m.size));
    case 'whole':
      return void answer(m.req, () => whole(jobs.get(m.job), m.job, m.path));
    case 'prefix':
      return void answer(m.req, async () => verifiedPrefix(await readFile(m.path)));
    case 'forget':
      jobs.delete(m.job);
      return;
  }
});

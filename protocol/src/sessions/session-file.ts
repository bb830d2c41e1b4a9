/**
 * The session file container (see session-format.md): a checksummed JSON header, then
 * append-only chunks `'PC' | type u8 | seq u32 | len u32 | payload | crc32 u32`. The reader
 * keeps every chunk whose CRC holds, resynchronises past a corrupted one at the next valid
 * chunk, and treats an incomplete last chunk as a torn write.
 */
import CRC32 from 'crc-32';
import { ByteReader, ByteWriter, DecodeError } from './byte-codec.js';
import { decodeFixes, decodeImu, encodeFixes, encodeImu } from './sample-codec.js';
import { sessionEvent, sessionHeader, sessionSummary, type SessionEvent, type SessionFix, type SessionHeader, type SessionImuSample, type SessionSummary } from './session-schema.js';

export const SESSION_MAGIC = [0x50, 0x57, 0x53, 0x46] as const; // 'PWSF'
export const SESSION_VERSION = 1;
export const CHUNK_MAGIC_0 = 0x50; // 'P'
export const CHUNK_MAGIC_1 = 0x43; // 'C'
export const CHUNK_HEADER_BYTES = 11;
export const CHUNK_TRAILER_BYTES = 4;
/** A chunk holds at most a few seconds of samples; anything larger is a corrupted length. */
export const MAX_CHUNK_PAYLOAD = 4 * 1024 * 1024;
const MAX_HEADER_JSON = 64 * 1024;

export const ChunkType = { gnss: 1, imu: 2, events: 3, summary: 4 } as const;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
const crc32 = (b: Uint8Array) => CRC32.buf(b) >>> 0;

/** UTF-8 text of a header or chunk; bytes that are not UTF-8 are a DecodeError like any other bad content. */
function utf8Text(bytes: Uint8Array, what: string): string {
  try {
    return fromUtf8.decode(bytes);
  } catch {
    throw new DecodeError(`${what} is not valid UTF-8`);
  }
}

export function encodeSessionHeader(header: SessionHeader): Uint8Array {
  const json = utf8.encode(JSON.stringify(sessionHeader.parse(header)));
  const w = new ByteWriter(json.length + 14);
  for (const b of SESSION_MAGIC) w.u8(b);
  w.u16(SESSION_VERSION);
  w.u32(json.length);
  w.bytes(json);
  w.u32(crc32(w.finish()));
  return w.finish();
}

export function encodeChunk(type: number, seq: number, payload: Uint8Array): Uint8Array {
  const w = new ByteWriter(payload.length + CHUNK_HEADER_BYTES + CHUNK_TRAILER_BYTES);
  w.u8(CHUNK_MAGIC_0);
  w.u8(CHUNK_MAGIC_1);
  w.u8(type);
  w.u32(seq);
  w.u32(payload.length);
  w.bytes(payload);
  const body = w.finish();
  w.u32(crc32(body.subarray(2)));
  return w.finish();
}

export const gnssChunk = (seq: number, fixes: readonly SessionFix[]) => encodeChunk(ChunkType.gnss, seq, encodeFixes(fixes));
export const imuChunk = (seq: number, samples: readonly SessionImuSample[]) => encodeChunk(ChunkType.imu, seq, encodeImu(samples));
export const eventsChunk = (seq: number, events: readonly SessionEvent[]) => encodeChunk(ChunkType.events, seq, utf8.encode(JSON.stringify(events)));
export const summaryChunk = (seq: number, summary: SessionSummary) => encodeChunk(ChunkType.summary, seq, utf8.encode(JSON.stringify(sessionSummary.parse(summary))));

export interface SessionReadStats {
  chunks: number;
  /** Byte offsets of chunks whose CRC (or content) failed. */
  corruptChunks: number[];
  /** Those of them whose CRC held but whose content does not decode: the writer wrote them so. */
  undecodableChunks: number[];
  /** Bytes after the last good chunk that form no complete chunk (a torn write). */
  tornBytes: number;
  /** Sequence numbers missing between good chunks. */
  missingSeqs: number[];
  /** File offset just past the last good chunk: where a resumed writer appends. */
  goodLength: number;
}

export interface SessionData {
  header: SessionHeader;
  fixes: SessionFix[];
  imu: SessionImuSample[];
  events: SessionEvent[];
  summary: SessionSummary | null;
  stats: SessionReadStats;
}

export function decodeSessionHeader(bytes: Uint8Array): { header: SessionHeader; length: number } {
  const r = new ByteReader(bytes);
  for (const b of SESSION_MAGIC) if (r.u8() !== b) throw new DecodeError('not a Pitwall session file');
  const version = r.u16();
  if (version !== SESSION_VERSION) throw new DecodeError(`unsupported session format version ${version}`);
  const len = r.u32();
  if (len > MAX_HEADER_JSON) throw new DecodeError('session header too large');
  const json = r.bytes(len);
  const end = r.pos;
  if (r.u32() !== crc32(bytes.subarray(0, end))) throw new DecodeError('session header checksum mismatch');
  return { header: sessionHeader.parse(JSON.parse(utf8Text(json, 'session header'))), length: r.pos };
}

/** One chunk as read from a file: its type, sequence number, payload and the offset just past it. */
export interface SessionChunk {
  type: number;
  seq: number;
  payload: Uint8Array;
  end: number;
}

/**
 * A complete, CRC-valid chunk at `at`, or why not: `incomplete` when the bytes end inside it,
 * `bad` when it is not a chunk or its CRC fails. For readers that get a file piece by piece.
 */
export function readSessionChunk(bytes: Uint8Array, at: number): SessionChunk | 'incomplete' | 'bad' {
  if (bytes[at] !== CHUNK_MAGIC_0 || bytes[at + 1] !== CHUNK_MAGIC_1) return at + 2 > bytes.length ? 'incomplete' : 'bad';
  if (at + CHUNK_HEADER_BYTES > bytes.length) return 'incomplete';
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, CHUNK_HEADER_BYTES);
  const len = view.getUint32(7);
  if (len > MAX_CHUNK_PAYLOAD) return 'bad';
  const end = at + CHUNK_HEADER_BYTES + len + CHUNK_TRAILER_BYTES;
  if (end > bytes.length) return 'incomplete';
  const stored = new DataView(bytes.buffer, bytes.byteOffset + end - 4, 4).getUint32(0);
  if (stored !== crc32(bytes.subarray(at + 2, end - 4))) return 'bad';
  return { type: bytes[at + 2]!, seq: view.getUint32(3), payload: bytes.subarray(at + CHUNK_HEADER_BYTES, end - 4), end };
}

function nextValidChunk(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(CHUNK_MAGIC_0, from); i >= 0; i = bytes.indexOf(CHUNK_MAGIC_0, i + 1)) {
    const c = readSessionChunk(bytes, i);
    if (typeof c === 'object') return i;
  }
  return -1;
}

/** Reads a whole session file; never throws past a valid header. */
export function decodeSession(bytes: Uint8Array): SessionData {
  const { header, length } = decodeSessionHeader(bytes);
  const data: SessionData = {
    header,
    fixes: [],
    imu: [],
    events: [],
    summary: null,
    stats: { chunks: 0, corruptChunks: [], undecodableChunks: [], tornBytes: 0, missingSeqs: [], goodLength: length },
  };
  const st = data.stats;
  let pos = length;
  let expectSeq = 0;
  while (pos < bytes.length) {
    const c = readSessionChunk(bytes, pos);
    if (typeof c !== 'object') {
      const next = nextValidChunk(bytes, pos + 1);
      if (next < 0) {
        // Nothing valid follows: a torn write (short, or zero-filled by the file system), unless
        // a whole chunk is there and only its CRC fails.
        if (c === 'bad' && bytes[pos] === CHUNK_MAGIC_0 && bytes[pos + 1] === CHUNK_MAGIC_1 && bytes.length - pos >= CHUNK_HEADER_BYTES) {
          const len = new DataView(bytes.buffer, bytes.byteOffset + pos + 7, 4).getUint32(0);
          if (pos + CHUNK_HEADER_BYTES + len + CHUNK_TRAILER_BYTES <= bytes.length) st.corruptChunks.push(pos);
        }
        st.tornBytes = bytes.length - pos;
        break;
      }
      st.corruptChunks.push(pos);
      pos = next;
      continue;
    }
    if (!applySessionChunk(data, c)) {
      st.corruptChunks.push(pos);
      st.undecodableChunks.push(pos);
    }
    for (let s = expectSeq; s < c.seq && st.missingSeqs.length < 10_000; s++) st.missingSeqs.push(s);
    expectSeq = Math.max(expectSeq, c.seq + 1);
    st.chunks++;
    pos = c.end;
    st.goodLength = pos;
  }
  return data;
}

/**
 * Adds a CRC-valid chunk's content to `data`; false when its content does not decode (the
 * chunk counts as corrupt, `data` is unchanged).
 */
export function applySessionChunk(data: Pick<SessionData, 'fixes' | 'imu' | 'events' | 'summary'>, chunk: Pick<SessionChunk, 'type' | 'payload'>): boolean {
  try {
    apply(data, chunk.type, chunk.payload);
    return true;
  } catch (err) {
    if (!(err instanceof DecodeError || err instanceof SyntaxError || (err as Error).name === 'SchemaError')) throw err;
    return false;
  }
}

function apply(data: Pick<SessionData, 'fixes' | 'imu' | 'events' | 'summary'>, type: number, payload: Uint8Array): void {
  switch (type) {
    case ChunkType.gnss:
      for (const f of decodeFixes(payload)) data.fixes.push(f);
      return;
    case ChunkType.imu:
      for (const s of decodeImu(payload)) data.imu.push(s);
      return;
    case ChunkType.events: {
      const list = JSON.parse(utf8Text(payload, 'events chunk')) as unknown;
      if (!Array.isArray(list)) throw new DecodeError('events chunk is not a list');
      // Validated whole before any is added: a chunk counts entirely, or not at all.
      const events = list.map((e) => sessionEvent.parse(e));
      for (const e of events) data.events.push(e);
      return;
    }
    case ChunkType.summary:
      data.summary = sessionSummary.parse(JSON.parse(utf8Text(payload, 'summary chunk')));
      return;
    default:
      return; // a newer writer's chunk type: skipped, the rest stays readable
  }
}

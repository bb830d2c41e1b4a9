import CRC32 from 'crc-32';

/**
 * Serial framing between a unit and the companion (USB CDC-ACM, or a pty in sim):
 *
 *   0      2     3      5      6          6+len
 *   | 'PW' | type | len  | hchk | payload  | crc32 (BE) |
 *
 * `len` is big-endian u16; `hchk` is the low byte of CRC-32 over type+len, so a garbage
 * header is rejected at once instead of stalling the stream while a bogus length fills;
 * `crc32` covers type, len, hchk and payload. After a bad header or CRC the decoder
 * resynchronises at the next `PW` after the failed start.
 */
export const FRAME_MAGIC_0 = 0x50; // 'P'
export const FRAME_MAGIC_1 = 0x57; // 'W'
export const FRAME_HEADER_BYTES = 6;
export const FRAME_TRAILER_BYTES = 4;
export const FRAME_MAX_PAYLOAD_LIMIT = 0xffff;
export const DEFAULT_MAX_PAYLOAD = 16 * 1024;

export const FrameType = { rpc: 0x01 } as const;

export interface Frame {
  type: number;
  payload: Uint8Array;
}

export interface DecoderStats {
  frames: number;
  badHeaders: number;
  badCrcs: number;
  oversize: number;
  skippedBytes: number;
}

function crc32(bytes: Uint8Array, start: number, end: number): number {
  return CRC32.buf(bytes.subarray(start, end)) >>> 0;
}

function headerCheck(bytes: Uint8Array, at: number): number {
  return crc32(bytes, at + 2, at + 5) & 0xff;
}

export function encodeFrame(type: number, payload: Uint8Array, maxPayload = DEFAULT_MAX_PAYLOAD): Uint8Array {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new RangeError(`frame type ${type} out of range`);
  if (payload.length > maxPayload) {
    throw new RangeError(`frame payload of ${payload.length} bytes exceeds the ${maxPayload}-byte limit`);
  }
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length + FRAME_TRAILER_BYTES);
  const view = new DataView(out.buffer);
  out[0] = FRAME_MAGIC_0;
  out[1] = FRAME_MAGIC_1;
  out[2] = type;
  view.setUint16(3, payload.length);
  out[5] = headerCheck(out, 0);
  out.set(payload, FRAME_HEADER_BYTES);
  view.setUint32(FRAME_HEADER_BYTES + payload.length, crc32(out, 2, FRAME_HEADER_BYTES + payload.length));
  return out;
}

/**
 * Incremental decoder: feed it chunks as they arrive, get whole verified frames back.
 * Memory is bounded by one maximal frame; it never throws on input.
 */
export class FrameDecoder {
  readonly stats: DecoderStats = { frames: 0, badHeaders: 0, badCrcs: 0, oversize: 0, skippedBytes: 0 };
  private buf = new Uint8Array(0);
  private readonly maxPayload: number;

  constructor(maxPayload = DEFAULT_MAX_PAYLOAD) {
    if (maxPayload < 1 || maxPayload > FRAME_MAX_PAYLOAD_LIMIT) throw new RangeError(`maxPayload ${maxPayload} out of range`);
    this.maxPayload = maxPayload;
  }

  push(chunk: Uint8Array): Frame[] {
    const data = this.buf.length === 0 ? chunk : concat(this.buf, chunk);
    const frames: Frame[] = [];
    let pos = 0;
    while (pos < data.length) {
      const start = findMagic(data, pos);
      if (start < 0) {
        // keep a trailing 'P' that may begin the next magic
        const keep = data[data.length - 1] === FRAME_MAGIC_0 ? 1 : 0;
        this.stats.skippedBytes += data.length - pos - keep;
        pos = data.length - keep;
        break;
      }
      this.stats.skippedBytes += start - pos;
      pos = start;
      if (data.length - pos < FRAME_HEADER_BYTES) break;
      if (headerCheck(data, pos) !== data[pos + 5]) {
        this.stats.badHeaders++;
        this.stats.skippedBytes++;
        pos++;
        continue;
      }
      const len = ((data[pos + 3] as number) << 8) | (data[pos + 4] as number);
      if (len > this.maxPayload) {
        this.stats.oversize++;
        this.stats.skippedBytes++;
        pos++;
        continue;
      }
      const end = pos + FRAME_HEADER_BYTES + len + FRAME_TRAILER_BYTES;
      if (data.length < end) break;
      const expected = new DataView(data.buffer, data.byteOffset + end - 4, 4).getUint32(0);
      if (crc32(data, pos + 2, end - 4) !== expected) {
        this.stats.badCrcs++;
        this.stats.skippedBytes++;
        pos++;
        continue;
      }
      frames.push({ type: data[pos + 2] as number, payload: data.slice(pos + FRAME_HEADER_BYTES, end - 4) });
      this.stats.frames++;
      pos = end;
    }
    this.buf = pos >= data.length ? new Uint8Array(0) : data.slice(pos);
    return frames;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }
}

function findMagic(data: Uint8Array, from: number): number {
  let i = data.indexOf(FRAME_MAGIC_0, from);
  while (i >= 0 && i + 1 < data.length) {
    if (data[i + 1] === FRAME_MAGIC_1) return i;
    i = data.indexOf(FRAME_MAGIC_0, i + 1);
  }
  return i >= 0 && i === data.length - 1 ? -1 : i;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

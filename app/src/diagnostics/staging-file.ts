import { closeSync, fsyncSync, openSync, readSync, type PathLike } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import zlib from 'node:zlib';
import { defaultMinFreeBytes, ensureRoom, type DiskReserve } from '../store/disk-space.js';

/**
 * The companion's staging file of one pull of one unit's boot: the NDJSON bytes exactly as the
 * unit sent them, in checksummed frames, appended at transfer speed and made durable (fsync)
 * before the unit is told it may drop them. The ingester turns the frames into SQLite rows
 * (validated, redacted) and deletes the file once they are durable there.
 *
 * frame = 'PL' | kind u8 | 0 u8 | len u32 | lastSeq f64 | crc32 u32 | payload (len bytes)
 *
 * little endian; the CRC-32 (IEEE) covers kind..lastSeq and the payload. Kinds: 1 header (JSON
 * {unit, boot, startedAt, after}), 2 lines (whole NDJSON lines; lastSeq = the seq of the last
 * record in them the transfer could read, or the previous frame's), 3 end (JSON {to}: the unit
 * has nothing more up to `to`, written only when the transfer of the boot completed).
 * A reader stops at the first frame that is short (a torn tail) or fails its checksum.
 */
export const FRAME_HEADER = 20;
export const MAX_FRAME = 64 * 1024 * 1024;
export const STAGING_SUFFIX = '.stage';

export type FrameKind = 'header' | 'lines' | 'end';
const KIND_CODE: Record<FrameKind, number> = { header: 1, lines: 2, end: 3 };
const CODE_KIND: Record<number, FrameKind> = { 1: 'header', 2: 'lines', 3: 'end' };

export interface StagingHeader {
  unit: string;
  boot: string;
  startedAt: string;
  /** The seq the transfer asked the unit to start after. */
  after: number;
  /** The unit's last seq of the boot when the transfer started. */
  lastSeq: number;
}

/** IEEE CRC-32: zlib's native one where Node has it (>= 20.15), else a table. */
const crc32: (data: Uint8Array, value?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib as unknown as { crc32: (d: Uint8Array, v?: number) => number }).crc32 : tableCrc32;

let table: Uint32Array | null = null;
function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The 20-byte header of a frame holding `payload` (one buffer, or the pieces of it in order). */
export function frameHeader(kind: FrameKind, payload: Uint8Array | readonly Uint8Array[], lastSeq: number): Buffer {
  const pieces = payload instanceof Uint8Array ? [payload] : payload;
  const h = Buffer.alloc(FRAME_HEADER);
  h.write('PL', 0, 'latin1');
  h.writeUInt8(KIND_CODE[kind], 2);
  h.writeUInt32LE(pieces.reduce((n, p) => n + p.length, 0), 4);
  h.writeDoubleLE(lastSeq, 8);
  let crc = crc32(h.subarray(2, 16));
  for (const p of pieces) crc = crc32(p, crc);
  h.writeUInt32LE(crc, 16);
  return h;
}

export interface Frame {
  kind: FrameKind;
  lastSeq: number;
  payload: Buffer;
  /** Where the frame starts and where the next one starts. */
  offset: number;
  end: number;
}

export type FrameRead = { frame: Frame } | { stop: 'eof' | 'torn' | 'corrupt'; offset: number };

/** Reads frames of a staging file synchronously (the ingester's side), from an offset up to a limit. */
export class StagingReader {
  private fd: number;
  private readonly head = Buffer.alloc(FRAME_HEADER);

  constructor(path: PathLike) {
    this.fd = openSync(path, 'r');
  }

  /** The frame at `offset`, or why there is none: end of data (`limit`), a torn tail, a bad checksum. */
  read(offset: number, limit: number): FrameRead {
    if (offset >= limit) return { stop: 'eof', offset };
    if (offset + FRAME_HEADER > limit) return { stop: 'torn', offset };
    if (readSync(this.fd, this.head, 0, FRAME_HEADER, offset) < FRAME_HEADER) return { stop: 'torn', offset };
    const kind = CODE_KIND[this.head[2]!];
    const len = this.head.readUInt32LE(4);
    if (this.head.toString('latin1', 0, 2) !== 'PL' || !kind || this.head[3] !== 0 || len > MAX_FRAME) return { stop: 'corrupt', offset };
    const end = offset + FRAME_HEADER + len;
    if (end > limit) return { stop: 'torn', offset };
    const payload = Buffer.allocUnsafe(len);
    if (len > 0 && readSync(this.fd, payload, 0, len, offset + FRAME_HEADER) < len) return { stop: 'torn', offset };
    if (crc32(payload, crc32(this.head.subarray(2, 16))) !== this.head.readUInt32LE(16)) return { stop: 'corrupt', offset };
    return { frame: { kind, lastSeq: this.head.readDoubleLE(8), payload, offset, end } };
  }

  /** Once only: a second closeSync of the number would close whatever file reused it (the database's, another pull's). */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    closeSync(fd);
  }
}

/** Staged bytes between two looks at the free space of the staging folder's disk. */
export const FREE_SPACE_CHECK_BYTES = 16 * 1024 * 1024;

/**
 * Appends frames to a new staging file. Writes run in order on the thread pool (the transfer
 * does not wait for the disk unless too much is queued); `sync` makes everything appended so far
 * durable, the file's directory entry included.
 */
export class StagingWriter {
  private queue: Promise<void> = Promise.resolve();
  private failed: Error | null = null;
  private queued = 0;
  private written = 0;
  private sinceSync = 0;
  private background: Promise<void> | null = null;
  private dirSynced = false;
  /** Bytes written since free space was last checked (the first write checks). */
  private sinceFreeCheck = FREE_SPACE_CHECK_BYTES;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    /** Called with the durable-or-not length of whole frames after each write lands in the file. */
    private readonly onWritten: (bytes: number) => void,
    private readonly reserve: DiskReserve,
  ) {}

  /** Writes fail with DiskSpaceError rather than take the disk below its reserve (checked every FREE_SPACE_CHECK_BYTES). */
  static async create(path: string, header: StagingHeader, onWritten: (bytes: number) => void, reserve: DiskReserve = {}): Promise<StagingWriter> {
    // The default reserve is read once per file, not at every check.
    const minFreeBytes = reserve.minFreeBytes ?? (await defaultMinFreeBytes(dirname(path)));
    // 0600, exclusive: the unit's records are not redacted yet (they are before they reach the database).
    const fh = await open(path, 'wx', 0o600);
    const w = new StagingWriter(path, fh, onWritten, { ...reserve, minFreeBytes });
    w.append('header', Buffer.from(JSON.stringify(header)), 0);
    return w;
  }

  /** Why writes stopped (the disk is full, a write failed), or null: the transfer stops too. */
  get failure(): Error | null {
    return this.failed;
  }

  /** Bytes waiting for the disk: the caller pauses the transfer above a bound. */
  get pending(): number {
    return this.queued;
  }

  /** Length of the whole frames written so far. */
  get length(): number {
    return this.written;
  }

  /** Appends a frame; the payload may be a list of pieces (written as they are, not copied). */
  append(kind: FrameKind, payload: Buffer | Buffer[], lastSeq: number): Promise<void> {
    let pieces = Array.isArray(payload) ? payload : [payload];
    // Many tiny pieces: one copy costs less than a long vector (and stays under IOV_MAX).
    if (pieces.length > 1024) pieces = [Buffer.concat(pieces)];
    const head = frameHeader(kind, pieces, lastSeq);
    const size = head.length + head.readUInt32LE(4);
    if (size - FRAME_HEADER > MAX_FRAME) throw new Error(`a staging frame of ${size} bytes (at most ${MAX_FRAME})`);
    this.queued += size;
    this.queue = this.queue.then(async () => {
      if (this.failed) throw this.failed;
      try {
        if (this.sinceFreeCheck >= FREE_SPACE_CHECK_BYTES) {
          this.sinceFreeCheck = 0;
          await ensureRoom(dirname(this.path), size, 'more staged log records', this.reserve);
        }
        this.sinceFreeCheck += size;
        await this.fh.writev([head, ...pieces]);
      } catch (err) {
        this.failed = err as Error;
        throw err;
      }
      this.queued -= size;
      this.written += size;
      this.sinceSync += size;
      // Start writing back in the background now and then, so the final sync has little left to do.
      if (this.sinceSync >= 32 * 1024 * 1024 && !this.background) {
        this.sinceSync = 0;
        this.background = this.fh.datasync().finally(() => (this.background = null));
        this.background.catch(() => undefined);
      }
      this.onWritten(this.written);
    });
    // Handled here (a failure is also kept in `failed`); callers that await still see it.
    this.queue.catch(() => undefined);
    return this.queue;
  }

  /** Resolves once every frame appended so far is written (not necessarily durable); rejects if a write failed. */
  async flushed(): Promise<void> {
    await this.queue;
  }

  /** Resolves once every frame appended so far is on disk (fdatasync, then the directory once). */
  async sync(): Promise<void> {
    await this.queue;
    await this.background?.catch(() => undefined);
    await this.fh.datasync();
    this.sinceSync = 0;
    if (!this.dirSynced) {
      syncDirectory(dirname(this.path));
      this.dirSynced = true;
    }
  }

  async close(): Promise<void> {
    try {
      await this.queue.catch(() => undefined);
      await this.background?.catch(() => undefined);
    } finally {
      await this.fh.close();
    }
  }
}

/** fsync of a directory, so a file created or removed in it stays so after a power cut (POSIX only). */
export function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

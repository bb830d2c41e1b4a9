import { CHUNK_HEADER_BYTES, CHUNK_TRAILER_BYTES, decodeSession, decodeSessionHeader, MAX_CHUNK_PAYLOAD, type SessionData } from '@pitwall/protocol';

/**
 * Decodes a session file while it downloads, chunk by chunk, so decoding overlaps the transfer.
 * Any irregularity (a bad chunk, a gap) marks it spoiled: the caller then decodes the whole
 * verified file instead. Each chunk is checked by the protocol reader (header + that chunk).
 */
export class StreamDecoder {
  spoiled = false;
  consumed = 0;
  private buf: Buffer = Buffer.alloc(0);
  private header: Buffer | null = null;
  private data: SessionData | null = null;
  private flushedFixes = 0;
  private flushedImu = 0;

  /** The header once it arrived. */
  get sessionHeader(): SessionData['header'] | null {
    return this.data?.header ?? null;
  }

  /** Samples decoded since the last drain. */
  pending(): number {
    return this.data ? this.data.fixes.length - this.flushedFixes + this.data.imu.length - this.flushedImu : 0;
  }

  drain(): { fixes: SessionData['fixes']; imu: SessionData['imu'] } {
    if (!this.data) return { fixes: [], imu: [] };
    const out = { fixes: this.data.fixes.slice(this.flushedFixes), imu: this.data.imu.slice(this.flushedImu) };
    this.flushedFixes = this.data.fixes.length;
    this.flushedImu = this.data.imu.length;
    return out;
  }

  push(bytes: Buffer): void {
    if (this.spoiled) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, bytes]) : bytes;
    try {
      if (!this.header) {
        const { length } = decodeSessionHeader(this.buf);
        this.header = Buffer.from(this.buf.subarray(0, length));
        this.data = decodeSession(this.header);
        this.take(length);
      }
      while (this.buf.length >= CHUNK_HEADER_BYTES) {
        const len = this.buf.readUInt32BE(7);
        if (len > MAX_CHUNK_PAYLOAD) throw new Error('chunk too long');
        const end = CHUNK_HEADER_BYTES + len + CHUNK_TRAILER_BYTES;
        if (this.buf.length < end) break;
        const one = decodeSession(Buffer.concat([this.header, this.buf.subarray(0, end)]));
        if (one.stats.chunks !== 1 || one.stats.corruptChunks.length > 0) throw new Error('bad chunk');
        const d = this.data!;
        for (const f of one.fixes) d.fixes.push(f);
        for (const s of one.imu) d.imu.push(s);
        for (const e of one.events) d.events.push(e);
        if (one.summary) d.summary = one.summary;
        d.stats.chunks++;
        this.take(end);
      }
    } catch {
      // An incomplete header is not an error yet; anything else spoils the stream.
      if (this.header || this.buf.length > 64 * 1024) this.spoiled = true;
    }
  }

  private take(n: number): void {
    this.consumed += n;
    this.buf = this.buf.subarray(n);
  }

  /** The decoded session if the stream covered exactly `size` bytes without a fault. */
  result(size: number): SessionData | null {
    if (this.spoiled || !this.data || this.consumed !== size || this.buf.length !== 0) return null;
    this.data.stats.goodLength = size;
    return this.data;
  }
}

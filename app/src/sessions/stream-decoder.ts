import {
  applySessionChunk,
  ChunkType,
  decodeImuRows,
  decodeSession,
  decodeSessionHeader,
  IMU_ROW_WIDTH,
  readSessionChunk,
  type SessionEvent,
  type SessionFix,
  type SessionHeader,
  type SessionSummary,
} from '@pitwall/protocol';
import { concatRows, imuRows } from './sample-rows.js';

/** A session that streamed in whole and clean: everything but the samples, which were drained on the way. */
export interface StreamedSession {
  header: SessionHeader;
  events: SessionEvent[];
  summary: SessionSummary | null;
  chunks: number;
  fixes: number;
  imu: number;
  /** Earliest and latest fix time, latest IMU time (ms), null without samples. */
  firstFixT: number | null;
  lastFixT: number | null;
  lastImuT: number | null;
}

/**
 * Decodes a session file while it downloads, chunk by chunk (header once, then each chunk
 * checked by its CRC with the protocol reader), so decoding overlaps the transfer. Samples are
 * handed out by `drain()` and not kept: fixes as objects (the lap timer reads them), IMU
 * samples as rows (`decodeImuRows`; four in five samples, no object each). Any irregularity
 * (a bad chunk, a gap) marks it spoiled: the caller then decodes the whole verified file instead.
 */
export class StreamDecoder {
  spoiled = false;
  consumed = 0;
  private buf: Buffer = Buffer.alloc(0);
  private header: SessionHeader | null = null;
  private readonly sink = { fixes: [] as SessionFix[], imu: [] as never[], events: [] as SessionEvent[], summary: null as SessionSummary | null };
  private imu: Float64Array[] = [];
  private imuPending = 0;
  private chunks = 0;
  private drained = { fixes: 0, imu: 0, firstFixT: Infinity, lastFixT: -Infinity, lastImuT: -Infinity };

  /** The header once it arrived. */
  get sessionHeader(): SessionHeader | null {
    return this.header;
  }

  /** Samples decoded since the last drain. */
  pending(): number {
    return this.sink.fixes.length + this.imuPending;
  }

  /** Samples decoded since the last drain: fixes, and IMU rows of IMU_ROW_WIDTH numbers. */
  drain(): { fixes: SessionFix[]; imu: Float64Array } {
    const imu = this.imu.length === 1 ? this.imu[0]! : concatRows(this.imu);
    const out = { fixes: this.sink.fixes, imu };
    this.sink.fixes = [];
    this.imu = [];
    this.imuPending = 0;
    const d = this.drained;
    d.fixes += out.fixes.length;
    d.imu += imu.length / IMU_ROW_WIDTH;
    for (const f of out.fixes) {
      if (f.t < d.firstFixT) d.firstFixT = f.t;
      if (f.t > d.lastFixT) d.lastFixT = f.t;
    }
    for (let o = 0; o < imu.length; o += IMU_ROW_WIDTH) if (imu[o]! > d.lastImuT) d.lastImuT = imu[o]!;
    return out;
  }

  /** Never throws: whatever the unit sent, a fault only spoils the stream (the whole file is judged after). */
  push(bytes: Buffer): void {
    if (this.spoiled) return;
    try {
      this.decode(bytes);
    } catch {
      this.spoiled = true;
    }
  }

  private decode(bytes: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, bytes]) : bytes;
    if (!this.header) {
      try {
        const { header, length } = decodeSessionHeader(this.buf);
        this.header = header;
        this.take(length);
      } catch {
        // An incomplete header is not an error yet; a header that never completes is.
        if (this.buf.length > 64 * 1024) this.spoiled = true;
        return;
      }
    }
    let at = 0;
    for (;;) {
      const chunk = readSessionChunk(this.buf, at);
      if (chunk === 'incomplete') break;
      if (chunk === 'bad' || !this.apply(chunk)) {
        this.spoiled = true;
        return;
      }
      this.chunks++;
      at = chunk.end;
    }
    this.take(at);
  }

  private apply(chunk: { type: number; payload: Uint8Array }): boolean {
    if (chunk.type !== ChunkType.imu) return applySessionChunk(this.sink, chunk);
    try {
      const rows = decodeImuRows(chunk.payload);
      this.imu.push(rows);
      this.imuPending += rows.length / IMU_ROW_WIDTH;
      return true;
    } catch {
      return false;
    }
  }

  private take(n: number): void {
    this.consumed += n;
    this.buf = this.buf.subarray(n);
  }

  /** What the stream held if it covered exactly `size` bytes without a fault (after the last drain). */
  result(size: number): StreamedSession | null {
    if (this.spoiled || !this.header || this.consumed !== size || this.buf.length !== 0) return null;
    if (this.pending() > 0) throw new Error('StreamDecoder.result: drain the samples first');
    const d = this.drained;
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    return {
      header: this.header,
      events: this.sink.events,
      summary: this.sink.summary,
      chunks: this.chunks,
      fixes: d.fixes,
      imu: d.imu,
      firstFixT: finite(d.firstFixT),
      lastFixT: finite(d.lastFixT),
      lastImuT: finite(d.lastImuT),
    };
  }
}

/**
 * A whole verified file (after a resumed or refetched download) in the stream's terms: the
 * totals, the fixes and the IMU rows, each in time order.
 */
export function decodeVerified(bytes: Uint8Array): { session: StreamedSession; fixes: SessionFix[]; imu: Float64Array } {
  const data = decodeSession(bytes);
  const bad = data.stats.undecodableChunks;
  // Its checksum holds, so the unit wrote it this way: not a transfer fault to tolerate but a file to refuse (and keep on the unit).
  if (bad.length > 0) throw new Error(`session file: ${bad.length} chunk(s) from byte ${bad[0]} on pass their checksum but do not decode (bad UTF-8, JSON or values): not stored`);
  const fixes = [...data.fixes].sort((a, b) => a.t - b.t);
  const imu = imuRows([...data.imu].sort((a, b) => a.t - b.t));
  return {
    session: {
      header: data.header,
      events: data.events,
      summary: data.summary,
      chunks: data.stats.chunks,
      fixes: fixes.length,
      imu: imu.length / IMU_ROW_WIDTH,
      firstFixT: fixes[0]?.t ?? null,
      lastFixT: fixes.at(-1)?.t ?? null,
      lastImuT: imu.length ? imu[imu.length - IMU_ROW_WIDTH]! : null,
    },
    fixes,
    imu,
  };
}

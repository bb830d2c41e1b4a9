import type { Statement } from 'better-sqlite3';
import { decodeImuRows, encodeImuRows } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { concatRows, IMU_COLUMNS } from './sample-rows.js';

/**
 * IMU samples in SQLite: one row per block of up to BLOCK_SAMPLES samples (table
 * session_imu_blocks) with the block's first and last time and its count. A 30-minute session
 * at 100 Hz is 180,000 samples: as one row each, inserting them was most of a sync's ingest.
 *
 * A block's bytes: a format byte, then either the unit's own IMU encoding (the protocol's
 * `encodeImuRows`, about 10 bytes a sample) when it gives back every value exactly, as it does
 * for samples a unit recorded, or else the rows as little-endian float64 (IMU_COLUMNS order).
 *
 * A complete session's blocks are in time order, do not overlap and hold each time once (as the
 * row-per-sample table's primary key (session, t) did: the first sample stored with a time wins).
 */
export const BLOCK_SAMPLES = 4096;
const W = IMU_COLUMNS.length;
const FLOAT64 = 0;
const UNIT_CODEC = 1;

/** A block's bytes (copied out of `rows`, which may be a view of a larger buffer). */
export function imuBlob(rows: Float64Array): Buffer {
  const packed = encodeImuRows(rows);
  const back = decodeImuRows(packed);
  let exact = back.length === rows.length;
  for (let i = 0; exact && i < rows.length; i++) exact = Object.is(back[i], rows[i]);
  if (exact) {
    const out = Buffer.allocUnsafe(1 + packed.length);
    out[0] = UNIT_CODEC;
    out.set(packed, 1);
    return out;
  }
  // Float64 rows start at byte 8, so that a read can view them where they lie.
  const out = Buffer.alloc(8 + rows.byteLength);
  out[0] = FLOAT64;
  new Float64Array(out.buffer, out.byteOffset + 8, rows.length).set(rows);
  return out;
}

/** A block's rows; throws on bytes that are not a block. */
export function imuBlobRows(blob: Uint8Array): Float64Array {
  if (blob[0] === UNIT_CODEC) return decodeImuRows(blob.subarray(1));
  if (blob[0] !== FLOAT64 || blob.byteLength < 8 || (blob.byteLength - 8) % (W * 8) !== 0) throw new Error(`not an IMU block (${blob.byteLength} bytes, format ${blob[0]})`);
  // A copy: SQLite's bytes need not sit on an 8-byte boundary.
  const out = new Float64Array((blob.byteLength - 8) / 8);
  new Uint8Array(out.buffer).set(blob.subarray(8));
  return out;
}

/** Rows in time order with each time once, the first of each time kept (a stable sort). */
export function distinctByTime(rows: Float64Array): Float64Array {
  const n = rows.length / W;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rows[a * W]! - rows[b * W]! || a - b);
  const out = new Float64Array(rows.length);
  let k = 0;
  let prevT = NaN;
  for (const i of order) {
    const t = rows[i * W]!;
    if (t === prevT) continue;
    prevT = t;
    out.set(rows.subarray(i * W, i * W + W), k * W);
    k++;
  }
  return out.slice(0, k * W);
}

/** Drops a row repeating the time of the row before it (a receiver repeating an epoch); `ordered`: times strictly rise. */
function dropRepeats(rows: Float64Array, afterT: number): { rows: Float64Array; ordered: boolean } {
  let ordered = true;
  let prevT = NaN;
  let k = 0;
  // Copied only once a row is dropped: the unit's samples never repeat a time.
  let out: Float64Array | null = null;
  for (let o = 0; o < rows.length; o += W) {
    const t = rows[o]!;
    if (t === prevT) {
      out ??= rows.slice(0, k * W);
      continue;
    }
    if (!(t > (k === 0 ? afterT : prevT))) ordered = false;
    prevT = t;
    if (out) {
      if (out.length < (k + 1) * W) out = grow(out, rows.length);
      out.set(rows.subarray(o, o + W), k * W);
    }
    k++;
  }
  return { rows: out ? out.subarray(0, k * W) : rows, ordered };
}

function grow(a: Float64Array, size: number): Float64Array {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

/**
 * The block writes of the sessions being stored on one connection. Samples in time order (the
 * unit's own) go straight into blocks; a session whose samples arrive out of order or repeat a
 * time is put in order once, when it completes (`settle`).
 */
export class ImuBlocks {
  private readonly insert: Statement;
  /** Per session being written: the latest time stored, and whether its blocks need settling. */
  private readonly open = new Map<number, { lastT: number; unordered: boolean }>();

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO session_imu_blocks (session, t0, t1, n, rows) VALUES (?, ?, ?, ?, ?)');
  }

  /** Adds rows of samples to session `id` (inside the caller's transaction); returns the samples added. */
  add(id: number, rows: Float64Array): number {
    const state = this.open.get(id) ?? { lastT: -Infinity, unordered: false };
    this.open.set(id, state);
    const { rows: kept, ordered } = dropRepeats(rows, state.lastT);
    if (!ordered) state.unordered = true;
    for (let o = 0; o < kept.length; o += BLOCK_SAMPLES * W) this.writeBlock(id, kept.subarray(o, Math.min(kept.length, o + BLOCK_SAMPLES * W)));
    for (let o = 0; o < kept.length; o += W) if (kept[o]! > state.lastT) state.lastT = kept[o]!;
    return kept.length / W;
  }

  /**
   * Session `id` is complete (inside the caller's transaction): its blocks are put in time
   * order with each time once, if they were not. Returns its sample count.
   */
  settle(id: number, added: number): number {
    const state = this.open.get(id);
    this.open.delete(id);
    if (!state?.unordered) return added;
    const blocks = this.db.prepare('SELECT rows FROM session_imu_blocks WHERE session = ? ORDER BY id').raw().all(id) as [Buffer][];
    const all = concatRows(blocks.map(([b]) => imuBlobRows(b)));
    const rows = distinctByTime(all);
    this.db.prepare('DELETE FROM session_imu_blocks WHERE session = ?').run(id);
    for (let o = 0; o < rows.length; o += BLOCK_SAMPLES * W) this.writeBlock(id, rows.subarray(o, Math.min(rows.length, o + BLOCK_SAMPLES * W)));
    return rows.length / W;
  }

  forget(id: number): void {
    this.open.delete(id);
  }

  private writeBlock(id: number, rows: Float64Array): void {
    if (rows.length === 0) return;
    let t0 = Infinity;
    let t1 = -Infinity;
    for (let o = 0; o < rows.length; o += W) {
      t0 = Math.min(t0, rows[o]!);
      t1 = Math.max(t1, rows[o]!);
    }
    this.insert.run(id, t0, t1, rows.length / W, imuBlob(rows));
  }
}

/** The IMU rows of a complete session with times in [from, to], in time order. */
export function readImuRows(db: Db, id: number, from = -Infinity, to = Infinity): Float64Array {
  const blocks = db.prepare('SELECT rows FROM session_imu_blocks WHERE session = ? AND t1 >= ? AND t0 <= ? ORDER BY t0').raw().all(id, from, to) as [Buffer][];
  const parts = blocks.map(([b]) => {
    const rows = imuBlobRows(b);
    let lo = 0;
    let hi = rows.length;
    while (lo < hi && rows[lo]! < from) lo += W;
    while (hi > lo && rows[hi - W]! > to) hi -= W;
    return rows.subarray(lo, hi);
  });
  return parts.length === 1 ? parts[0]! : concatRows(parts);
}

/**
 * `imu_block(t, ax, ay, az, gx, gy, gz ORDER BY t)`: an aggregate making a block's bytes from
 * rows, for the migration that moved the row-per-sample table into blocks (migrations.ts, 7).
 */
export function registerImuBlockFunction(db: Db): void {
  db.aggregate('imu_block', {
    varargs: true,
    start: () => [] as number[],
    step: (acc: number[], ...row: number[]) => {
      if (row.length !== W) throw new Error(`imu_block takes ${W} values, not ${row.length}`);
      acc.push(...row);
    },
    result: (acc: number[]) => imuBlob(Float64Array.from(acc)),
  });
}

/** Random access to a log file's bytes (an open file, or a decompressed rotated file). */
export interface Blob {
  readonly size: number;
  read(pos: number, len: number): Buffer;
}

export interface LineHead {
  time: string;
  boot: string;
  seq: number;
}

/** A run of one boot's records in one file: [start, end) are line-aligned byte offsets. */
export interface Segment {
  boot: string;
  start: number;
  end: number;
  firstSeq: number;
  lastSeq: number;
  firstTime: string;
}

// `seq` follows `boot` directly (files written before the logger's mixin) or after the base
// fields (fw, commit, unit, subsystem: plain strings, bounded).
const HEAD = /^\{"level":"[a-z]{4,5}","time":"([0-9T:.Z-]{24})","boot":"([0-9a-f-]{36})",(?:"(?:fw|commit|unit|subsystem)":"[^"\\]{0,80}",){0,4}"seq":(\d{1,15})[,}]/;
const HEAD_BYTES = 512;
const LINEAR_BYTES = 16 * 1024;
const NL = 0x0a;

export function headAt(b: Blob, start: number): LineHead | null {
  const m = HEAD.exec(b.read(start, HEAD_BYTES).toString('latin1'));
  return m ? { time: m[1]!, boot: m[2]!, seq: Number(m[3]) } : null;
}

/** Offset just past the next newline at or after `pos`, or null. */
export function nextLineStart(b: Blob, pos: number, limit = b.size): number | null {
  for (let p = pos; p < limit; p += 4096) {
    const chunk = b.read(p, Math.min(4096, limit - p));
    const i = chunk.indexOf(NL);
    if (i >= 0) return p + i + 1;
  }
  return null;
}

function lineStartAtOrAfter(b: Blob, pos: number, limit: number): number | null {
  return pos === 0 ? 0 : nextLineStart(b, pos - 1, limit);
}

/** Start of the last line that ends before `end` (end is line-aligned), or null. */
function lastLineStart(b: Blob, from: number, end: number): number | null {
  if (end <= from) return null;
  for (let p = end - 1; p > from; p -= 4096) {
    const lo = Math.max(from, p - 4096);
    const chunk = b.read(lo, p - lo);
    const i = chunk.lastIndexOf(NL);
    if (i >= 0) return lo + i + 1;
  }
  return from;
}

/** First line start in [lo, hi) whose head fails `stillBefore`, else hi (heads are monotonic). */
function firstNotBefore(b: Blob, lo: number, hi: number, stillBefore: (h: LineHead) => boolean): number {
  while (hi - lo > LINEAR_BYTES) {
    const mid = Math.floor((lo + hi) / 2);
    const ls = lineStartAtOrAfter(b, mid, hi);
    if (ls === null || ls >= hi) break;
    const h = headAt(b, ls);
    if (h && stillBefore(h)) lo = ls;
    else if (h) hi = ls;
    else break;
  }
  for (let p: number | null = lo; p !== null && p < hi; p = nextLineStart(b, p, hi)) {
    const h = headAt(b, p);
    if (h && !stillBefore(h)) return p;
  }
  return hi;
}

function isCompleteRecord(b: Blob, start: number, end: number): boolean {
  try {
    JSON.parse(b.read(start, end - start).toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The boot segments of a file, found by bisection (a boot's records are contiguous and its seq
 * increases), so a large file costs a few hundred small reads. A torn last line of a boot
 * (power cut) and an unfinished last line of the file are left out.
 */
export function findSegments(b: Blob): Segment[] {
  const last = b.size > 0 ? b.read(b.size - 1, 1)[0] : NL;
  let validEnd = b.size;
  if (last !== NL) validEnd = lastLineStart(b, 0, b.size) ?? 0;
  const out: Segment[] = [];
  let pos: number | null = 0;
  while (pos !== null && pos < validEnd) {
    const h = headAt(b, pos);
    if (!h) {
      pos = nextLineStart(b, pos, validEnd);
      continue;
    }
    const boundary = firstNotBefore(b, pos, validEnd, (x) => x.boot === h.boot);
    let end = boundary;
    let lastHead: LineHead | null = null;
    for (let tries = 0; tries < 3 && end > pos; tries++) {
      const ls = lastLineStart(b, pos, end)!;
      if (isCompleteRecord(b, ls, end)) {
        lastHead = headAt(b, ls);
        break;
      }
      end = ls;
    }
    if (lastHead && lastHead.boot === h.boot) out.push({ boot: h.boot, start: pos, end, firstSeq: h.seq, lastSeq: lastHead.seq, firstTime: h.time });
    pos = boundary;
  }
  return out;
}

/** Offset of the first line of `seg` with seq >= target (seg.end if none). */
export function offsetOfSeq(b: Blob, seg: Segment, target: number): number {
  if (target <= seg.firstSeq) return seg.start;
  if (target > seg.lastSeq) return seg.end;
  return firstNotBefore(b, seg.start, seg.end, (h) => h.seq < target);
}

export function bufferBlob(buf: Buffer): Blob {
  return { size: buf.length, read: (pos, len) => buf.subarray(pos, Math.min(buf.length, pos + len)) };
}

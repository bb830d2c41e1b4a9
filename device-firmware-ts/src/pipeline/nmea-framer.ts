/**
 * Finding NMEA 0183 sentences in a raw serial byte stream, the way gpsd's packet lexer does:
 * a sentence starts at `$` or `!` (a later start restarts it, which recovers a packet that
 * another was spliced into), ends at CR or LF, holds printable ASCII only and must end in a
 * valid `*hh` checksum. Anything else is garbage to count, never an exception.
 */

/** Longest sentence accepted, start to checksum. NMEA allows 82; MediaTek's $PMTKCHN runs to 203. */
export const MAX_SENTENCE = 255;

export type FrameResult =
  /** `text` is the sentence from `$` to the checksum; `body` is between `$` and `*`. */
  | { status: 'ok'; text: string; body: string; start: number }
  | { status: 'bad-checksum'; text: string; start: number }
  | { status: 'no-checksum'; text: string; start: number }
  | { status: 'no-sentence' }
  | { status: 'too-long' };

const NO_SENTENCE: FrameResult = { status: 'no-sentence' };
const TOO_LONG: FrameResult = { status: 'too-long' };
const DOLLAR = 0x24;
const BANG = 0x21;
const STAR = 0x2a;
const CR = 0x0d;
const LF = 0x0a;

/** XOR of the characters between `$` (exclusive) and `*` (exclusive). */
export function nmeaChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i) & 0xff;
  return sum;
}

export function withChecksum(body: string): string {
  return `$${body}*${nmeaChecksum(body).toString(16).toUpperCase().padStart(2, '0')}`;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * The sentence in one line of input (at most one: the last start before the line's first CR
 * or LF after it). One scan computes the checksum and rejects control or 8-bit characters.
 */
export function frameSentence(line: string): FrameResult {
  return frameFrom(line, firstStart(line));
}

/**
 * One forward scan from the first start finds the line end (CR or LF), the last start before
 * it, that start's star, its checksum and whether it holds a control or 8-bit character: a
 * later start restarts the sum. No backward searches, no substrings until the result.
 */
function frameFrom(line: string, first: number): FrameResult {
  if (first < 0) return NO_SENTENCE;
  const n = line.length;
  let start = first;
  let end = n;
  let sum = 0;
  let star = -1;
  let bad = false;
  for (let i = first + 1; i < n; i++) {
    const c = line.charCodeAt(i);
    // Printable from ',' up: no start, end or star among them (the common case, two compares).
    if (c >= 0x2b && c <= 0x7e) {
      if (star < 0) sum ^= c;
    } else if (c === DOLLAR || c === BANG) {
      start = i;
      sum = 0;
      star = -1;
      bad = false;
    } else if (c === CR || c === LF) {
      end = i;
      break;
    } else if (star < 0) {
      if (c === STAR) star = i;
      else {
        if (c < 0x20 || c > 0x7e) bad = true;
        sum ^= c;
      }
    }
  }
  if (end - start > MAX_SENTENCE) return TOO_LONG;
  if (bad) return NO_SENTENCE;
  if (star < 0) return { status: 'no-checksum', text: line.slice(start, end), start };
  // gpsd tolerates nothing but the two hex digits after the star (trailing blanks aside).
  let tail = end;
  while (tail > star + 3 && line.charCodeAt(tail - 1) === 0x20) tail--;
  const hi = hexValue(line.charCodeAt(star + 1));
  const lo = hexValue(line.charCodeAt(star + 2));
  if (tail !== star + 3 || hi < 0 || lo < 0) return { status: 'no-checksum', text: line.slice(start, tail), start };
  if (((hi << 4) | lo) !== sum) return { status: 'bad-checksum', text: line.slice(start, tail), start };
  return new FramedSentence(line, start, star);
}

/** A valid sentence; its text is cut from the line only when someone asks (raw logging, tests). */
class FramedSentence {
  readonly status = 'ok';
  readonly body: string;

  constructor(
    private readonly line: string,
    readonly start: number,
    private readonly star: number,
  ) {
    this.body = line.slice(start + 1, star);
  }

  get text(): string {
    return this.line.slice(this.start, this.star + 3);
  }
}

/**
 * `frameSentence` plus gpsd's collision recovery: when a sentence is interrupted by another
 * one on the same line and its rest follows on the next line, the two halves are joined.
 */
export class NmeaFramer {
  private interrupted = '';

  frame(line: string): FrameResult {
    const pending = this.interrupted;
    this.interrupted = '';
    const first = line.charCodeAt(0);
    if (pending && first !== DOLLAR && first !== BANG) line = pending + line;
    const outer = firstStart(line);
    const result = frameFrom(line, outer);
    if (result.status !== 'no-sentence' && result.status !== 'too-long') {
      const inner = result.start;
      // Only an outer sentence that never reached its checksum can continue on the next line.
      if (outer < inner && line.lastIndexOf('*', inner) < outer) this.interrupted = line.slice(outer, inner);
    }
    return result;
  }
}

function firstStart(line: string): number {
  const d = line.indexOf('$');
  const b = d === 0 ? -1 : line.indexOf('!');
  return d < 0 ? b : b < 0 ? d : Math.min(d, b);
}

/**
 * Cuts a chunked byte stream (latin1 text) into lines for `frameSentence`, carrying a partial
 * line between chunks. A line that grows past a bound without an end is dropped, so an endless
 * stream without newlines keeps memory flat.
 */
export class LineSplitter {
  private carry = '';
  /** Bytes dropped because a line ran past the bound. */
  overflowed = 0;

  constructor(private readonly maxLine = 4 * MAX_SENTENCE) {}

  push(chunk: string): string[] {
    const text = this.carry + chunk;
    const lines: string[] = [];
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      lines.push(text.slice(from, nl));
      from = nl + 1;
    }
    this.carry = text.slice(from);
    if (this.carry.length > this.maxLine) {
      // Keep the tail: a sentence may be starting in it.
      const keep = this.carry.lastIndexOf('$');
      const cut = keep >= 0 && this.carry.length - keep <= MAX_SENTENCE ? keep : this.carry.length;
      this.overflowed += cut;
      this.carry = this.carry.slice(cut);
    }
    return lines;
  }

  /** The unterminated rest (end of input). */
  end(): string[] {
    const rest = this.carry;
    this.carry = '';
    return rest ? [rest] : [];
  }
}

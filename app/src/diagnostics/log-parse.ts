import { isUtf8 } from 'node:buffer';
import type { MessagePort } from 'node:worker_threads';
import { logRecord } from '@pitwall/protocol';
import { LEVEL_NUMBER } from './log-search.js';
import { MAX_LINE } from './log-staging.js';
import { REDACTION_MAX_DEPTH, mayHoldSecret, redactText, redactValue } from './redact.js';

/**
 * The records of one staged frame of NDJSON lines, each parsed, validated against the log
 * schema and this unit's boot, and redacted, as columns: plain arrays and typed arrays cross
 * from a parse thread to the database thread far cheaper than an object per record.
 * Which of them are new (the boot's cursor) is decided where they are stored.
 */
export interface ParsedFrame {
  /** Lines read (empty ones not counted), valid or not. */
  lines: number;
  seq: Float64Array;
  timeMs: Float64Array;
  level: Uint8Array;
  subsystem: string[];
  msg: string[];
  fw: string[];
  commit: string[];
  /** The record's other fields as JSON ('{}' when none). */
  extra: string[];
  /** Records rejected, and the first few reasons. */
  invalid: number;
  reasons: string[];
}

const FIXED = new Set(['time', 'level', 'subsystem', 'msg', 'fw', 'commit', 'unit', 'boot', 'seq']);
const MAX_REASONS = 3;

/**
 * The frame as text, without its lines that are not valid UTF-8 (counted): decoded leniently
 * they would be stored with replacement characters, as if the unit had sent those.
 */
function utf8Lines(bytes: Buffer): { text: string; notUtf8: number } {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), notUtf8: 0 };
  const kept: string[] = [];
  let notUtf8 = 0;
  for (let at = 0; at < bytes.length; ) {
    let nl = bytes.indexOf(10, at);
    if (nl < 0) nl = bytes.length;
    const line = bytes.subarray(at, nl);
    at = nl + 1;
    if (isUtf8(line)) kept.push(line.toString('utf8'));
    else notUtf8++;
  }
  return { text: kept.join('\n'), notUtf8 };
}

/** Parses the whole lines of `payload` (one staged frame) as records of `unit`'s boot `boot`. */
export function parseFrame(payload: Uint8Array, unit: string, boot: string): ParsedFrame {
  const { text, notUtf8 } = utf8Lines(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  const seq: number[] = [];
  const timeMs: number[] = [];
  const level: number[] = [];
  const out: ParsedFrame = { lines: 0, seq: new Float64Array(0), timeMs: new Float64Array(0), level: new Uint8Array(0), subsystem: [], msg: [], fw: [], commit: [], extra: [], invalid: 0, reasons: [] };
  const reject = (reason: string): void => {
    out.invalid++;
    if (out.reasons.length < MAX_REASONS) out.reasons.push(reason);
  };
  for (let i = 0; i < notUtf8; i++) {
    out.lines++;
    reject('a line that is not valid UTF-8');
  }
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const line = text.slice(at, nl);
    at = nl + 1;
    if (line.length === 0 || line === '\r') continue;
    out.lines++;
    // (a UTF-16 unit is at most 3 bytes of UTF-8: only long strings need counting)
    if (line.length > MAX_LINE / 3 && Buffer.byteLength(line) > MAX_LINE) {
      reject(`a line longer than ${MAX_LINE} bytes`);
      continue;
    }
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      reject('a line that is not JSON');
      continue;
    }
    if (!logRecord.is(rec)) {
      reject('a record that does not match the log schema');
      continue;
    }
    if (rec.unit !== unit || rec.boot !== boot) {
      reject(`a record of another unit or boot (${rec.unit}/${rec.boot})`);
      continue;
    }
    let extra: Record<string, unknown> | null = null;
    for (const k of Object.keys(rec)) {
      if (FIXED.has(k)) continue;
      (extra ??= {})[k] = (rec as Record<string, unknown>)[k];
    }
    // Most lines hold nothing secret-looking: when the raw line (no escapes in it) has no
    // candidate word, no string or field name inside it has one, and redaction would change nothing.
    const clean = line.indexOf('\\') < 0 && !mayHoldSecret(line) && (extra === null || shallowEnough(extra, 0));
    seq.push(rec.seq);
    timeMs.push(Date.parse(rec.time));
    level.push(LEVEL_NUMBER[rec.level]);
    out.subsystem.push(rec.subsystem);
    out.msg.push(clean ? rec.msg : redactText(rec.msg));
    out.fw.push(rec.fw);
    out.commit.push(rec.commit);
    out.extra.push(extra ? JSON.stringify(clean ? extra : redactValue(extra)) : '{}');
  }
  out.seq = Float64Array.from(seq);
  out.timeMs = Float64Array.from(timeMs);
  out.level = Uint8Array.from(level);
  return out;
}

/** Whether `redactValue` would keep the value whole (it cuts what nests deeper than its limit). */
function shallowEnough(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (depth >= REDACTION_MAX_DEPTH) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) if (!shallowEnough(x, depth + 1)) return false;
  return true;
}

/** The parse thread's loop: {id, payload, unit, boot} in, {id, parsed} (or {id, error}) out. */
export function serveParse(port: MessagePort): void {
  port.on('message', (m: { id: number; payload: Uint8Array; unit: string; boot: string }) => {
    try {
      const parsed = parseFrame(m.payload, m.unit, m.boot);
      port.postMessage({ id: m.id, parsed }, [parsed.seq.buffer as ArrayBuffer, parsed.timeMs.buffer as ArrayBuffer, parsed.level.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
}

import { createHash } from 'node:crypto';
import { bootRecord, type BootRecord } from '@pitwall/protocol/update';

/**
 * One copy of the boot-state record on disk:
 *
 *   PWBOOT1 <sha256 hex of the JSON line>\n<JSON>\n
 *
 * A copy is valid only whole: the header, a JSON line whose hash matches, the trailing newline,
 * and a record that passes its schema. A torn write (any prefix, any mix with older bytes) or a
 * flipped bit fails one of these, and the other copy is used.
 */
const MAGIC = 'PWBOOT1';
/** Far above any real record; a copy larger than this is not even hashed. */
export const MAX_RECORD_BYTES = 16 * 1024;

export function encodeBootRecord(record: BootRecord): Buffer {
  const json = JSON.stringify(bootRecord.parse(record));
  const hash = createHash('sha256').update(json).digest('hex');
  return Buffer.from(`${MAGIC} ${hash}\n${json}\n`, 'utf8');
}

export type DecodedCopy = { ok: true; record: BootRecord } | { ok: false; problem: string };

export function decodeBootRecord(bytes: Uint8Array | null): DecodedCopy {
  if (bytes === null) return { ok: false, problem: 'missing' };
  if (bytes.length > MAX_RECORD_BYTES) return { ok: false, problem: `too large (${bytes.length} bytes)` };
  const text = Buffer.from(bytes).toString('utf8');
  const headerEnd = text.indexOf('\n');
  if (headerEnd < 0) return { ok: false, problem: 'torn (no header line)' };
  const [magic, hash, ...extra] = text.slice(0, headerEnd).split(' ');
  if (magic !== MAGIC || extra.length > 0 || !/^[0-9a-f]{64}$/.test(hash ?? '')) return { ok: false, problem: 'bad header' };
  if (!text.endsWith('\n') || text.length === headerEnd + 1) return { ok: false, problem: 'torn (no end of record)' };
  const json = text.slice(headerEnd + 1, -1);
  if (createHash('sha256').update(json).digest('hex') !== hash) return { ok: false, problem: 'checksum mismatch' };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, problem: 'checksum matches but the JSON does not parse' };
  }
  return bootRecord.is(value) ? { ok: true, record: value } : { ok: false, problem: 'not a boot record of this format' };
}

/** Of two decoded copies, the valid one with the higher sequence number; null when neither is valid. */
export function newestCopy(a: DecodedCopy, b: DecodedCopy): BootRecord | null {
  if (a.ok && b.ok) return b.record.seq > a.record.seq ? b.record : a.record;
  if (a.ok) return a.record;
  if (b.ok) return b.record;
  return null;
}

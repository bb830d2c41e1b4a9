import { createHash } from 'node:crypto';
import CRC32 from 'crc-32';
import { ChunkType, encodeChunk, encodeSessionHeader, eventsChunk, gnssChunk, summaryChunk, type SessionFix } from '@pitwall/protocol';

/**
 * Seeded mutations of what a paired unit serves, for the hostile unit (never shipped). Each
 * document says whether a companion may accept it (`poisoned`: it must not store it nor
 * confirm it) or whether either answer is fine (`altered`: a bit flip that may still decode).
 */
export type Rand = () => number;
export const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const crc32 = (b: Uint8Array) => CRC32.buf(b) >>> 0;
const BAD_UTF8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]);

export const SESSION_MUTATIONS = ['clean', 'bad-utf8-events', 'bad-utf8-summary', 'bad-utf8-header', 'wrong-types', 'bit-flip', 'torn', 'other-unit', 'listed-huge', 'oversize', 'cut', 'drip'] as const;
export type SessionMutation = (typeof SESSION_MUTATIONS)[number];
/** Mutations that leave a session the companion must refuse (not stored, not confirmed). */
export const POISONED_SESSIONS: ReadonlySet<SessionMutation> = new Set(['bad-utf8-events', 'bad-utf8-summary', 'bad-utf8-header', 'wrong-types', 'other-unit', 'listed-huge', 'oversize', 'cut']);

export interface HostileSession {
  id: string;
  mutation: SessionMutation;
  /** What the unit serves, and the size and sha256 it lists (of the bytes it serves, unless cut). */
  bytes: Buffer;
  sizeB: number;
  sha256: string;
}

let sessionCounter = 0;
/** A well-formed session id, unique in this process (a second apart), with seeded hex. */
export function sessionId(rand: Rand): string {
  const stamp = new Date(Date.UTC(2026, 0, 1) + ++sessionCounter * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.floor(rand() * 0xffffff).toString(16).padStart(6, '0')}`;
}

/** A small valid session of `unitId` (two GNSS chunks, events, summary). */
function validParts(unitId: string, id: string, rand: Rand): Uint8Array[] {
  const t0 = Date.UTC(2026, 0, 1) + Math.floor(rand() * 1e9);
  const fixes: SessionFix[] = Array.from({ length: 40 }, (_, i) => ({
    t: t0 + i * 40, fix: '3d', lat: 28.41 + i * 1e-5, lon: -81.38 + rand() * 1e-4, altM: 30, speedMps: 20 + rand(), courseDeg: 90, satellites: 12, hdop: 0.8,
  }));
  const header = { format: 'pitwall-session' as const, version: 1 as const, sessionId: id, unitId, firmwareVersion: '0.4.0', startedAt: new Date(t0).toISOString(), trackId: null, driver: 'Hostile', gnssRateHz: 25, imu: null };
  return [
    encodeSessionHeader(header),
    gnssChunk(0, fixes.slice(0, 20)),
    gnssChunk(1, fixes.slice(20)),
    eventsChunk(2, [{ type: 'lap-start', lap: 0, t: t0 }]),
    summaryChunk(3, { endedAt: new Date(t0 + 1600).toISOString(), fixes: 40, imuSamples: 0, laps: 0, bestLapMs: null }),
  ];
}

/** The header with one byte of its JSON replaced by `byte`, its CRC recomputed. */
function patchHeader(header: Uint8Array, byte: number): Uint8Array {
  const out = Buffer.from(header);
  const json = out.subarray(10, out.length - 4);
  const at = 10 + json.indexOf('Hostile');
  out[at] = byte;
  out.writeUInt32BE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/** A chunk's payload with one bit flipped, its CRC recomputed (only the content is wrong). */
function flipInChunk(chunk: Uint8Array, rand: Rand): Uint8Array {
  const out = Buffer.from(chunk);
  const payload = out.length - 15;
  if (payload <= 0) return out;
  out[11 + Math.floor(rand() * payload)]! ^= 1 << Math.floor(rand() * 8);
  out.writeUInt32BE(crc32(out.subarray(2, out.length - 4)), out.length - 4);
  return out;
}

export function hostileSession(unitId: string, mutation: SessionMutation, rand: Rand): HostileSession {
  const id = sessionId(rand);
  const parts = validParts(mutation === 'other-unit' ? `${unitId}-twin` : unitId, id, rand);
  if (mutation === 'bad-utf8-events') parts[3] = encodeChunk(ChunkType.events, 2, Buffer.concat([Buffer.from('[{"type":"lap-start","lap":0,"t":1,"x":"'), BAD_UTF8, Buffer.from('"}]')]));
  if (mutation === 'bad-utf8-summary') parts[4] = encodeChunk(ChunkType.summary, 3, Buffer.concat([Buffer.from('{"endedAt":"'), BAD_UTF8, Buffer.from('"}')]));
  if (mutation === 'bad-utf8-header') parts[0] = patchHeader(parts[0]!, 0xff);
  if (mutation === 'wrong-types') parts[3] = encodeChunk(ChunkType.events, 2, Buffer.from(pick(rand, ['[{"type":"lap","lap":"one","t":"x"}]', '{"not":"a list"}', '[1e999]', '[null]'])));
  if (mutation === 'bit-flip') {
    const i = 1 + Math.floor(rand() * (parts.length - 1));
    parts[i] = flipInChunk(parts[i]!, rand);
  }
  let bytes = Buffer.concat(parts);
  if (mutation === 'torn') bytes = bytes.subarray(0, bytes.length - 1 - Math.floor(rand() * 10));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (mutation === 'listed-huge') return { id, mutation, bytes, sizeB: pick(rand, [2 ** 40, Number.MAX_SAFE_INTEGER, 1e300]), sha256 };
  if (mutation === 'oversize') return { id, mutation, bytes: Buffer.concat([bytes, Buffer.alloc(4096, 0x50)]), sizeB: bytes.length, sha256 };
  if (mutation === 'cut') return { id, mutation, bytes: bytes.subarray(0, Math.floor(bytes.length / 2)), sizeB: bytes.length, sha256 };
  return { id, mutation, bytes, sizeB: bytes.length, sha256 };
}

/** A JSON text with invalid UTF-8 inside one of its strings, or cut short, or of wrong types. */
export function hostileJson(value: unknown, rand: Rand): { body: Buffer; kind: 'bad-utf8' | 'truncated' | 'wrong-types' | 'huge-numbers' | 'clean' } {
  const text = JSON.stringify(value);
  const kind = pick(rand, ['bad-utf8', 'truncated', 'wrong-types', 'huge-numbers', 'clean'] as const);
  if (kind === 'bad-utf8') {
    const at = text.indexOf('":"') + 3;
    return { body: Buffer.concat([Buffer.from(text.slice(0, at)), BAD_UTF8, Buffer.from(text.slice(at))]), kind };
  }
  if (kind === 'truncated') return { body: Buffer.from(text.slice(0, Math.floor(rand() * text.length))), kind };
  if (kind === 'wrong-types') return { body: Buffer.from(text.replace(/:(-?\d+(\.\d+)?)/g, ':"$1"').replace(/:"[^"]*"/, ':[]')), kind };
  if (kind === 'huge-numbers') return { body: Buffer.from(text.replace(/:(-?\d+(\.\d+)?)/g, () => `:${pick(rand, ['1e308', '-1e308', '9007199254740993', '1e999', '-0'])}`)), kind };
  return { body: Buffer.from(text), kind };
}

/** NDJSON lines (`lines`) with some replaced by hostile ones. */
export function hostileLines(lines: string[], rand: Rand): Buffer {
  const out: Buffer[] = [];
  for (const line of lines) {
    const r = rand();
    if (r < 0.08) out.push(hostileJson(JSON.parse(line), rand).body);
    else if (r < 0.1) out.push(Buffer.from(`{"msg":"${'x'.repeat(200_000 + Math.floor(rand() * 100_000))}"}`));
    else if (r < 0.12) out.push(Buffer.from(Array.from({ length: 64 }, () => Math.floor(rand() * 256))));
    else out.push(Buffer.from(line));
    out.push(Buffer.from('\n'));
  }
  if (rand() < 0.3) out.push(Buffer.from('{"time":"2026-01-01T00:00:00Z","seq":')); // a torn last line
  return Buffer.concat(out);
}

import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/**
 * A hybrid logical clock stamp: wall-clock milliseconds, a counter for events within one
 * millisecond (or while the wall clock lags a stamp already seen), and the laptop that made it.
 * Stamps are totally ordered (ms, then counter, then node), so "last writer wins" has one answer
 * everywhere; a laptop whose clock runs behind still stamps after everything it has seen.
 */
export const Hlc = Type.Object(
  {
    ms: Type.Integer({ minimum: 0, maximum: 8.64e15 }),
    n: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    node: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }),
  },
  { additionalProperties: false },
);
export type Hlc = Static<typeof Hlc>;

export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.n !== b.n) return a.n < b.n ? -1 : 1;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

export const maxHlc = (a: Hlc, b: Hlc): Hlc => (compareHlc(a, b) >= 0 ? a : b);

/** The stamp for a new local event, after `last` (this laptop's clock) and at or after `nowMs`. */
export function tickHlc(last: Hlc, nowMs: number): Hlc {
  const ms = Math.max(last.ms, Math.floor(nowMs));
  return { ms, n: ms === last.ms ? last.n + 1 : 0, node: last.node };
}

/** This laptop's clock after seeing `remote` (from a merge): later than both. */
export function receiveHlc(last: Hlc, remote: Hlc, nowMs: number): Hlc {
  const ms = Math.max(last.ms, remote.ms, Math.floor(nowMs));
  const n = ms === last.ms && ms === remote.ms ? Math.max(last.n, remote.n) + 1 : ms === last.ms ? last.n + 1 : ms === remote.ms ? remote.n + 1 : 0;
  return { ms, n, node: last.node };
}

/** A stamp as text that sorts as the stamps do (OR-set tags, report rows). */
export const hlcText = (h: Hlc): string => `${h.ms.toString().padStart(16, '0')}.${h.n.toString(16).padStart(8, '0')}.${h.node}`;

export const hlc = validator('Hlc', Hlc);

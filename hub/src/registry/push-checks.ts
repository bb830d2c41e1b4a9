import { compareHlc, hlcText, registryPushProblems, trackSignature, type Hlc, type RegistryTrackPush, type TrackBook, type TrackSignature } from '@pitwall/protocol';
import { HubRefusal } from '../hub-refusal.js';

/**
 * How far ahead of the hub's clock a stamp may be. A stamp far in the future would win over every
 * later edit of its field (last writer wins) and drag every laptop's clock along when merged.
 */
export const STAMP_AHEAD_MAX_MS = 24 * 60 * 60 * 1000;

type Register = { value: unknown; at: Hlc };

/** Every register of a book with where it sits: tracks' four fields and groups' names. */
export function* registersOf(book: TrackBook): Generator<{ kind: 'track' | 'group'; key: string; field: string; reg: Register }> {
  for (const [key, t] of Object.entries(book.tracks)) {
    for (const field of ['geometry', 'name', 'sectors', 'deleted'] as const) {
      const reg = t[field];
      if (reg) yield { kind: 'track', key, field, reg };
    }
  }
  for (const [key, g] of Object.entries(book.groups)) if (g.name) yield { kind: 'group', key, field: 'name', reg: g.name };
}

/**
 * The checks a push passes before the database is touched: each track's geometry sane (the
 * protocol's registryPushProblems), a key that looks like a signature id equal to the id of its
 * geometry, no stamp far in the future. Returns the signatures the hub computed, by key.
 */
export function checkPushAlone(push: RegistryTrackPush, nowMs: number): Map<string, TrackSignature> {
  const problems = [...registryPushProblems(push)];
  if (problems.length) {
    const [key, why] = problems[0]!;
    throw new HubRefusal(400, 'invalid-track', `Track ${key}: ${why}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}. Nothing was merged.`);
  }
  const signatures = new Map<string, TrackSignature>();
  for (const [key, t] of Object.entries(push.book.tracks)) {
    const sig = trackSignature(t.geometry.value)!;
    if (key.startsWith('trk-') && key !== sig.id) {
      throw new HubRefusal(400, 'forged-signature-id', `Track ${key} names a signature id its geometry does not have (${sig.id}); the hub computes ids itself. Nothing was merged.`);
    }
    signatures.set(key, sig);
  }
  for (const { kind, key, field, reg } of registersOf(push.book)) {
    if (reg.at.ms > nowMs + STAMP_AHEAD_MAX_MS) {
      throw new HubRefusal(400, 'stamp-in-future', `The ${field} of ${kind} ${key} is stamped ${new Date(reg.at.ms).toISOString()}, more than a day after the hub's clock. Nothing was merged.`);
    }
  }
  return signatures;
}

/**
 * The checks against the organisation's canonical book, for a peer that claims edits it cannot
 * have made:
 * - the same stamp with another value than the registry holds (one laptop never stamps two
 *   values alike: a forged edit);
 * - an edit by laptop N that would win, stamped at or before N's high water (the newest stamp N
 *   itself has pushed). N's pushes carry its whole book, and its clock is past every stamp in it,
 *   so every edit N made up to its high water reached the registry then, or was overtaken: an
 *   unseen one that wins is out of order.
 */
export function checkPushAgainst(canonical: TrackBook, push: TrackBook, highWater: ReadonlyMap<string, string>): void {
  for (const { kind, key, field, reg } of registersOf(push)) {
    const entity = kind === 'track' ? canonical.tracks[key] : canonical.groups[key];
    const cur = entity ? (entity as Record<string, Register | undefined>)[field] : undefined;
    const order = cur ? compareHlc(reg.at, cur.at) : 1;
    if (order === 0 && JSON.stringify(cur!.value) !== JSON.stringify(reg.value)) {
      throw new HubRefusal(409, 'conflicting-edit', `The ${field} of ${kind} ${key} carries the stamp of an edit the registry holds with another value: a forged edit. Nothing was merged.`);
    }
    const hw = highWater.get(reg.at.node);
    if (order > 0 && hw !== undefined && hlcText(reg.at) <= hw) {
      throw new HubRefusal(
        409,
        'edit-out-of-order',
        `The ${field} of ${kind} ${key} claims an edit by ${reg.at.node} older than that laptop's own last push, which did not hold it. Nothing was merged.`,
      );
    }
  }
}

/** The newest stamp of `node`'s own in a book, as hlcText (empty when it holds none). */
export function ownHighWater(book: TrackBook, node: string): string {
  let hw = '';
  for (const { reg } of registersOf(book)) if (reg.at.node === node && hlcText(reg.at) > hw) hw = hlcText(reg.at);
  return hw;
}

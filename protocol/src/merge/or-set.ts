import { Type, type Static } from '@sinclair/typebox';

/**
 * An observed-remove set: each add carries a unique tag (its stamp as text); a remove tombstones
 * the tags it saw. An element is in the set while one of its tags is not removed, so an add made
 * concurrently with a remove (a tag the remover never saw) survives: nobody's add is lost.
 */
export const OrSet = Type.Object(
  {
    adds: Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.Array(Type.String({ maxLength: 128 }), { maxItems: 1000 }), { maxProperties: 1000 }),
    removed: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100_000 }),
  },
  { additionalProperties: false },
);
export type OrSet = Static<typeof OrSet>;

export const emptyOrSet = (): OrSet => ({ adds: {}, removed: [] });

export function orSetHas(s: OrSet, element: string): boolean {
  const removed = new Set(s.removed);
  return (s.adds[element] ?? []).some((tag) => !removed.has(tag));
}

export function orSetValues(s: OrSet): string[] {
  return Object.keys(s.adds).filter((e) => orSetHas(s, e)).sort();
}

export function orSetAdd(s: OrSet, element: string, tag: string): OrSet {
  return { ...s, adds: { ...s.adds, [element]: sortedUnion(s.adds[element] ?? [], [tag]) } };
}

/** Removes what this laptop has seen of the element: its tags now. */
export function orSetRemove(s: OrSet, element: string): OrSet {
  return { ...s, removed: sortedUnion(s.removed, s.adds[element] ?? []) };
}

export function mergeOrSet(a: OrSet, b: OrSet): OrSet {
  const adds: Record<string, string[]> = {};
  for (const e of [...new Set([...Object.keys(a.adds), ...Object.keys(b.adds)])].sort()) adds[e] = sortedUnion(a.adds[e] ?? [], b.adds[e] ?? []);
  return { adds, removed: sortedUnion(a.removed, b.removed) };
}

const sortedUnion = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort();

/** The orders and groupings a convergence test merges replicas in, drawn from a seeded `rand`. */

/** A copy of `xs` in a random order (Fisher–Yates). */
export function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `xs` merged as a random tree: two at random merged (either way round), put back, until one is left. */
export function treeMerge<T>(xs: readonly T[], rand: () => number, merge: (a: T, b: T) => T): T {
  const pool = [...xs];
  while (pool.length > 1) {
    const a = pool.splice(Math.floor(rand() * pool.length), 1)[0]!;
    const b = pool.splice(Math.floor(rand() * pool.length), 1)[0]!;
    pool.push(rand() < 0.5 ? merge(a, b) : merge(b, a));
  }
  return pool[0]!;
}

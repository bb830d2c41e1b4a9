import { seededRandom } from '../../src/hal/sim/seeded-random.js';

/** Seeded PRNG so fuzz failures are reproducible. */
export const prng = seededRandom;

export const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

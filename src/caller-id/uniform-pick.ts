import type { RandomSource } from './types';

/**
 * Picks one item uniformly. The source is checked rather than clamped: a source returning 1 or NaN is a
 * programming error, and clamping it would silently bias the pick towards the last number.
 */
export function pickUniform<T>(items: readonly T[], random: RandomSource): T {
  if (items.length === 0) throw new RangeError('pickUniform needs at least one item');
  if (items.length === 1) return items[0] as T;
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random source returned ${r}; expected a number in [0, 1)`);
  return items[Math.floor(r * items.length)] as T;
}

/**
 * mulberry32: a tiny seeded PRNG with a full 2^32 period, good enough for uniform picks. Exported so
 * tests and simulations can reproduce a sequence of picks; production injects a real random source.
 */
export function mulberry32(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Small deterministic PRNGs for the synthetic market data. Same seed, same sequence, on every
 * platform; never Math.random. Floats here drive the simulation only: prices and sizes are turned
 * into Decimal on the tick grid before anyone reads them.
 */

/** A stream of uniform floats in [0, 1). */
export interface Rng {
  next(): number;
}

/** mulberry32: 32-bit state, good enough statistics for a price walk, tiny and fast. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** FNV-1a 32-bit hash of a string: derives independent per-listing seeds from one feed seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A generator seeded from a base seed and a name (e.g. a listing id), independent of other names. */
export function rngFor(seed: number, name: string): Rng {
  return mulberry32(hashString(`${seed >>> 0}:${name}`));
}

/** Uniform float in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Uniform integer in [lo, hi] (both inclusive). */
export function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.next() * (hi - lo + 1));
}

/** Standard normal sample (Box–Muller). */
export function normal(rng: Rng): number {
  let u = rng.next();
  while (u <= Number.EPSILON) u = rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

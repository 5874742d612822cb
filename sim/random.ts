/** A small seeded PRNG (mulberry32): the same seed gives the same workload on every machine. */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randomInt = (rng: Random, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

export const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

export function shuffle<T>(rng: Random, items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** Hex id of n characters. */
export const hexId = (rng: Random, n: number): string =>
  Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join('');

/** At-least-once delivery: every event 1..maxCopies times, in a shuffled order. */
export function atLeastOnce<T>(rng: Random, events: readonly T[], maxCopies: number): T[] {
  const copies: T[] = [];
  for (const e of events) for (let i = randomInt(rng, 1, maxCopies); i > 0; i--) copies.push(e);
  return shuffle(rng, copies);
}

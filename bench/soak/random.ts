/**
 * Seeded random sources, so that a soak or flood run can be replayed from its seed: every choice
 * (faults, absences, each client's pace and backoff jitter) draws from a stream of its own,
 * derived from the seed and a label, so that one stream's draws never depend on when another's
 * were made.
 */

/** Returns a function giving numbers in [0, 1), the same sequence for the same seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The stream named `label` of run `seed`: the same numbers for the same pair, unrelated ones for another label. */
export function streamOf(seed: number, label: string): () => number {
  // FNV-1a over the seed and the label, so that nearby seeds and labels give unrelated states.
  let hash = 0x811c9dc5;
  for (const char of `${seed}:${label}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return seededRandom(hash);
}

/** A whole number in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Up to `count` distinct items of `items`, picked at random. */
export function pickSome<T>(random: () => number, items: readonly T[], count: number): T[] {
  return shuffled(random, items).slice(0, count);
}

/** A copy of `items` in random order (Fisher–Yates: always `items.length - 1` draws). */
export function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The statistics of every bench, soak and flood run: a growable sample buffer, nearest-rank
 * percentiles, medians, rounding and ratios. One place, so that every report ranks alike.
 */

/** Latency percentiles in ms (null when there were no samples). */
export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** A growable buffer of numbers (latencies in ms), cheap to append to from a hot receive path. */
export class Samples {
  #values = new Float64Array(1024);
  #length = 0;

  /** Appends one value. */
  add(value: number): void {
    if (this.#length === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#length++] = value;
  }

  get length(): number {
    return this.#length;
  }

  /** The largest value (0 when empty). */
  max(): number {
    let max = 0;
    for (let i = 0; i < this.#length; i++) max = Math.max(max, this.#values[i]!);
    return max;
  }

  /** p50/p95/p99/max, nearest-rank. */
  percentiles(): Percentiles {
    const sorted = this.#values.slice(0, this.#length).sort();
    const at = (p: number): number | null =>
      sorted.length === 0 ? null : round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
    return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
  }
}

/** The median of some numbers (the mean of the middle two for an even count); null when empty. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds to 0.1 (ms figures) so reports stay readable. */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** a / b, or null when either is missing or b is zero. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a == null || b == null || b === 0 ? null : round(a / b, 2);
}

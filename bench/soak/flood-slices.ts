/**
 * The flood's clock: one room, measured in short slices, the flooder on in one slice of each pair
 * and off in the other (which one is drawn from the seed). On a shared machine a neighbour's burst
 * lasts seconds; measuring the room with and without the flooder one after the other let such a
 * burst land on one side only, while interleaved slices share it between both. A slice without
 * the flooder starts only once the room has answered everything the flooder sent (the run waits
 * in a gap between slices), so a backlog the flood left behind is not counted as "without". A
 * latency sample counts for the slice its message was sent in; messages sent in a gap count for
 * neither. A shorter spike still lands in one slice, whose deliveries are a few percent of a
 * side's: enough to set its p99. So each side's p99 is also given without its worst slice: a
 * spike hits one slice, while what the flooder costs shows in all of its slices.
 */
import { Samples, type Percentiles } from "../stats.ts";

/** With or without the flooder. */
export type Condition = "with" | "without";

/** Whether the flooder floods in each slice: every pair of slices holds one of each, in a drawn order. */
export function sliceOrder(random: () => number, pairs: number): Condition[] {
  return Array.from({ length: pairs }, (): Condition[] => (random() < 0.5 ? ["with", "without"] : ["without", "with"])).flat();
}

/** How often the clock looks at its own event loop: a tick that comes late measures the delay. */
const TICK_MS = 10;

interface Window {
  start: number;
  end: number;
  condition: Condition;
  /** Latency of the deliveries of messages sent in this slice, ms. */
  latency: number[];
}

/** Per-condition samples of one interleaved run. */
export class SliceClock {
  /** This process's event-loop delay in each condition (latency it adds is not the room's), ms. */
  readonly lag: Record<Condition, Samples> = { with: new Samples(), without: new Samples() };
  /** Time spent waiting between slices for the room to answer the flooder, ms. */
  gapMs = 0;
  readonly #windows: Window[] = [];
  #ticker: ReturnType<typeof setInterval> | undefined;

  /** Starts a slice of `condition` now; it lasts until `end()`. */
  begin(condition: Condition): void {
    const now = performance.now();
    const previous = this.#windows.at(-1);
    if (previous) this.gapMs += now - previous.end;
    this.#windows.push({ start: now, end: Infinity, condition, latency: [] });
    if (this.#ticker) return;
    let last = now;
    this.#ticker = setInterval(() => {
      const tick = performance.now();
      const during = this.conditionAt(last);
      if (during) this.lag[during].add(Math.max(0, tick - last - TICK_MS));
      last = tick;
    }, TICK_MS);
  }

  /** Ends the current slice. */
  end(): void {
    const current = this.#windows.at(-1);
    if (current && current.end === Infinity) current.end = performance.now();
  }

  /** Stops the event-loop ticks (the run is over). */
  stop(): void {
    this.end();
    clearInterval(this.#ticker);
  }

  /** Slices measured in `condition`. */
  slices(condition: Condition): number {
    return this.#windows.filter((w) => w.condition === condition).length;
  }

  /**
   * Latency of `condition`'s deliveries, pooled over its slices but the `trim` whose own p99 is
   * the highest.
   */
  latency(condition: Condition, trim = 0): Percentiles {
    const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(values.length * 0.99) - 1)] ?? 0;
    const slices = this.#windows.filter((w) => w.condition === condition).sort((a, b) => p99(a.latency) - p99(b.latency));
    const pooled = new Samples();
    for (const slice of slices.slice(0, Math.max(0, slices.length - trim))) for (const value of slice.latency) pooled.add(value);
    return pooled.percentiles();
  }

  /** The condition of the slice holding time `at`; undefined before, between and after the slices. */
  conditionAt(at: number): Condition | undefined {
    return this.#windowAt(at)?.condition;
  }

  /** Counts one delivery of a message sent at `sentAt`, received at `at`. */
  sample(sentAt: number, at: number): void {
    this.#windowAt(sentAt)?.latency.push(at - sentAt);
  }

  #windowAt(at: number): Window | undefined {
    // Windows are in time order: find the last one starting at or before `at`.
    let low = 0;
    let high = this.#windows.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.#windows[mid]!.start <= at) low = mid;
      else high = mid - 1;
    }
    const window = this.#windows[low];
    return window && window.start <= at && at < window.end ? window : undefined;
  }
}

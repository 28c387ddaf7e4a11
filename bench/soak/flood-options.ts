/** How a flood runs: its options, and the full and quick runs (bench/soak/flood.ts runs them). */
import type { ReconnectPolicy } from "@edge-chat/client";

/** How a flood runs. */
export interface FloodOptions {
  /** People chatting, each through the page's real transport. */
  others: number;
  /** Readers that send nothing and count every copy of each seq they are sent (see observers.ts). */
  observers: number;
  /** Each of them says something this often on average (±50 %). */
  othersSayEveryMs: number;
  /** Time measured in each condition (with and without the flooder), in slices of `sliceMs`. */
  conditionMs: number;
  sliceMs: number;
  /** Unmeasured time at the start, everyone chatting and the flooder flooding, so nothing runs cold. */
  warmUpMs: number;
  floodPerSecond: number;
  /** The others' p99 with the flooder may be at most this many times the p99 without. */
  maxLatencyRatio: number;
  policy: Partial<ReconnectPolicy>;
  seed: number;
}

/** The full run of `npm run flood`: 50 people, 10 s measured with the flooder and 10 s without. */
export const FULL_FLOOD: FloodOptions = {
  others: 50,
  observers: 5,
  othersSayEveryMs: 3_000,
  conditionMs: 10_000,
  sliceMs: 500,
  warmUpMs: 1_000,
  floodPerSecond: 200,
  maxLatencyRatio: 2,
  policy: {},
  seed: 1,
};

/**
 * The small flood of `npm test` (and `npm run flood -- --quick`): 20 people saying something
 * every ~0.4 s, 3 s measured in each condition, about 2,800 latency samples in each: the p99 is
 * the 28th-worst delivery, not the 5th as with the 10 people of earlier versions.
 */
export const QUICK_FLOOD: FloodOptions = { ...FULL_FLOOD, others: 20, othersSayEveryMs: 400, conditionMs: 6_000, sliceMs: 250 };

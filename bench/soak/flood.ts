/**
 * The flood: a room of people chatting at human pace on one `wrangler dev`, measured in short
 * slices, with one more client flooding in half of them (one slice of each pair). The flooder
 * must be held to its bucket (answered `rate_limited`, nothing beyond the bucket stored) and the
 * others' p99 latency in the slices with it must stay within a factor of the slices without.
 * One run decides: interleaving, not retries, is what keeps a neighbour's burst on the shared
 * machine from landing on one side only (see flood-slices.ts).
 */
import { rmSync } from "node:fs";
import { startDevServer } from "../../scripts/dev-server.ts";
import type { ReconnectPolicy } from "../../src/client/reconnect-policy.ts";
import { ratio } from "../stats.ts";
import { runInterleaved, type FloodRun } from "./flood-run.ts";

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

/** The run and the verdict. */
export interface FloodResult {
  options: FloodOptions;
  run: FloodRun;
  /** p99 with the flooder / p99 without, each side without its worst slice: the verdict. */
  p99Ratio: number | null;
  /** The same over every slice. */
  rawP99Ratio: number | null;
  elapsedMs: number;
  violations: string[];
}

/** Runs one interleaved flood against its own `wrangler dev`, which it stops at the end. */
export async function runFlood(options: FloodOptions, log: (line: string) => void = () => {}): Promise<FloodResult> {
  const began = performance.now();
  const server = await startDevServer();
  try {
    const room = `flood-${Date.now().toString(36)}-${options.seed}`;
    log(`flood: ${options.others} people, ${options.observers} observers and a flooder at ${options.floodPerSecond}/s in slices of ${options.sliceMs} ms on ${server.url}`);
    const run = await runInterleaved(server, room, options);
    const p99Ratio = ratio(run.with.trimmed.p99, run.without.trimmed.p99);
    const rawP99Ratio = ratio(run.with.latency.p99, run.without.latency.p99);
    const violations = [...run.violations];
    if (p99Ratio === null) violations.push("no latency samples to compare");
    else if (p99Ratio > options.maxLatencyRatio) {
      violations.push(
        `others' p99 ${run.with.trimmed.p99} ms with the flooder is ${p99Ratio}× the ${run.without.trimmed.p99} ms without, ` +
          `each without its worst slice (limit ${options.maxLatencyRatio}×; over every slice ${rawP99Ratio}×)`,
      );
    }
    return { options, run, p99Ratio, rawP99Ratio, elapsedMs: Math.round(performance.now() - began), violations };
  } finally {
    await server.stop();
    rmSync(server.persistDir, { recursive: true, force: true });
  }
}

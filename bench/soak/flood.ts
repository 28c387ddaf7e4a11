/**
 * The flood: a room of people chatting at human pace, measured twice on one `wrangler dev`, back
 * to back and with the same settings: once alone, once while one more client floods. The flooder
 * must be held to its bucket (answered `rate_limited`, nothing beyond the bucket stored) and the
 * others' p99 latency must stay within a factor of the run without it.
 */
import { rmSync } from "node:fs";
import { startDevServer } from "../../scripts/dev-server.ts";
import type { ReconnectPolicy } from "../../src/client/reconnect-policy.ts";
import { ratio } from "../stats.ts";
import { runPhase, type FloodPhase } from "./flood-phase.ts";

/** How a flood runs. */
export interface FloodOptions {
  /** People chatting, each through the page's real transport. */
  others: number;
  /** Readers that send nothing and count every copy of each seq they are sent (see observers.ts). */
  observers: number;
  /** Each of them says something this often on average (±50 %). */
  othersSayEveryMs: number;
  durationMs: number;
  floodPerSecond: number;
  /** The others' p99 with the flooder may be at most this many times the p99 without. */
  maxLatencyRatio: number;
  /**
   * Pairs of phases to try until one meets the latency limit. The full run makes one. The quick
   * variant in `npm test` allows three, because it shares two cores with CPU-heavy tests whose
   * bursts swamp a 3 s measurement; a real slowdown fails every pair. Every other check must
   * hold in every pair.
   */
  attempts: number;
  policy: Partial<ReconnectPolicy>;
  seed: number;
}

/** The full run of `npm run flood`. */
export const FULL_FLOOD: FloodOptions = {
  others: 50,
  observers: 5,
  othersSayEveryMs: 3_000,
  durationMs: 10_000,
  floodPerSecond: 200,
  maxLatencyRatio: 2,
  attempts: 1,
  policy: {},
  seed: 1,
};

/** The small flood of `npm test` (and `npm run flood -- --quick`): 10 people, 3 s per phase. */
export const QUICK_FLOOD: FloodOptions = { ...FULL_FLOOD, others: 10, othersSayEveryMs: 500, durationMs: 3_000, attempts: 3 };

/** A baseline and a flood phase, run back to back. */
export interface FloodPair {
  baseline: FloodPhase;
  flood: FloodPhase;
  /** flood p99 / baseline p99. */
  p99Ratio: number | null;
}

/** Every pair run and the verdict; the last pair is the one reported. */
export interface FloodResult {
  options: FloodOptions;
  pairs: FloodPair[];
  baseline: FloodPhase;
  flood: FloodPhase;
  p99Ratio: number | null;
  elapsedMs: number;
  violations: string[];
}

/** Runs the baseline and then the flood against one `wrangler dev`, which it stops at the end. */
export async function runFlood(options: FloodOptions, log: (line: string) => void = () => {}): Promise<FloodResult> {
  const began = performance.now();
  const server = await startDevServer();
  try {
    const pairs: FloodPair[] = [];
    const violations: string[] = [];
    for (let attempt = 1; attempt <= Math.max(1, options.attempts); attempt++) {
      const tag = `${Date.now().toString(36)}-${options.seed}-${attempt}`;
      log(`flood: baseline, ${options.others} people for ${options.durationMs / 1000} s on ${server.url}`);
      const baseline = await runPhase(server, `flood-base-${tag}`, false, options);
      log(`flood: the same with a flooder at ${options.floodPerSecond}/s`);
      const flood = await runPhase(server, `flood-${tag}`, true, options);
      const p99Ratio = ratio(flood.latency.p99, baseline.latency.p99);
      pairs.push({ baseline, flood, p99Ratio });
      violations.push(...baseline.violations.map((v) => `baseline: ${v}`), ...flood.violations.map((v) => `flood: ${v}`));
      if (p99Ratio !== null && p99Ratio <= options.maxLatencyRatio) break;
      log(`flood: p99 ratio ${p99Ratio ?? "unknown"} in pair ${attempt} of ${options.attempts}`);
    }
    const last = pairs.at(-1)!;
    if (last.p99Ratio === null) violations.push("no latency samples to compare");
    else if (last.p99Ratio > options.maxLatencyRatio) {
      violations.push(
        `others' p99 ${last.flood.latency.p99} ms with the flooder is ${last.p99Ratio}× the ${last.baseline.latency.p99} ms without ` +
          `(limit ${options.maxLatencyRatio}×; ratios of all pairs: ${pairs.map((p) => p.p99Ratio).join(", ")})`,
      );
    }
    const elapsedMs = Math.round(performance.now() - began);
    return { options, pairs, baseline: last.baseline, flood: last.flood, p99Ratio: last.p99Ratio, elapsedMs, violations };
  } finally {
    await server.stop();
    rmSync(server.persistDir, { recursive: true, force: true });
  }
}

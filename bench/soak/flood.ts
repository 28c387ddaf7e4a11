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
import type { FloodOptions } from "./flood-options.ts";
import { ratio } from "../stats.ts";
import { runInterleaved, type FloodRun } from "./flood-run.ts";

export { FULL_FLOOD, QUICK_FLOOD, type FloodOptions } from "./flood-options.ts";


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

/** How a flood's result is printed: both phases side by side, then one JSON line. */
import type { FloodResult } from "./flood.ts";
import type { FloodPhase } from "./flood-phase.ts";
import { table } from "./report.ts";

/** The human-readable report of a flood. */
export function floodTable(result: FloodResult): string {
  const { baseline, flood, options } = result;
  const f = flood.flooder;
  const rows: [string, string | number | null, string | number | null][] = [
    ["others' messages sent / stored", `${baseline.othersSent} / ${baseline.othersStored}`, `${flood.othersSent} / ${flood.othersStored}`],
    ["latency samples (deliveries)", baseline.latency.count, flood.latency.count],
    ["observers' messages shown / duplicated by seq", `${baseline.observed.shown} / ${baseline.observed.duplicated}`, `${flood.observed.shown} / ${flood.observed.duplicated}`],
    ["others' latency p50 ms", baseline.latency.p50, flood.latency.p50],
    ["others' latency p99 ms", baseline.latency.p99, flood.latency.p99],
    ["others' latency max ms", baseline.latency.max, flood.latency.max],
    ["load generator's event-loop delay p99 ms", baseline.clientLagP99Ms, flood.clientLagP99Ms],
    ["flooder says sent", null, f?.sent ?? null],
    ["flooder rate_limited", null, f?.rateLimited ?? null],
    ["flooder stored (echoed)", null, f ? `${f.stored} (${f.accepted})` : null],
    ["flooder bound (burst + perSecond × span + 1)", null, f ? `${f.bound} (${f.burst} + ${f.perSecond} × ${f.spanMs / 1000} s + 1)` : null],
  ];
  return [
    table(["", "without flooder", "with flooder"], rows),
    "",
    `${options.others} people (one say per ~${options.othersSayEveryMs / 1000} s each) and ${options.observers} observers, ${options.durationMs / 1000} s per phase, flooder ${options.floodPerSecond}/s, seed ${options.seed}`,
    `p99 ratio (with / without): ${result.p99Ratio ?? "–"} (limit ${options.maxLatencyRatio})` +
      (result.pairs.length > 1 ? `; pairs tried ${result.pairs.length}, ratios ${result.pairs.map((p) => p.p99Ratio).join(", ")}` : "") +
      `; total ${Math.round(result.elapsedMs / 1000)} s`,
    result.violations.length === 0 ? "PASS" : `FAIL: ${result.violations.join("; ")}`,
  ].join("\n");
}

/** The one-line JSON summary of a flood. */
export function floodJson(result: FloodResult): string {
  return JSON.stringify({
    run: "flood",
    seed: result.options.seed,
    others: result.options.others,
    durationMs: result.options.durationMs,
    floodPerSecond: result.options.floodPerSecond,
    baseline: phaseJson(result.baseline),
    flood: { ...phaseJson(result.flood), flooder: result.flood.flooder },
    p99Ratio: result.p99Ratio,
    pairRatios: result.pairs.map((p) => p.p99Ratio),
    elapsedMs: result.elapsedMs,
    pass: result.violations.length === 0,
    violations: result.violations,
  });
}

function phaseJson(phase: FloodPhase) {
  const { latency, clientLagP99Ms, othersSent, othersStored, observed } = phase;
  return { latencyMs: latency, clientLagP99Ms, othersSent, othersStored, observed };
}

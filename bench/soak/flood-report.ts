/** How a flood's result is printed: both conditions side by side, the whole run, then one JSON line. */
import type { FloodResult } from "./flood.ts";
import type { ConditionFigures } from "./flood-run.ts";
import { table } from "./report.ts";

/** The human-readable report of a flood. */
export function floodTable(result: FloodResult): string {
  const { run, options } = result;
  const f = run.flooder;
  const { with: flooding, without } = run;
  const conditions: [string, string | number | null, string | number | null][] = [
    ["slices measured", without.slices, flooding.slices],
    ["latency samples (deliveries)", without.latency.count, flooding.latency.count],
    ["others' latency p50 ms", without.latency.p50, flooding.latency.p50],
    ["others' latency p99 ms", without.latency.p99, flooding.latency.p99],
    ["  the same without the worst slice", without.trimmed.p99, flooding.trimmed.p99],
    ["others' latency max ms", without.latency.max, flooding.latency.max],
    ["load generator's event-loop delay p99 ms", without.clientLagP99Ms, flooding.clientLagP99Ms],
  ];
  const whole: [string, string | number][] = [
    ["others' messages sent / stored", `${run.othersSent} / ${run.othersStored}`],
    ["observers' messages shown / duplicated by seq", `${run.observed.shown} / ${run.observed.duplicated}`],
    ["waited between slices for the room to answer the flooder", `${run.gapMs} ms`],
    ["flooder says sent", f.sent],
    ["flooder rate_limited", f.rateLimited],
    ["flooder stored (echoed)", `${f.stored} (${f.accepted})`],
    ["flooder bound (burst + perSecond × span + 1)", `${f.bound} (${f.burst} + ${f.perSecond} × ${f.spanMs / 1000} s + 1)`],
  ];
  return [
    table(["", "without flooder", "with flooder"], conditions),
    "",
    table(["whole run", ""], whole),
    "",
    `${options.others} people (one say per ~${options.othersSayEveryMs / 1000} s each) and ${options.observers} observers, ` +
      `${options.conditionMs / 1000} s per condition in slices of ${options.sliceMs} ms, flooder ${options.floodPerSecond}/s, seed ${options.seed}`,
    `p99 ratio (with / without), each side without its worst slice: ${result.p99Ratio ?? "–"} (limit ${options.maxLatencyRatio}); ` +
      `over every slice: ${result.rawP99Ratio ?? "–"}; total ${Math.round(result.elapsedMs / 1000)} s`,
    result.violations.length === 0 ? "PASS" : `FAIL: ${result.violations.join("; ")}`,
  ].join("\n");
}

/** The one-line JSON summary of a flood. */
export function floodJson(result: FloodResult): string {
  const { options, run } = result;
  return JSON.stringify({
    run: "flood",
    seed: options.seed,
    others: options.others,
    observers: options.observers,
    conditionMs: options.conditionMs,
    sliceMs: options.sliceMs,
    floodPerSecond: options.floodPerSecond,
    without: conditionJson(run.without),
    with: conditionJson(run.with),
    othersSent: run.othersSent,
    othersStored: run.othersStored,
    observed: run.observed,
    gapMs: run.gapMs,
    flooder: run.flooder,
    p99Ratio: result.p99Ratio,
    rawP99Ratio: result.rawP99Ratio,
    elapsedMs: result.elapsedMs,
    pass: result.violations.length === 0,
    violations: result.violations,
  });
}

function conditionJson(figures: ConditionFigures) {
  return { slices: figures.slices, latencyMs: figures.latency, trimmedP99Ms: figures.trimmed.p99, clientLagP99Ms: figures.clientLagP99Ms };
}

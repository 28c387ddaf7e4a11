/**
 * The fixed-load table: for each client count, room and baseline back to back, A B A B, each trial
 * in a fresh room at the same offered load (within the room's normal rate limit), then one row per
 * target with the median over rounds and room ÷ baseline.
 */
import type { BenchOptions } from "./options.ts";
import type { TableComparison, TableRow, TrialRecord } from "./records.ts";
import type { BenchServer } from "./servers.ts";
import { median, ratio } from "./stats.ts";
import type { TrialRunner } from "./trial-runner.ts";
import type { Target } from "./types.ts";

/** Runs the table phase; `progress` is told about each finished trial. */
export async function runTable(
  runner: TrialRunner,
  servers: Record<Target, BenchServer>,
  options: BenchOptions,
  progress: (trial: TrialRecord) => void,
): Promise<{ comparisons: TableComparison[]; trials: TrialRecord[] }> {
  const trials: TrialRecord[] = [];
  const comparisons: TableComparison[] = [];
  for (const clients of options.clients) {
    const plan = { clients, senders: options.senders, stages: [{ ratePerSender: options.rate, seconds: options.duration }] };
    for (let round = 1; round <= options.rounds; round++) {
      for (const target of ["room", "baseline"] as const) {
        const trial = await runner.run(servers[target], target, round, plan);
        trials.push(trial);
        progress(trial);
      }
    }
    const room = summarize("room", clients, trials);
    const baseline = summarize("baseline", clients, trials);
    comparisons.push({
      clients,
      room,
      baseline,
      ratio: {
        deliveriesPerS: ratio(room.deliveriesPerS, baseline.deliveriesPerS),
        p50: ratio(room.latency.p50, baseline.latency.p50),
        p99: ratio(room.latency.p99, baseline.latency.p99),
        serverCpuShare: ratio(room.serverCpuShare, baseline.serverCpuShare),
        serverUsPerDelivery: ratio(room.serverUsPerDelivery, baseline.serverUsPerDelivery),
      },
    });
  }
  return { comparisons, trials };
}

/** One target's row at one client count: medians over the rounds that ran, sums of the error counts. */
function summarize(target: Target, clients: number, all: TrialRecord[]): TableRow {
  const trials = all.filter((t) => t.target === target && t.clients === clients);
  const stages = trials.flatMap((t) => t.stages.slice(0, 1));
  const med = (values: (number | null | undefined)[]) => median(values.filter((v): v is number => v != null));
  const sum = (values: (number | null)[]) => (values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0));
  return {
    target,
    clients,
    rounds: stages.length,
    offeredPerS: stages[0]?.offeredPerS ?? 0,
    connectMs: med(trials.map((t) => t.connect?.settledMs)),
    deliveriesPerS: med(stages.map((s) => s.deliveriesPerS)),
    latency: {
      p50: med(stages.map((s) => s.latency.p50)),
      p95: med(stages.map((s) => s.latency.p95)),
      p99: med(stages.map((s) => s.latency.p99)),
      max: stages.length ? Math.max(...stages.map((s) => s.latency.max ?? 0)) : null,
    },
    lost: stages.reduce((a, s) => a + s.lost, 0),
    refused: stages.reduce((a, s) => a + s.refused, 0),
    duplicated: { bySeq: sum(stages.map((s) => s.duplicatedBySeq)), bySender: stages.reduce((a, s) => a + s.duplicatedBySender, 0) },
    outOfOrder: { bySeq: sum(stages.map((s) => s.outOfOrderBySeq)), bySender: stages.reduce((a, s) => a + s.outOfOrderBySender, 0) },
    seqGaps: sum(stages.map((s) => s.seqGaps)),
    serverCpuShare: med(stages.map((s) => s.server?.total)),
    serverUsPerDelivery: med(stages.map((s) => s.serverUsPerDelivery)),
    loadCpuShare: med(stages.map((s) => s.loadCpuShare)),
    others: med(stages.map((s) => s.others)),
    errors: trials.flatMap((t) => (t.error ? [t.error] : [])),
  };
}

/**
 * Saturation: at N clients, offered load climbs in stages (a staircase in one room) until the server
 * falls clearly behind. A stage passes when its messages all arrived, p99 within the limit, nothing
 * refused, duplicated or reordered; a target's figure is its best passing stage. Round 1 climbs from
 * a low start in coarse steps; later rounds climb finely from just below the best so far. Room and
 * baseline alternate, A B A B, and the best of the rounds counts (noise on a shared machine only ever
 * makes a server look slower).
 */
import type { BenchOptions } from "./options.ts";
import type { MeasuredStage, SaturationFigure, SaturationSummary, TrialRecord } from "./records.ts";
import type { BenchServer } from "./servers.ts";
import { median, ratio } from "./stats.ts";
import type { TrialRunner } from "./trial-runner.ts";
import type { Stage, Target } from "./types.ts";

/** Runs the saturation phase. */
export async function runSaturation(
  runner: TrialRunner,
  servers: Record<Target, BenchServer>,
  options: BenchOptions,
  progress: (trial: TrialRecord) => void,
): Promise<{ summary: SaturationSummary; staircases: TrialRecord[] }> {
  const staircases: TrialRecord[] = [];
  const best: Record<Target, MeasuredStage | null> = { room: null, baseline: null };
  for (let round = 1; round <= options.satRounds; round++) {
    for (const target of ["room", "baseline"] as const) {
      const stages = round === 1 ? coarseStages(options) : fineStages(options, best[target]);
      const trial = await runner.run(servers[target], target, round, {
        clients: options.satClients,
        senders: options.satSenders,
        stages,
        // Well past the bar: once deliveries are this late, later stages only measure the backlog.
        abortLatencyMs: Math.max(300, options.p99LimitMs * 3),
      });
      for (const stage of trial.stages) stage.passed = passes(stage, options.p99LimitMs);
      const top = bestPassing(trial);
      if (top && (!best[target] || top.deliveriesPerS > best[target]!.deliveriesPerS)) best[target] = top;
      staircases.push(trial);
      progress(trial);
    }
  }
  const room = figure("room", staircases, best.room, options.satRounds);
  const baseline = figure("baseline", staircases, best.baseline, options.satRounds);
  return {
    summary: {
      clients: options.satClients,
      senders: options.satSenders,
      p99LimitMs: options.p99LimitMs,
      room,
      baseline,
      ratio: ratio(room.deliveriesPerS, baseline.deliveriesPerS),
      perRoundRatio: room.perRound.map((r, i) => ratio(r, baseline.perRound[i])),
      efficiencyRatio: ratio(room.deliveriesPerCpuSecond, baseline.deliveriesPerCpuSecond),
    },
    staircases,
  };
}

/** True when a stage meets the saturation bar. */
export function passes(stage: MeasuredStage, p99LimitMs: number): boolean {
  return (
    stage.latency.count > 0 &&
    (stage.latency.p99 ?? Infinity) <= p99LimitMs &&
    stage.lost === 0 &&
    stage.refused === 0 &&
    stage.duplicatedBySender === 0 &&
    stage.outOfOrderBySender === 0 &&
    !stage.duplicatedBySeq &&
    !stage.outOfOrderBySeq &&
    !stage.seqGaps
  );
}

/** Round 1: from `satStart` messages/s, times `satStep` per stage. */
export function coarseStages(options: BenchOptions): Stage[] {
  return Array.from({ length: options.satMaxStages }, (_, k) => ({
    ratePerSender: (options.satStart * options.satStep ** k) / options.satSenders,
    seconds: options.satStageSeconds,
  }));
}

/**
 * Later rounds: from 75% of the best found so far, in steps a third as large (on a log scale), up
 * to about 1.7× it, or until the server falls behind (a noisy round 1 may have stopped too early).
 */
export function fineStages(options: BenchOptions, best: MeasuredStage | null): Stage[] {
  if (!best) return coarseStages(options);
  const step = options.satStep ** (1 / 3);
  const start = Math.max(options.satStart, best.offeredPerS * 0.75);
  return Array.from({ length: Math.min(options.satMaxStages, 7) }, (_, k) => ({
    ratePerSender: (start * step ** k) / options.satSenders,
    seconds: options.satStageSeconds,
  }));
}

/** A staircase's best passing stage. */
export function bestPassing(trial: TrialRecord): MeasuredStage | null {
  let top: MeasuredStage | null = null;
  for (const stage of trial.stages) if (stage.passed && (!top || stage.deliveriesPerS > top.deliveriesPerS)) top = stage;
  return top;
}

/** Others above this share of a core during a failed stage make the failure suspect. */
const DISTURBED = 0.25;

function figure(target: Target, staircases: TrialRecord[], best: MeasuredStage | null, rounds: number): SaturationFigure {
  const stages = staircases.filter((t) => t.target === target).flatMap((t) => t.stages);
  const costs = stages.filter((s) => s.passed && s.serverUsPerDelivery).map((s) => 1e6 / s.serverUsPerDelivery!);
  const perCpu = median(costs);
  const perRound = Array.from({ length: rounds }, (_, i) => {
    const trial = staircases.find((t) => t.target === target && t.round === i + 1);
    return trial ? (bestPassing(trial)?.deliveriesPerS ?? null) : null;
  });
  return {
    target,
    deliveriesPerS: best?.deliveriesPerS ?? null,
    offeredPerS: best ? Math.round(best.offeredPerS * 10) / 10 : null,
    p99: best?.latency.p99 ?? null,
    serverCpuShare: best?.server?.total ?? null,
    perRound,
    deliveriesPerCpuSecond: perCpu === null ? null : Math.round(perCpu),
    dipsBelow: best ? stages.filter((s) => !s.passed && s.offeredPerS < best.offeredPerS).length : 0,
    disturbedFailures: stages.filter((s) => !s.passed && (s.others ?? 0) > DISTURBED).length,
  };
}

/**
 * The bench's report: a plain-text table for people and one JSON line for machines (the last line
 * printed), built from a run's records.
 */
import type { BenchOptions } from "./options.ts";
import type { RunRecord, TableRow, TrialRecord } from "./records.ts";
import { formatBigRoom } from "./big-report.ts";
import { align, num, pct } from "./format.ts";
import { median, round } from "./stats.ts";

/** Where and how the run happened. */
export interface RunContext {
  startedAt: string;
  wallSeconds: number;
  machine: { cores: number; cpu: string; node: string; platform: string };
  pinning: { serverCpus?: string; loadCpus?: string; note: string };
  servers: { room: string; roomRaised: string | null; baseline: string };
  roomLimits: { normal: string; raised: string | null };
}

/** How busy the server's and the load's cores were over all measured windows (medians). */
export interface CoreSharing {
  serverCore: number | null;
  loadCore: number | null;
  serverCoreBusy: number | null;
  serverShare: number | null;
  loadCoreBusy: number | null;
  loadShare: number | null;
  /** Highest load-process CPU share in any window: near 1 means the generator itself was the limit. */
  loadPeak: number | null;
}

/** Medians of core use over every window of every trial. */
export function coreSharing(trials: TrialRecord[], context: RunContext): CoreSharing {
  const single = (cpus?: string) => (cpus !== undefined && /^\d+$/.test(cpus) ? Number(cpus) : null);
  const serverCore = single(context.pinning.serverCpus);
  const loadCore = single(context.pinning.loadCpus);
  const stages = trials.flatMap((t) => t.stages);
  const med = (values: (number | null | undefined)[]) => {
    const m = median(values.filter((v): v is number => v != null));
    return m === null ? null : round(m, 2);
  };
  return {
    serverCore,
    loadCore,
    serverCoreBusy: serverCore === null ? null : med(stages.map((s) => s.cores?.[serverCore])),
    serverShare: med(stages.map((s) => s.server?.total)),
    loadCoreBusy: loadCore === null ? null : med(stages.map((s) => s.cores?.[loadCore])),
    loadShare: med(stages.map((s) => s.loadCpuShare)),
    loadPeak: stages.length ? round(Math.max(...stages.map((s) => s.loadCpuShare)), 2) : null,
  };
}

/** The human-readable report. */
export function formatReport(run: RunRecord, context: RunContext, options: BenchOptions, cores: CoreSharing): string {
  const lines: string[] = [];
  const { machine, pinning } = context;
  lines.push(`edge-chat bench, ${context.startedAt}: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}`);
  lines.push(`  ${pinning.note}`);
  lines.push(`  room limits: ${context.roomLimits.normal} (table)${context.roomLimits.raised ? `, ${context.roomLimits.raised} (saturation, seeding)` : ""}`);

  if (run.table.length) {
    lines.push("");
    lines.push(
      `Fixed load: ${options.senders} senders × ${options.rate} msg/s for ${options.duration} s, ` +
        `median of ${options.rounds} round(s), room and baseline back to back (A B A B)`,
    );
    const header = ["N", "server", "connect ms", "deliv/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "lost", "dup seq/snd", "ooo seq/snd", "server CPU", "µs/deliv", "load CPU", "others"];
    const rows: string[][] = [];
    for (const c of run.table) {
      rows.push(tableRow(c.room), tableRow(c.baseline));
      const r = c.ratio;
      rows.push(["", "room÷base", "", num(r.deliveriesPerS, 2), num(r.p50, 2), "", num(r.p99, 2), "", "", "", "", num(r.serverCpuShare, 2), num(r.serverUsPerDelivery, 2), "", ""]);
      for (const row of [c.room, c.baseline]) for (const e of row.errors) lines.push(`  ! ${row.target} N=${row.clients}: ${e}`);
    }
    lines.push(...align([header, ...rows]).map((l) => `  ${l}`));
  }

  const sat = run.saturation;
  if (sat) {
    lines.push("");
    lines.push(`Saturation at N=${sat.clients} (${sat.senders} senders, stages of ${options.satStageSeconds} s; a stage passes with p99 ≤ ${sat.p99LimitMs} ms and nothing lost)`);
    for (const f of [sat.room, sat.baseline]) {
      const rounds = f.perRound.map((r) => num(r, 0)).join(" / ");
      lines.push(
        `  ${f.target.padEnd(8)} ${num(f.deliveriesPerS, 0).padStart(8)} deliveries/s` +
          `  (offered ${num(f.offeredPerS, 1)} msg/s, p99 ${num(f.p99, 1)} ms, server CPU ${pct(f.serverCpuShare)}; per round ${rounds};` +
          ` ${num(f.deliveriesPerCpuSecond, 0)} deliveries per server CPU-second)`,
      );
      if (f.dipsBelow) lines.push(`           ${f.dipsBelow} stage(s) at lower loads failed (momentary spikes; the figure is the highest stage that passed)`);
      if (f.disturbedFailures) lines.push(`           ${f.disturbedFailures} failed stage(s) ran while others took over 25% of our cores: the figure may be low`);
    }
    lines.push(`  room ÷ baseline: ${num(sat.ratio, 2)} (per round ${sat.perRoundRatio.map((r) => num(r, 2)).join(", ")}); per server CPU-second: ${num(sat.efficiencyRatio, 2)}`);
  }

  if (run.join) {
    lines.push("");
    lines.push(`Join latency: socket open → welcome, ${options.joins} sequential joins per room`);
    for (const j of run.join) {
      const l = j.latency;
      lines.push(
        `  ${String(j.stored).padStart(6)} stored: p50 ${num(l.p50, 1)} ms, p95 ${num(l.p95, 1)} ms, max ${num(l.max, 1)} ms` +
          `  (welcome carries ${j.welcomeMessages} messages; seeded in ${j.seedSeconds} s)`,
      );
    }
  }

  if (run.big) lines.push("", ...formatBigRoom(run.big));

  lines.push("");
  lines.push(
    `Cores (median over windows): ` +
      (cores.serverCore === null
        ? `server ${pct(cores.serverShare)} of a core, load ${pct(cores.loadShare)} (not pinned)`
        : `CPU${cores.serverCore} ${pct(cores.serverCoreBusy)} busy (server ${pct(cores.serverShare)}), ` +
          `CPU${cores.loadCore} ${pct(cores.loadCoreBusy)} busy (load ${pct(cores.loadShare)}, peak ${pct(cores.loadPeak)})`),
  );
  lines.push(`Wall time ${Math.round(context.wallSeconds)} s`);
  if (sat) lines.push(`RATIO room/baseline at saturation: ${num(sat.ratio, 2)}`);
  return lines.join("\n");
}

/** The single-line JSON summary. */
export function jsonSummary(run: RunRecord, context: RunContext, cores: CoreSharing, warnings: string[]): string {
  return JSON.stringify({
    bench: "edge-chat",
    ...context,
    wallSeconds: Math.round(context.wallSeconds),
    cores,
    table: run.table,
    saturation: run.saturation,
    join: run.join,
    big: run.big,
    warnings,
  });
}

/** Warnings a reader of the figures should see (limits hit, a busy load generator, failed trials). */
export function warningsOf(run: RunRecord, cores: CoreSharing): string[] {
  const warnings: string[] = [];
  const all = [...run.tableTrials, ...run.staircases, ...run.bigTrials];
  for (const t of all) if (t.error) warnings.push(`${t.target} N=${t.clients} round ${t.round}: ${t.error}`);
  for (const c of run.table) {
    if (c.room.refused > 0) warnings.push(`N=${c.clients}: the room refused ${c.room.refused} says (the offered load exceeds its rate limit)`);
  }
  if (cores.loadPeak !== null && cores.loadPeak > 0.8) {
    warnings.push(`the load process used up to ${pct(cores.loadPeak)} of its core: it may have limited the figures`);
  }
  const restless = all.filter((t) => !t.calm).length;
  if (restless) warnings.push(`${restless} trial(s) started while other processes kept our cores busy (a shared machine): see "others"`);
  const unexpected = all.reduce((a, t) => a + t.unexpectedFrames, 0);
  if (unexpected > 0) warnings.push(`${unexpected} unexpected frames (see stderr)`);
  return warnings;
}

function tableRow(r: TableRow): string[] {
  return [
    String(r.clients),
    r.target,
    num(r.connectMs, 0),
    num(r.deliveriesPerS, 0),
    num(r.latency.p50, 1),
    num(r.latency.p95, 1),
    num(r.latency.p99, 1),
    num(r.latency.max, 1),
    String(r.lost),
    `${r.duplicated.bySeq ?? "–"}/${r.duplicated.bySender}`,
    `${r.outOfOrder.bySeq ?? "–"}/${r.outOfOrder.bySender}`,
    pct(r.serverCpuShare),
    num(r.serverUsPerDelivery, 0),
    pct(r.loadCpuShare),
    pct(r.others),
  ];
}

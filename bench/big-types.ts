/** The big-room phase's figures as data: what each trial measured and the summary the report draws (bench/big-room.ts runs it). */
import type { Target } from "./types.ts";

/** One target at one N. */
export interface BigSide {
  target: Target;
  clients: number;
  /** Until every client had its welcome (baseline: was open), ms; null when connecting failed. */
  connectMs: number | null;
  /** By when 1%, 2%, … 100% of the clients were in, ms. */
  curve: number[];
  offeredDeliveriesPerS: number | null;
  deliveriesPerS: number | null;
  p50: number | null;
  p99: number | null;
  max: number | null;
  lost: number | null;
  /** By room seq (null for the baseline, which has none) and by sender. */
  duplicated: { bySeq: number | null; bySender: number } | null;
  /** Resident MiB of the workerd running the room: before joining, with everyone in (and what joining added), after sending. */
  rssMiB: { before: number | null; connected: number | null; growth: number | null; end: number | null };
  /** Median and largest welcome in UTF-8 bytes (null for the baseline). */
  welcomeBytes: { p50: number; max: number } | null;
  /** Frames of types the decoder does not know (v2's `occupancy` before server-frames.ts learns it). */
  unknownFrames: Record<string, number>;
  loadCpuShare: number | null;
  serverCpuShare: number | null;
  /** Share of a core other people's processes took from ours while sending (noise). */
  others: number | null;
  error?: string;
}

/** Room and baseline at one N, and room ÷ baseline. */
export interface BigComparison {
  clients: number;
  room: BigSide;
  baseline: BigSide;
  ratio: { connectMs: number | null; p50: number | null; p99: number | null; rssMiB: number | null; rssGrowthMiB: number | null };
}

/** One target the lead checks against the v2 room: PASS, FAIL, or null when it could not be measured. */
export interface TargetCheck {
  clients: number;
  what: string;
  pass: boolean | null;
  detail: string;
}

/** The whole phase. */
export interface BigRoomSummary {
  senders: number;
  ratePerSender: number;
  seconds: number;
  connectWindow: number;
  /** True when the clients connected past wrangler's proxy workerd (--big-direct). */
  direct: boolean;
  /** Per N: the median over the rounds (each figure and each ratio its own median). */
  rows: BigComparison[];
  /** Per N, every round as measured. */
  rounds: BigComparison[][];
  targets: TargetCheck[];
}

/** What the host keeps of each trial (the load process's figures plus the server CPU it sampled), and the summaries. */
import type { BigRoomSummary } from "./big-types.ts";
import type { Role } from "./cpu.ts";
import type { ConnectResult, JoinResult, Percentiles, StageResult, Target } from "./types.ts";

/** Server CPU over one stage window, as shares of one core. */
export interface ServerShare {
  total: number;
  byRole: Record<Role, number>;
}

/** A stage with the host's CPU samples: the server's share, and how busy each core was (0–1). */
export interface MeasuredStage extends StageResult {
  server: ServerShare | null;
  cores: number[] | null;
  /** Share of a core other people's processes took from the server's or the load's core (the busier). */
  others: number | null;
  /** Server CPU per delivery, µs: the figure noise disturbs least. */
  serverUsPerDelivery: number | null;
  /** Saturation only: the stage met the bar (p99 within the limit, nothing lost, refused, duplicated or reordered). */
  passed?: boolean;
}

/** One trial as the host recorded it. */
export interface TrialRecord {
  target: Target;
  round: number;
  clients: number;
  senders: number;
  connect: ConnectResult | null;
  stages: MeasuredStage[];
  abortedEarly: boolean;
  unexpectedFrames: number;
  /** Frames of types the decoder does not know, by type (counted, not a fault). */
  unknownFrames: Record<string, number>;
  /** Resident MiB of the workerd running the server: before connecting, all connected, after the last stage. */
  memory: { beforeMiB: number | null; connectedMiB: number | null; endMiB: number | null };
  /** How long the host waited for a quiet server and a calm machine before this trial, and whether it got calm. */
  settleMs: number;
  calm: boolean;
  /** The server's CPU while the clients joined, µs per client (null when it could not be read). */
  connectServerUsPerClient?: number;
  error?: string;
  /** Protocol v3 files: messages sent with a file attached, and without (the sender's files ran out). */
  withFiles?: { attached: number; without: number };
}

/** A table row: one target at one client count, figures as the median over rounds (sums for counts). */
export interface TableRow {
  target: Target;
  clients: number;
  rounds: number;
  offeredPerS: number;
  connectMs: number | null;
  deliveriesPerS: number | null;
  latency: Omit<Percentiles, "count">;
  lost: number;
  refused: number;
  duplicated: { bySeq: number | null; bySender: number };
  outOfOrder: { bySeq: number | null; bySender: number };
  seqGaps: number | null;
  serverCpuShare: number | null;
  serverUsPerDelivery: number | null;
  loadCpuShare: number | null;
  /** Median share of a core others took from ours during the windows (noise). */
  others: number | null;
  errors: string[];
}

/** Room and baseline at one client count, and room ÷ baseline. */
export interface TableComparison {
  clients: number;
  room: TableRow;
  baseline: TableRow;
  ratio: { deliveriesPerS: number | null; p50: number | null; p99: number | null; serverCpuShare: number | null; serverUsPerDelivery: number | null };
}

/** The best passing stage of one target's staircases. */
export interface SaturationFigure {
  target: Target;
  /** Highest deliveries/s of a passing stage over all rounds (null when no stage passed). */
  deliveriesPerS: number | null;
  offeredPerS: number | null;
  p99: number | null;
  serverCpuShare: number | null;
  /** The same figure per round (A B A B), to show the noise. */
  perRound: (number | null)[];
  /** Deliveries per second of server CPU, median over passing stages: what noise disturbs least. */
  deliveriesPerCpuSecond: number | null;
  /** Failed stages at lower loads than the figure's (momentary spikes the figure rode over). */
  dipsBelow: number;
  /** Failed stages during which others took over a quarter of our cores: the figure may be low. */
  disturbedFailures: number;
}

/** Saturation of both targets and their ratio. */
export interface SaturationSummary {
  clients: number;
  senders: number;
  p99LimitMs: number;
  room: SaturationFigure;
  baseline: SaturationFigure;
  ratio: number | null;
  perRoundRatio: (number | null)[];
  /** Room ÷ baseline of deliveries per server CPU-second. */
  efficiencyRatio: number | null;
}

/** Everything one run measured. */
export interface RunRecord {
  table: TableComparison[];
  tableTrials: TrialRecord[];
  saturation: SaturationSummary | null;
  staircases: TrialRecord[];
  join: JoinResult[] | null;
  big: BigRoomSummary | null;
  bigTrials: TrialRecord[];
}

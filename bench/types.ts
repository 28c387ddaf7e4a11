/**
 * What the bench's host process and its load process say to each other (over Node's IPC channel),
 * and the shapes of the figures they measure. Plain data only: everything here crosses a process.
 */
import type { Dialect } from "./light/light-client.ts";
import type { Percentiles } from "./stats.ts";

export type { Dialect } from "./light/light-client.ts";
export type { Percentiles } from "./stats.ts";

/** Which server a trial runs against. */
export type Target = "room" | "baseline";

/** One stretch of steady sending: every sender sends `ratePerSender` messages/s for `seconds`. */
export interface Stage {
  ratePerSender: number;
  seconds: number;
}

/** One load trial: N clients in a fresh room, S of them sending through one or more stages. */
export interface TrialSpec {
  /** ws:// URL of the room socket, without the room name (the load process picks a fresh room). */
  socketBase: string;
  /** The room's name, when the host must know it (the shards phase reads its stats); else a fresh one. */
  room?: string;
  /** Signed tokens, one per client: their hellos carry `auth` instead of an anonymous token (the signed phase). */
  auths?: string[];
  /** Senders spread evenly over the clients (so over every object of a sharded room), not the first S. */
  spreadSenders?: boolean;
  dialect: Dialect;
  clients: number;
  senders: number;
  stages: Stage[];
  /** Length of each `say` text in bytes (ASCII). */
  textBytes: number;
  /** Sockets opening at once while connecting (each waits for its welcome). */
  connectWindow: number;
  /** Longest wait for one client's welcome, and for all of them (and presence) together. */
  connectTimeoutMs: number;
  connectDeadlineMs: number;
  /**
   * Wait, after the welcomes, until every client sees all N users online (the table and the
   * staircases, so that no join broadcast is in flight when sending starts). The big room does
   * not: protocol v2 stops listing users above 100.
   */
  presence: boolean;
  /** A staircase stops early once a stage ends with deliveries this late (ms). */
  abortLatencyMs: number;
  /** Longest wait for late deliveries after the last send. */
  drainMs: number;
  /**
   * Protocol v3 files: before sending, each sender uploads this many small PNGs over HTTP (to
   * `httpBase`, the server's origin) and attaches one to each of its messages while they last.
   */
  files?: { perSender: number; httpBase: string };
}

/** Join latency: seed rooms through the protocol, then time fresh sockets from open to `welcome`. */
export interface JoinSpec {
  socketBase: string;
  /** Messages stored before joining, one room per entry (e.g. 50 and 10,000). */
  seeds: number[];
  /** Sequential joins measured per room. */
  joins: number;
  textBytes: number;
}


/** What one stage of a trial measured. */
export interface StageResult {
  /** Messages/s offered (all senders together). */
  offeredPerS: number;
  /** Deliveries/s that offer would be with nothing lost (offered × receivers). */
  offeredDeliveriesPerS: number;
  seconds: number;
  sent: number;
  /** `say`s the room refused with `rate_limited` (not stored, not expected). */
  refused: number;
  /** Deliveries received during the stage's window, per second (summed over clients). */
  deliveriesPerS: number;
  /** Deliveries per frame received in the window: above 1 when the server packs messages into batches. */
  messagesPerFrame: number | null;
  /** End-to-end latency of this stage's messages: sender's timestamp in the text to receipt. */
  latency: Percentiles;
  /** Expected deliveries of this stage's messages that never arrived. */
  lost: number;
  /** Deliveries seen twice by one client, by room seq (null for the baseline, which has none). */
  duplicatedBySeq: number | null;
  duplicatedBySender: number;
  /** Deliveries that came after a later one, by room seq (null for the baseline) and by sender sequence. */
  outOfOrderBySeq: number | null;
  outOfOrderBySender: number;
  /** Seqs a client never saw between the first and last it saw (null for the baseline). */
  seqGaps: number | null;
  /** How late the load generator sent, ms, p99 (a late generator would hide server latency). */
  sendLagP99: number;
  /** Load process CPU over the stage, as a share of one core. */
  loadCpuShare: number;
}

/** What connecting N clients measured. */
export interface ConnectResult {
  clients: number;
  /** Until every socket had its `welcome` (raw dialect: was open). */
  welcomedMs: number;
  /** Until every client saw all N users online (raw dialect, or no presence wait: same as welcomed). */
  settledMs: number;
  /** By when 1%, 2%, … 100% of the clients had their welcome (raw: were open), ms. */
  curve: number[];
  /** Median and largest `welcome` in UTF-8 bytes (null in the raw dialect). */
  welcomeBytes: { p50: number; max: number } | null;
  /** The rate limit the room announced in its welcome (protocol dialect). */
  limits?: { burst: number; perSecond: number };
}

/** The outcome of one trial. */
export interface TrialResult {
  connect: ConnectResult;
  stages: StageResult[];
  /** True when a staircase stopped before its last stage because the server fell behind. */
  abortedEarly: boolean;
  /** Frames that were neither deliveries nor expected bookkeeping (e.g. unexpected errors). */
  unexpectedFrames: number;
  /** Frames of types the decoder does not know (a newer room's, such as v2's `occupancy`), by type. */
  unknownFrames: Record<string, number>;
  /** Stage windows as offsets from the trial's start, ms, for matching server CPU samples. */
  windows: { startMs: number; endMs: number }[];
  /** With `files`: messages sent with a file attached, and without (a sender's files ran out). */
  withFiles?: { attached: number; without: number };
}

/** Join latency in one seeded room. */
export interface JoinResult {
  stored: number;
  /** Open → welcome, ms. */
  latency: Percentiles;
  /** Messages carried by the welcome (the latest page). */
  welcomeMessages: number;
  seedSeconds: number;
}

/** Host → load process. */
export type HostMessage =
  | { kind: "trial"; id: number; spec: TrialSpec }
  | { kind: "join"; id: number; spec: JoinSpec }
  | { kind: "exit" };

/** Load process → host. `mark` is sent at each stage window's start and end, so the host can sample CPU then. */
export type LoadMessage =
  | { kind: "mark"; id: number; label: string }
  | { kind: "trial-result"; id: number; result: TrialResult }
  | { kind: "join-result"; id: number; result: JoinResult[] }
  | { kind: "error"; id: number; message: string };

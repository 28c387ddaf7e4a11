/**
 * Runs one trial against one server and records it with the server's CPU: waits for the server to
 * go quiet, hands the trial to the load process, and samples the server's process group and the
 * cores at every stage boundary the load process marks.
 */
import { coreBusyBetween, coreTimes, type CoreTimes, type GroupCpu } from "./cpu.ts";
import type { LoadProcess } from "./load-host.ts";
import type { MeasuredStage, ServerShare, TrialRecord } from "./records.ts";
import { runtimeRss, serverCpu, type BenchServer, type Pinning } from "./servers.ts";
import { othersShare, settle, type Settled } from "./settle.ts";
import type { JoinResult, JoinSpec, Target, TrialSpec } from "./types.ts";

interface Sample {
  at: number;
  server: GroupCpu | null;
  cores: CoreTimes | null;
}

/**
 * Fields of a trial the caller chooses; the rest come from the server and the run's options.
 * By default a trial waits for presence to settle and gets about 60 ms per client to connect.
 */
export type TrialPlan = Pick<TrialSpec, "clients" | "senders" | "stages"> &
  Partial<Pick<TrialSpec, "abortLatencyMs" | "presence" | "connectWindow" | "connectDeadlineMs" | "room" | "spreadSenders" | "auths" | "files">>;

/** Runs trials through one load process. */
export class TrialRunner {
  readonly #load: LoadProcess;
  readonly #defaults: Pick<TrialSpec, "textBytes" | "connectWindow">;
  readonly #pinning: Pinning;

  constructor(load: LoadProcess, pinning: Pinning, defaults: Pick<TrialSpec, "textBytes" | "connectWindow">) {
    this.#load = load;
    this.#pinning = pinning;
    this.#defaults = defaults;
  }

  /**
   * Runs one trial of `plan` against `server`; a failed trial is recorded with its error, not thrown.
   * `onMark` hears the stage boundaries too (the profiler starts and stops on them).
   */
  async run(server: BenchServer, target: Target, round: number, plan: TrialPlan, onMark?: (label: string) => void): Promise<TrialRecord> {
    const settled = await settle(server, this.#pinning);
    // Hellos wait behind join broadcasts: give large rooms time, about 60 ms per client.
    const connectTimeoutMs = Math.max(30_000, plan.clients * 60);
    const spec: TrialSpec = {
      socketBase: server.socketBase,
      dialect: target === "room" ? "protocol" : "raw",
      clients: plan.clients,
      senders: Math.min(plan.senders, plan.clients),
      stages: plan.stages,
      textBytes: this.#defaults.textBytes,
      connectWindow: plan.connectWindow ?? this.#defaults.connectWindow,
      connectTimeoutMs,
      connectDeadlineMs: plan.connectDeadlineMs ?? connectTimeoutMs,
      presence: plan.presence ?? true,
      abortLatencyMs: plan.abortLatencyMs ?? 1_000,
      drainMs: 3_000,
    };
    if (plan.room !== undefined) spec.room = plan.room;
    if (plan.spreadSenders) spec.spreadSenders = true;
    if (plan.auths) spec.auths = plan.auths;
    if (plan.files) spec.files = plan.files;
    const starts: Sample[] = [];
    let connecting: Sample | undefined;
    const ends: Sample[] = [];
    const sample = (): Sample => ({ at: performance.now(), server: serverCpu(server), cores: coreTimes() });
    const record: TrialRecord = {
      target,
      round,
      clients: spec.clients,
      senders: spec.senders,
      connect: null,
      stages: [],
      abortedEarly: false,
      unexpectedFrames: 0,
      unknownFrames: {},
      memory: { beforeMiB: null, connectedMiB: null, endMiB: null },
      settleMs: settled.waitedMs,
      calm: settled.calm,
    };
    try {
      const result = await this.#load.trial(spec, (label) => {
        if (label === "connecting") {
          record.memory.beforeMiB = runtimeRss(server);
          connecting = sample();
        } else if (label === "connected") {
          record.memory.connectedMiB = runtimeRss(server);
          const connected = sample();
          // The server's CPU while the clients joined, per client (the signed phase compares hellos).
          if (connecting?.server && connected.server) record.connectServerUsPerClient = Math.round(((connected.server.total - connecting.server.total) * 1e6) / spec.clients);
        }
        else if (label.startsWith("start ")) starts.push(sample());
        else if (label.startsWith("end ")) {
          ends.push(sample());
          record.memory.endMiB = runtimeRss(server);
        }
        onMark?.(label);
      });
      record.connect = result.connect;
      record.abortedEarly = result.abortedEarly;
      record.unexpectedFrames = result.unexpectedFrames;
      record.unknownFrames = result.unknownFrames;
      if (result.withFiles) record.withFiles = result.withFiles;
      record.stages = result.stages.map((stage, k): MeasuredStage => {
        const start = starts[k];
        const end = ends[k];
        const server = start && end ? share(start, end) : null;
        const cores = start && end ? coreBusyBetween(start.cores, end.cores) : null;
        return {
          ...stage,
          server,
          cores,
          others: server && cores ? round2(othersShare(cores, server.total, this.#pinning, stage.loadCpuShare)) : null,
          serverUsPerDelivery: server && stage.deliveriesPerS > 0 ? Math.round((server.total * 1e6) / stage.deliveriesPerS) : null,
        };
      });
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    return record;
  }

  /** Waits until `server` has worked off what it was given (see settle.ts), as before a trial. */
  quiet(server: BenchServer): Promise<Settled> {
    return settle(server, this.#pinning);
  }

  /** Runs the join-latency measurement against `server`, once it is quiet. */
  async joins(server: BenchServer, spec: Omit<JoinSpec, "socketBase">): Promise<JoinResult[]> {
    await settle(server, this.#pinning);
    return this.#load.joins({ ...spec, socketBase: server.socketBase });
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Server CPU between two samples as shares of one core. */
function share(start: Sample, end: Sample): ServerShare | null {
  if (!start.server || !end.server) return null;
  const seconds = (end.at - start.at) / 1000;
  const of = (a: number, b: number) => Math.round(((b - a) / seconds) * 1000) / 1000;
  return {
    total: of(start.server.total, end.server.total),
    byRole: {
      proxy: of(start.server.byRole.proxy, end.server.byRole.proxy),
      runtime: of(start.server.byRole.runtime, end.server.byRole.runtime),
      wrangler: of(start.server.byRole.wrangler, end.server.byRole.wrangler),
    },
  };
}

/**
 * The big-room phase: N clients (1,000; 5,000 behind its own flag) join one fresh room, then a
 * few senders talk at a human pace, on the room and on the bare Durable Object in the same run.
 * It reports how long joining took (until every client has its `welcome`; the baseline: until
 * every socket is open), latency, losses and duplicates, the memory of the workerd that runs the
 * room, and the size of the welcomes, each also as room ÷ baseline, and checks the targets set
 * for protocol v2's presence (see `bigRoomTargets`). It never waits for every client to see
 * every user: above 100 online, v2 stops listing them.
 */
import type { BenchOptions } from "./options.ts";
import type { TrialRecord } from "./records.ts";
import { pastTheProxy, type BenchServer } from "./servers.ts";
import { ratio } from "./stats.ts";
import type { TrialRunner } from "./trial-runner.ts";
import type { Target } from "./types.ts";
import type { BigComparison, BigRoomSummary, BigSide, TargetCheck } from "./big-types.ts";

export type { BigComparison, BigRoomSummary, BigSide, TargetCheck } from "./big-types.ts";

/** Runs the phase: for each N, the baseline and then the room, each in a fresh room. */
export async function runBigRoom(
  runner: TrialRunner,
  given: Record<Target, BenchServer>,
  options: BenchOptions,
  progress: (trial: TrialRecord) => void,
): Promise<{ summary: BigRoomSummary; trials: TrialRecord[] }> {
  const trials: TrialRecord[] = [];
  const rows: BigComparison[] = [];
  const servers = options.bigDirect ? { room: await direct(given.room), baseline: await direct(given.baseline) } : given;
  const rounds: BigComparison[][] = [];
  for (const clients of options.bigClients) {
    const measured: BigComparison[] = [];
    for (let round = 1; round <= options.bigRounds; round++) {
      const sides = {} as Record<Target, BigSide>;
      // The baseline first: a v1 room keeps its core busy long after its trial (every leave is a
      // frame to everyone left), and both servers share that core. The other server is frozen
      // (SIGSTOP) for the length of a trial: after 1,000 sockets its workerd goes on closing them
      // for many seconds at ~20% of the shared core, which made the second trial's tail the first
      // one's cleanup (measured: "others" 10% in the second trial, 1% in the first).
      for (const target of ["baseline", "room"] as const) {
        const short = tooFewFiles(servers[target], clients, options.bigDirect);
        if (short) {
          const record = failedTrial(target, clients, short);
          trials.push(record);
          progress(record);
          sides[target] = sideOf(record);
          continue;
        }
        const other = servers[target === "room" ? "baseline" : "room"];
        await runner.quiet(servers[target]);
        freeze(other, true);
        let trial: TrialRecord;
        try {
          trial = await runner.run(servers[target], target, round, {
            clients,
            senders: Math.min(options.bigSenders, clients),
            stages: [{ ratePerSender: options.bigRate, seconds: options.bigSeconds }],
            presence: false,
            connectWindow: options.bigWindow,
            connectDeadlineMs: options.bigConnectTimeoutMs ?? 15_000 + clients * 25,
          });
        } finally {
          freeze(other, false);
        }
        trials.push(trial);
        progress(trial);
        sides[target] = sideOf(trial);
      }
      measured.push(compare(clients, sides.room, sides.baseline));
    }
    rounds.push(measured);
    rows.push(medianOf(measured));
  }
  const summary: BigRoomSummary = {
    senders: options.bigSenders,
    ratePerSender: options.bigRate,
    seconds: options.bigSeconds,
    connectWindow: options.bigWindow,
    direct: options.bigDirect,
    rows,
    rounds,
    targets: bigRoomTargets(rows),
  };
  return { summary, trials };
}

/** Stops (or continues) every process of a server we started; a no-op for one we did not start. */
function freeze(server: BenchServer, stop: boolean): void {
  if (!server.pgid) return;
  try {
    process.kill(-server.pgid, stop ? "SIGSTOP" : "SIGCONT");
  } catch {
    // Already gone.
  }
}

/**
 * Open files per WebSocket under `wrangler dev`: 4 in the proxy workerd (19,997 open at 4,998
 * sockets), 2 in the workerd that runs the Worker (10,059).
 */
const FILES_PER_SOCKET = { proxy: 4, runtime: 2 };

/** The open files a big room's servers should be allowed for `clients` sockets, with room to spare. */
export function bigFileLimit(clients: number): number {
  return Math.max(20_000, (FILES_PER_SOCKET.proxy + 1) * clients + 2_048);
}

/** Why `server` cannot hold `clients` sockets (its workerd may not open enough files), or null. */
function tooFewFiles(server: BenchServer, clients: number, direct: boolean): string | null {
  const role = direct ? "runtime" : "proxy";
  const limit = server.fileLimit(role);
  const needed = FILES_PER_SOCKET[role] * clients + 512;
  if (limit === null || limit >= needed) return null;
  const hint = direct ? "" : "; --big-direct connects past the proxy, 2 per socket";
  return `its ${role} workerd may open ${limit} files and ${clients} sockets need about ${needed} (prlimit could not raise it${hint})`;
}

/** `server` reached past wrangler's proxy; throws when its runtime's port cannot be found. */
async function direct(server: BenchServer): Promise<BenchServer> {
  const past = await pastTheProxy(server);
  if (!past) throw new Error(`--big-direct: no port of ${server.label}'s runtime workerd answers /api/health`);
  return past;
}

/** A trial that was not run, with the reason. */
function failedTrial(target: Target, clients: number, error: string): TrialRecord {
  const memory = { beforeMiB: null, connectedMiB: null, endMiB: null };
  return { target, round: 1, clients, senders: 0, connect: null, stages: [], abortedEarly: false, unexpectedFrames: 0, unknownFrames: {}, memory, settleMs: 0, calm: true, error };
}

/** What one trial says about one side. */
function sideOf(trial: TrialRecord): BigSide {
  const stage = trial.stages[0];
  const memory = { before: trial.memory.beforeMiB, connected: trial.memory.connectedMiB, end: trial.memory.endMiB };
  const side: BigSide = {
    target: trial.target,
    clients: trial.clients,
    connectMs: trial.connect?.welcomedMs ?? null,
    curve: trial.connect?.curve ?? [],
    offeredDeliveriesPerS: stage?.offeredDeliveriesPerS ?? null,
    deliveriesPerS: stage?.deliveriesPerS ?? null,
    p50: stage?.latency.p50 ?? null,
    p99: stage?.latency.p99 ?? null,
    max: stage?.latency.max ?? null,
    lost: stage?.lost ?? null,
    duplicated: stage ? { bySeq: stage.duplicatedBySeq, bySender: stage.duplicatedBySender } : null,
    rssMiB: { ...memory, growth: memory.before === null || memory.connected === null ? null : memory.connected - memory.before },
    welcomeBytes: trial.connect?.welcomeBytes ?? null,
    unknownFrames: trial.unknownFrames,
    loadCpuShare: stage?.loadCpuShare ?? null,
    serverCpuShare: stage?.server?.total ?? null,
    others: stage?.others ?? null,
  };
  if (trial.error) side.error = trial.error;
  return side;
}

/**
 * One comparison standing for several rounds: every number its median over the rounds (the ratios
 * too, each the median of the rounds' ratios), so one noisy round neither sinks nor lifts it.
 */
function medianOf(rounds: BigComparison[]): BigComparison {
  if (rounds.length === 1) return rounds[0]!;
  const median = (values: (number | null)[]) => {
    const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
    if (known.length === 0) return null;
    const mid = known.length >> 1;
    return known.length % 2 ? known[mid]! : (known[mid - 1]! + known[mid]!) / 2;
  };
  const side = (pick: (r: BigComparison) => BigSide): BigSide => {
    const all = rounds.map(pick);
    const of = (field: (s: BigSide) => number | null) => median(all.map(field));
    return {
      ...all[0]!,
      connectMs: of((s) => s.connectMs),
      deliveriesPerS: of((s) => s.deliveriesPerS),
      p50: of((s) => s.p50),
      p99: of((s) => s.p99),
      max: of((s) => s.max),
      lost: of((s) => s.lost),
      rssMiB: {
        before: of((s) => s.rssMiB.before),
        connected: of((s) => s.rssMiB.connected),
        growth: of((s) => s.rssMiB.growth),
        end: of((s) => s.rssMiB.end),
      },
      others: of((s) => s.others),
    };
  };
  const ratioOf = (field: (r: BigComparison) => number | null) => median(rounds.map(field));
  return {
    clients: rounds[0]!.clients,
    room: side((r) => r.room),
    baseline: side((r) => r.baseline),
    ratio: {
      connectMs: ratioOf((r) => r.ratio.connectMs),
      p50: ratioOf((r) => r.ratio.p50),
      p99: ratioOf((r) => r.ratio.p99),
      rssMiB: ratioOf((r) => r.ratio.rssMiB),
      rssGrowthMiB: ratioOf((r) => r.ratio.rssGrowthMiB),
    },
  };
}

function compare(clients: number, room: BigSide, baseline: BigSide): BigComparison {
  // A growth under 1 MiB (RSS is sampled in whole MiB) counts as 1, so that the ratio stays finite.
  const growth = (side: BigSide) => (side.rssMiB.growth === null ? null : Math.max(1, side.rssMiB.growth));
  return {
    clients,
    room,
    baseline,
    ratio: {
      connectMs: ratio(room.connectMs, baseline.connectMs),
      p50: ratio(room.p50, baseline.p50),
      p99: ratio(room.p99, baseline.p99),
      rssMiB: ratio(room.rssMiB.connected, baseline.rssMiB.connected),
      rssGrowthMiB: ratio(growth(room), growth(baseline)),
    },
  };
}

/** The largest welcome allowed at N = 5,000 (20 KB, counted as 20,000 bytes). */
const WELCOME_LIMIT_BYTES = 20_000;

/**
 * The targets for the room with protocol v2's presence, each a ratio to the bare DO of the same
 * run: at N = 1,000, joining within 1.5× its time, p99 within 1.5× its p99 and nothing lost; at
 * N = 5,000, memory within 2× its memory and every welcome under 20 KB. Only the Ns that ran.
 */
export function bigRoomTargets(rows: BigComparison[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const within = (clients: number, what: string, value: number | null, limit: number, unit: string) =>
    checks.push({ clients, what, pass: value === null ? null : value <= limit, detail: value === null ? "not measured" : `${value}${unit} (limit ${limit}${unit})` });
  for (const row of rows) {
    const { room } = row;
    if (row.clients === 1_000) {
      within(1_000, "connect time ≤ 1.5× the bare DO's", row.ratio.connectMs, 1.5, "×");
      within(1_000, "p99 at 10 msg/s ≤ 1.5× the bare DO's", row.ratio.p99, 1.5, "×");
      checks.push({ clients: 1_000, what: "nothing lost", pass: room.lost === null ? null : room.lost === 0, detail: room.lost === null ? "not measured" : `${room.lost} lost` });
    }
    if (row.clients === 5_000) {
      within(5_000, "memory (RSS of the room's workerd) ≤ 2× the bare DO's", row.ratio.rssMiB, 2, "×");
      const largest = room.welcomeBytes?.max ?? null;
      checks.push({
        clients: 5_000,
        what: "every welcome < 20 KB",
        pass: largest === null ? null : largest < WELCOME_LIMIT_BYTES,
        detail: largest === null ? "not measured" : `largest ${largest.toLocaleString("en-US")} bytes`,
      });
    }
  }
  return checks;
}

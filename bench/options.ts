/** Command-line options of `npm run bench`, their defaults, and the tiny `--smoke` preset. */
import { parseArgs } from "node:util";

/** Everything a bench run is told. */
export interface BenchOptions {
  url?: string;
  baselineUrl?: string;
  roomConfig?: string;
  phases: Set<Phase>;
  /** Table: client counts, senders per trial (at most N), messages/s per sender, seconds, A B rounds. */
  clients: number[];
  senders: number;
  rate: number;
  duration: number;
  rounds: number;
  /** Saturation: clients, senders, first offered msgs/s (all senders), step factor, stage seconds, stages, rounds. */
  satClients: number;
  satSenders: number;
  satStart: number;
  satStep: number;
  satStageSeconds: number;
  satMaxStages: number;
  satRounds: number;
  p99LimitMs: number;
  /** RATE_BURST and RATE_PER_SECOND of the room used for saturation and seeding. */
  raisedLimit: number;
  joinSeeds: number[];
  joins: number;
  /** Big room: client counts, senders, messages/s per sender, seconds, sockets connecting at once, connect deadline. */
  bigClients: number[];
  bigSenders: number;
  bigRate: number;
  bigSeconds: number;
  bigWindow: number;
  /** Rounds of baseline then room per N; the report gives each figure's median. */
  bigRounds: number;
  /** The shards phase: clients in one room, and its server's SHARD_CAPACITY. */
  shardsClients: number[];
  shardsCapacity: number;
  /** The heap phase: messages one room stores, and the counts at which its heap is read. */
  heapMessages: number;
  heapMarks: number[];
  /** The signed phase: clients joining one room per trial, and rounds (each kind of token once a round). */
  signedClients: number;
  signedRounds: number;
  /** The webhooks phase: webhooks on the measured room, and hook posts timed. */
  webhooks: number;
  hookPosts: number;
  /** The webhooks phase: the pause before each post of the second, spaced series of hook posts (ms). */
  hookGapMs: number;
  /** Longest time for every client to join, ms (default 15 s + 25 ms per client). */
  bigConnectTimeoutMs?: number;
  /** Big room: connect to the workerd that runs the Worker, past wrangler's proxy (which takes 4 files per socket). */
  bigDirect: boolean;
  textBytes: number;
  connectWindow: number;
  serverCpus?: string;
  loadCpus?: string;
  outDir: string;
  plot: string;
  /** SVG of the big room's joining (clients in against time). */
  bigPlot: string;
  smoke: boolean;
  verbose: boolean;
}

/** The parts of a run, in the order they run. */
export const PHASES = ["table", "saturation", "join", "big", "shards", "heap", "signed", "files", "webhooks", "search"] as const;

/** What runs without --phases (the shards, heap, signed and files phases take minutes and are asked for by name). */
const DEFAULT_PHASES = ["table", "saturation", "join", "big"] as const;
/** One of the parts. */
export type Phase = (typeof PHASES)[number];

/** Text of `npm run bench -- --help`. */
export const USAGE = `usage: npm run bench -- [options]

  --url URL              bench this running chat instead of starting wrangler dev
  --baseline-url URL     use this running baseline instead of starting bench/baseline
  --room-config PATH     wrangler config of the chat to start (default: wrangler.toml)
  --phases LIST          any of table,saturation,join,big,shards,heap,signed,files,webhooks,search
                         (default: the first four); files: 1 MB upload latency, and saturation with a
                         file on every message; search times searches in the room heap filled, so it
                         needs heap
  --webhooks N           webhooks: webhooks on the room whose saturation is compared with a room without (default 3)
  --hook-posts K         webhooks: hook posts timed one after another, then K more each after a pause (default 300)
  --hook-gap MS          webhooks: the pause before each post of the spaced series, as alerts arrive (default 50)
  --shards-clients LIST  shards: clients in one room (default 1000,3000,5000)
  --shards-capacity C    shards: SHARD_CAPACITY of its server (default 1000)
  --heap-messages N      heap: messages one room stores (default 200000)
  --heap-marks LIST      heap: stored counts at which the room's heap is read (default 20000,50000,100000)
  --signed-clients N     signed: clients joining a room with anonymous, HS256 and ES256 tokens (default 1000)
  --signed-rounds R      signed: rounds, each kind once a round in rotating order (default 3)
  --clients LIST         table: client counts, e.g. 10,100,1000 (default 10,100)
  --senders S            table: senders per trial, at most N (default 10)
  --rate R               table: messages/s per sender, within the room's 5/s limit (default 2)
  --duration D           table: seconds of sending per trial (default 3)
  --rounds K             table: A B rounds per client count (default 2: A B A B)
  --sat-clients N        saturation: clients (default 100)
  --sat-senders S        saturation: senders (default 10)
  --sat-start R          saturation: first offered load, messages/s over all senders (default 40)
  --sat-step F           saturation: load factor between round 1's stages (default 1.5; later rounds use its cube root)
  --sat-stage-seconds D  saturation: seconds per stage (default 2)
  --sat-max-stages K     saturation: stages at most in round 1 (default 16; later rounds 7)
  --sat-rounds K         saturation: A B rounds (default 2; round 2 refines around round 1's figure)
  --p99-limit MS         saturation: a stage passes with p99 at most this and nothing lost (default 100)
  --raised-limit X       RATE_BURST and RATE_PER_SECOND of the chat used for saturation and seeding (default 100000)
  --join-seeds LIST      join latency: stored messages per measured room (default 50,10000)
  --joins K              join latency: joins measured per room (default 20)
  --big-clients LIST     big room: client counts joining one room (default 1000)
  --big-5000             big room: also N = 5000 (50,000 deliveries/s offered; takes minutes)
  --big-senders S        big room: senders (default 10)
  --big-rate R           big room: messages/s per sender (default 1)
  --big-seconds D        big room: seconds of sending (default 10)
  --big-window W         big room: sockets waiting for their welcome at once (default 50)
  --big-rounds R         big room: rounds of baseline then room per N, the figures their medians (default 1)
  --big-connect-timeout S  big room: longest time for all to join, s (default 15 + 0.025 per client)
  --big-direct           big room: connect past wrangler's proxy workerd, which needs 4 open files per
                         socket (5,000 sockets do not fit a limit of 20,000)
  --text-bytes B         bytes per message text (default 64)
  --connect-window W     sockets waiting for their welcome at once while connecting (default 20)
  --server-cpus LIST     taskset CPU list for the servers (default 0)
  --load-cpus LIST       taskset CPU list for the load process (default: the last core)
  --out DIR              where results go (default bench/out)
  --plot PATH            SVG of latency vs offered load (default OUT/latency-vs-load.svg)
  --big-plot PATH        SVG of the big room's joining (default OUT/big-room-join.svg)
  --smoke                a tiny run (seconds) that exercises every phase; npm test runs it
  --verbose              show wrangler's output
  --help`;

/** Parses argv into options; throws with a message on bad input. */
export function parseOptions(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: "string" },
      "baseline-url": { type: "string" },
      "room-config": { type: "string" },
      phases: { type: "string" },
      clients: { type: "string" },
      senders: { type: "string" },
      rate: { type: "string" },
      duration: { type: "string" },
      rounds: { type: "string" },
      "sat-clients": { type: "string" },
      "sat-senders": { type: "string" },
      "sat-start": { type: "string" },
      "sat-step": { type: "string" },
      "sat-stage-seconds": { type: "string" },
      "sat-max-stages": { type: "string" },
      "sat-rounds": { type: "string" },
      "p99-limit": { type: "string" },
      "raised-limit": { type: "string" },
      "join-seeds": { type: "string" },
      joins: { type: "string" },
      "big-clients": { type: "string" },
      "big-5000": { type: "boolean", default: false },
      "big-senders": { type: "string" },
      "big-rate": { type: "string" },
      "big-seconds": { type: "string" },
      "big-window": { type: "string" },
      "big-rounds": { type: "string" },
      "shards-clients": { type: "string" },
      "shards-capacity": { type: "string" },
      "heap-messages": { type: "string" },
      "heap-marks": { type: "string" },
      "signed-clients": { type: "string" },
      "signed-rounds": { type: "string" },
      webhooks: { type: "string" },
      "hook-posts": { type: "string" },
      "hook-gap": { type: "string" },
      "big-connect-timeout": { type: "string" },
      "big-direct": { type: "boolean", default: false },
      "text-bytes": { type: "string" },
      "connect-window": { type: "string" },
      "server-cpus": { type: "string" },
      "load-cpus": { type: "string" },
      out: { type: "string" },
      plot: { type: "string" },
      "big-plot": { type: "string" },
      smoke: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const smoke = values.smoke ?? false;
  // The smoke preset: every phase, a handful of clients, about a second per measurement.
  const d = smoke ? SMOKE_DEFAULTS : DEFAULTS;
  const num = (name: keyof typeof values, fallback: number, min = 0) => positive(values[name], fallback, name, min);
  const outDir = values.out ?? "bench/out";
  // The smoke run exercises the heap and signed phases too, at a few thousand messages and a few clients.
  const phases = new Set((values.phases ?? [...DEFAULT_PHASES, ...(smoke ? ["heap", "signed"] : [])].join(",")).split(",").map((p) => p.trim()));
  for (const phase of phases) if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`unknown phase ${phase}`);
  const bigClients = list(values["big-clients"], d.bigClients, "big-clients");
  if (values["big-5000"] && !bigClients.includes(5_000)) bigClients.push(5_000);
  const options: BenchOptions = {
    phases: phases as BenchOptions["phases"],
    clients: list(values.clients, d.clients, "clients"),
    senders: num("senders", d.senders, 1),
    rate: num("rate", d.rate),
    duration: num("duration", d.duration),
    rounds: num("rounds", d.rounds, 1),
    satClients: num("sat-clients", d.satClients, 1),
    satSenders: num("sat-senders", d.satSenders, 1),
    satStart: num("sat-start", d.satStart),
    satStep: num("sat-step", 1.5, 1.01),
    satStageSeconds: num("sat-stage-seconds", d.satStageSeconds),
    satMaxStages: num("sat-max-stages", d.satMaxStages, 1),
    satRounds: num("sat-rounds", d.satRounds, 1),
    p99LimitMs: num("p99-limit", 100),
    raisedLimit: num("raised-limit", 100_000, 1),
    joinSeeds: list(values["join-seeds"], d.joinSeeds, "join-seeds"),
    joins: num("joins", d.joins, 1),
    bigClients,
    webhooks: num("webhooks", 3, 1),
    hookPosts: num("hook-posts", smoke ? 20 : 300, 1),
    hookGapMs: num("hook-gap", 50),
    bigSenders: num("big-senders", 10, 1),
    bigRate: num("big-rate", 1),
    bigSeconds: num("big-seconds", d.bigSeconds),
    bigWindow: num("big-window", 50, 1),
    bigRounds: num("big-rounds", 1, 1),
    shardsClients: list(values["shards-clients"], [1_000, 3_000, 5_000], "shards-clients"),
    shardsCapacity: num("shards-capacity", 1_000, 1),
    heapMessages: num("heap-messages", d.heapMessages, 1),
    heapMarks: list(values["heap-marks"], d.heapMarks, "heap-marks"),
    signedClients: num("signed-clients", d.signedClients, 1),
    signedRounds: num("signed-rounds", d.signedRounds, 1),
    bigDirect: values["big-direct"] ?? false,
    textBytes: num("text-bytes", 64, 1),
    connectWindow: num("connect-window", 20, 1),
    outDir,
    plot: values.plot ?? `${outDir}/latency-vs-load.svg`,
    bigPlot: values["big-plot"] ?? `${outDir}/big-room-join.svg`,
    smoke,
    verbose: values.verbose ?? false,
  };
  if (values.url) options.url = values.url;
  if (values["baseline-url"]) options.baselineUrl = values["baseline-url"];
  if (values["room-config"]) options.roomConfig = values["room-config"];
  if (values["server-cpus"]) options.serverCpus = values["server-cpus"];
  if (values["load-cpus"]) options.loadCpus = values["load-cpus"];
  if (values["big-connect-timeout"]) options.bigConnectTimeoutMs = num("big-connect-timeout", 0, 1) * 1000;
  return options;
}

const DEFAULTS = {
  clients: [10, 100],
  senders: 10,
  rate: 2,
  duration: 3,
  rounds: 2,
  satClients: 100,
  satSenders: 10,
  satStart: 40,
  satStageSeconds: 2,
  satMaxStages: 16,
  satRounds: 2,
  joinSeeds: [50, 10_000],
  joins: 20,
  bigClients: [1_000],
  bigSeconds: 10,
  heapMessages: 200_000,
  heapMarks: [20_000, 50_000, 100_000],
  signedClients: 1_000,
  signedRounds: 3,
};

const SMOKE_DEFAULTS: typeof DEFAULTS = {
  clients: [4],
  senders: 2,
  rate: 2,
  duration: 1.5,
  rounds: 1,
  satClients: 4,
  satSenders: 2,
  satStart: 4,
  satStageSeconds: 1,
  satMaxStages: 2,
  satRounds: 1,
  joinSeeds: [5, 50],
  joins: 3,
  bigClients: [200],
  bigSeconds: 3,
  heapMessages: 2_000,
  heapMarks: [1_000],
  signedClients: 20,
  signedRounds: 1,
};

function positive(value: unknown, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n < min) throw new Error(`--${name} must be a number ≥ ${Math.max(min, 0)} (got ${String(value)})`);
  return n;
}

function list(value: string | undefined, fallback: number[], name: string): number[] {
  if (value === undefined) return fallback;
  const items = value.split(",").map((v) => Number(v.trim()));
  if (items.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${name} must be a comma-separated list of whole numbers ≥ 1`);
  return items;
}

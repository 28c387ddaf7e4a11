/**
 * `npm run bench`: room fan-out and latency against a bare Durable Object baseline. Starts the
 * servers (or uses --url), runs the fixed-load table, the saturation staircases and the join
 * latency through a separate, pinned load process, then prints a table and one JSON line, writes
 * the full record and an SVG plot. `--help` lists the options; docs/BENCHMARKS.md explains the method.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { dirname, join } from "node:path";
import { bigFileLimit, runBigRoom } from "./big-room.ts";
import { joinPlot } from "./big-plot.ts";
import { bigRoomMarkdown } from "./big-report.ts";
import { LoadProcess } from "./load-host.ts";
import { parseOptions, USAGE, type BenchOptions } from "./options.ts";
import { latencyPlot } from "./plot.ts";
import type { RunRecord, TrialRecord } from "./records.ts";
import { coreSharing, formatReport, jsonSummary, warningsOf, type RunContext } from "./report.ts";
import { runSaturation } from "./saturation.ts";
import { HEAP_ADMIN_KEY, heapReport, runHeap, type HeapSummary } from "./heap-phase.ts";
import { runSearch, searchReport, type SearchSummary } from "./search-phase.ts";
import { SHARDS_ADMIN_KEY, runShards, shardsReport, type ShardsSummary } from "./shards-phase.ts";
import { SIGNED_SECRET, runSigned, signedReport, startIssuer, type BenchIssuer, type SignedSummary } from "./signed-phase.ts";
import { filesReport, runFiles, type FilesSummary } from "./files-phase.ts";
import { HOOK_POSTS_BUDGET, WEBHOOKS_ADMIN_KEY, runWebhooks, webhooksReport, type WebhooksSummary } from "./webhooks-phase.ts";
import { planPinning, startServer, type BenchServer } from "./servers.ts";
import { runTable } from "./table.ts";
import { TrialRunner } from "./trial-runner.ts";

async function main(): Promise<number> {
  let options: BenchOptions | "help";
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  const started = performance.now();
  const startedAt = new Date().toISOString().slice(0, 16).replace("T", " ");
  const pinning = planPinning(options.serverCpus, options.loadCpus);
  const needsRaised = options.phases.has("saturation") || options.phases.has("join") || options.phases.has("files");
  const raisedVars = { RATE_BURST: String(options.raisedLimit), RATE_PER_SECOND: String(options.raisedLimit) };
  const common = { ...(pinning.serverCpus ? { cpus: pinning.serverCpus } : {}), verbose: options.verbose };

  log(`starting servers (${pinning.note})`);
  const servers: BenchServer[] = [];
  let load: LoadProcess | undefined;
  let issuer: BenchIssuer | undefined;
  const stopAll = async () => {
    await load?.stop();
    await issuer?.stop();
    await Promise.all(servers.map((s) => s.stop()));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  }

  try {
    // Only the servers the chosen phases need, all at once; every one that came up is stopped
    // again, even when another failed.
    // The big room gets servers of its own, fresh, so that their memory holds that room alone
    // (with --url the room is the one given, and with --baseline-url the baseline too). The smoke
    // run checks correctness, not memory: it saves their start-up and uses the table's servers.
    const ownBig = options.phases.has("big") && !options.smoke;
    const sharedBig = options.phases.has("big") && options.smoke;
    const fileLimit = bigFileLimit(Math.max(...options.bigClients));
    const needsRoom = options.phases.has("table") || Boolean(options.url) || sharedBig;
    // The signed phase's server trusts a key set this process serves (signed-phase.ts); the smoke
    // run gives those vars to the table's room instead of starting one more server.
    if (options.phases.has("signed")) issuer = await startIssuer();
    const signedVars = issuer ? { AUTH_SECRET: SIGNED_SECRET, AUTH_JWKS_URL: issuer.jwksUrl } : undefined;
    const sharedSigned = Boolean(signedVars) && options.smoke && needsRoom && !options.url;
    const needsBaseline = options.phases.has("table") || options.phases.has("saturation") || options.phases.has("files") || options.phases.has("search") || sharedBig || (ownBig && Boolean(options.baselineUrl));
    const starting = await Promise.allSettled([
      needsRoom ? startServer({ label: "room", ...common, ...urlOrConfig(options.url, options.roomConfig), ...(sharedSigned ? { vars: signedVars } : {}) }) : Promise.resolve(null),
      needsRaised && !options.url
        ? startServer({ label: "room (raised limits)", ...common, ...urlOrConfig(undefined, options.roomConfig), vars: raisedVars })
        : Promise.resolve(null),
      needsBaseline ? startServer({ label: "baseline", ...common, ...urlOrConfig(options.baselineUrl, "baseline") }) : Promise.resolve(null),
      ownBig && !options.url ? startServer({ label: "room (big)", ...common, ...urlOrConfig(undefined, options.roomConfig), fileLimit }) : Promise.resolve(null),
      ownBig && !options.baselineUrl ? startServer({ label: "baseline (big)", ...common, ...urlOrConfig(undefined, "baseline"), fileLimit }) : Promise.resolve(null),
      options.phases.has("shards")
        ? startServer({
            label: "room (shards)",
            ...common,
            ...urlOrConfig(undefined, options.roomConfig),
            vars: { SHARD_CAPACITY: String(options.shardsCapacity), ADMIN_KEY: SHARDS_ADMIN_KEY },
            fileLimit: bigFileLimit(Math.max(...options.shardsClients)),
          })
        : Promise.resolve(null),
      options.phases.has("heap")
        ? startServer({
            label: "room (heap)",
            ...common,
            ...urlOrConfig(undefined, options.roomConfig),
            // Searching "a room of N stored messages" needs all N kept: retention is raised to N for it.
            vars: { ...raisedVars, ADMIN_KEY: HEAP_ADMIN_KEY, ...(options.phases.has("search") ? { HISTORY_LIMIT: String(options.heapMessages) } : {}) },
          })
        : Promise.resolve(null),
      signedVars && !sharedSigned
        ? startServer({
            label: "room (signed)",
            ...common,
            ...urlOrConfig(undefined, options.roomConfig),
            vars: signedVars,
            fileLimit: bigFileLimit(options.signedClients),
          })
        : Promise.resolve(null),
      options.phases.has("webhooks")
        ? startServer({ label: "room (webhooks)", ...common, ...urlOrConfig(undefined, options.roomConfig), vars: { ...raisedVars, ADMIN_KEY: WEBHOOKS_ADMIN_KEY, ADDRESS_HOOK_POSTS_PER_MINUTE: String(HOOK_POSTS_BUDGET) } })
        : Promise.resolve(null),
    ]);
    for (const s of starting) if (s.status === "fulfilled" && s.value) servers.push(s.value);
    const failed = starting.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [room, roomRaised, baseline, bigRoom, bigBaseline, shardsRoom, heapRoom, signedOwn, webhooksRoom] = starting.map((s) => (s as PromiseFulfilledResult<BenchServer | null>).value);
    const signedRoom = sharedSigned ? room : signedOwn;
    log(`servers up in ${seconds(started)} s: ${servers.map((s) => `${s.label} ${s.url}`).join(", ")}`);

    load = LoadProcess.start(pinning.loadCpus);
    const runner = new TrialRunner(load, pinning, { textBytes: options.textBytes, connectWindow: options.connectWindow });
    const run: RunRecord = { table: [], tableTrials: [], saturation: null, staircases: [], join: null, big: null, bigTrials: [] };

    // A cold isolate compiles and collects garbage on the same pinned core for its first seconds,
    // which shows up as 100+ ms stalls: every server gets a short unrecorded trial first (the
    // smoke run checks correctness, not speed, and skips it).
    for (const server of options.smoke ? [] : servers) {
      const target = server === baseline || server === bigBaseline ? "baseline" : "room";
      const warm = await runner.run(server, target, 0, { clients: 50, senders: 10, stages: [{ ratePerSender: 4, seconds: 1.5 }] });
      log(`warmed up ${server.label}${warm.error ? ` (failed: ${warm.error})` : ""}`);
    }

    // A phase that fails is reported and the others still run: a partial report beats none.
    const phaseErrors: string[] = [];
    const phase = async (name: string, body: () => Promise<void>) => {
      try {
        await body();
      } catch (err) {
        phaseErrors.push(`${name} phase failed: ${err instanceof Error ? err.message : String(err)}`);
        log(phaseErrors.at(-1)!);
      }
    };
    if (options.phases.has("table")) {
      await phase("table", async () => {
        const table = await runTable(runner, { room: room!, baseline: baseline! }, options, progress);
        run.table = table.comparisons;
        run.tableTrials = table.trials;
      });
    }
    if (options.phases.has("saturation")) {
      await phase("saturation", async () => {
        const saturation = await runSaturation(runner, { room: (roomRaised ?? room)!, baseline: baseline! }, options, progress);
        run.saturation = saturation.summary;
        run.staircases = saturation.staircases;
      });
    }
    if (options.phases.has("join")) {
      await phase("join", async () => {
        log(`join latency: seeding ${options.joinSeeds.join(" and ")} messages`);
        run.join = await runner.joins((roomRaised ?? room)!, { seeds: options.joinSeeds, joins: options.joins, textBytes: options.textBytes });
      });
    }

    let shards: ShardsSummary | null = null;
    if (options.phases.has("shards") && shardsRoom) {
      await phase("shards", async () => {
        const result = await runShards(runner, shardsRoom, options, progress);
        shards = result.summary;
        run.bigTrials.push(...result.trials);
      });
    }

    let signed: SignedSummary | null = null;
    // Its trials are kept apart (the big phase's list is the big room's own), but count for the
    // core sharing and the exit code like every other.
    const signedTrials: TrialRecord[] = [];
    if (options.phases.has("signed") && signedRoom && issuer) {
      await phase("signed", async () => {
        const result = await runSigned(runner, signedRoom, issuer!, options, progress);
        signed = result.summary;
        signedTrials.push(...result.trials);
      });
    }

    let files: FilesSummary | null = null;
    if (options.phases.has("files")) {
      await phase("files", async () => {
        const result = await runFiles(runner, { room: (roomRaised ?? room)!, baseline: baseline! }, options, progress, log);
        files = result.summary;
        mkdirSync(options.outDir, { recursive: true });
        writeFileSync(join(options.outDir, "files-trials.json"), JSON.stringify(result.trials, null, 2));
        const failed = result.trials.find((t) => t.error);
        if (failed) throw new Error(`a files trial failed: ${failed.error}`);
      });
    }

    let heap: HeapSummary | null = null;
    if (options.phases.has("heap") && heapRoom) {
      await phase("heap", async () => {
        heap = await runHeap(heapRoom, { messages: options.heapMessages, marks: options.heapMarks, textBytes: options.textBytes }, log);
      });
    }

    let webhooks: WebhooksSummary | null = null;
    if (options.phases.has("webhooks") && webhooksRoom) {
      await phase("webhooks", async () => {
        const result = await runWebhooks(runner, webhooksRoom, options, progress, log);
        webhooks = result.summary;
        run.bigTrials.push(...result.trials);
      });
    }

    let search: SearchSummary | null = null;
    if (options.phases.has("search") && heapRoom && heap) {
      const filled: HeapSummary = heap;
      await phase("search", async () => {
        search = await runSearch(heapRoom, filled.room, filled.messages, baseline ?? null, HEAP_ADMIN_KEY, log);
      });
    }

    if (options.phases.has("big")) {
      await phase("big", async () => {
        // A socket per client, and some room for the process's own files.
        const needed = Math.max(...options.bigClients) + 256;
        const limit = load!.openFileLimit;
        if (limit !== null && limit < needed) throw new Error(`the load process may open ${limit} files, ${needed} needed: raise \`ulimit -Hn\``);
        const servers = { room: (bigRoom ?? room)!, baseline: (bigBaseline ?? baseline)! };
        const big = await runBigRoom(runner, servers, options, progress);
        run.big = big.summary;
        run.bigTrials = big.trials;
      });
    }

    const context: RunContext = {
      startedAt,
      wallSeconds: (performance.now() - started) / 1000,
      machine: { cores: availableParallelism(), cpu: cpuModel(), node: process.version, platform: process.platform },
      pinning,
      servers: { room: options.url ?? "wrangler dev (started)", roomRaised: roomRaised ? "wrangler dev (started)" : null, baseline: options.baselineUrl ?? "wrangler dev (started)" },
      roomLimits: {
        normal: limitsOf(run.tableTrials) ?? (options.url ? "as the server at --url has them" : "wrangler.toml's"),
        raised: roomRaised ? (limitsOf(run.staircases) ?? `burst ${options.raisedLimit}, ${options.raisedLimit}/s`) : null,
      },
    };
    const cores = coreSharing([...run.tableTrials, ...run.staircases, ...run.bigTrials, ...signedTrials], context);
    const warnings = [...phaseErrors, ...warningsOf(run, cores)];
    writeOutputs(options, run, context);
    console.log(formatReport(run, context, options, cores));
    if (shards) {
      console.log(shardsReport(shards).join("\n"));
      writeFileSync(join(options.outDir, "shards.json"), JSON.stringify(shards, null, 2));
    }
    if (signed) {
      console.log(signedReport(signed).join("\n"));
      writeFileSync(join(options.outDir, "signed.json"), JSON.stringify(signed, null, 2));
    }
    if (files) {
      console.log(filesReport(files).join("\n"));
      writeFileSync(join(options.outDir, "files.json"), JSON.stringify(files, null, 2));
    }
    if (webhooks) {
      console.log(webhooksReport(webhooks).join("\n"));
      writeFileSync(join(options.outDir, "webhooks.json"), JSON.stringify(webhooks, null, 2));
    }
    if (heap) {
      console.log(heapReport(heap).join("\n"));
      writeFileSync(join(options.outDir, "heap.json"), JSON.stringify(heap, null, 2));
    }
    if (search) {
      console.log(searchReport(search).join("\n"));
      writeFileSync(join(options.outDir, "search.json"), JSON.stringify(search, null, 2));
    }
    for (const w of warnings) console.log(`warning: ${w}`);
    console.log(jsonSummary(run, context, cores, warnings));
    return phaseErrors.length > 0 || [...run.tableTrials, ...run.staircases, ...run.bigTrials, ...signedTrials].some((t) => t.error) ? 1 : 0;
  } finally {
    const stopping = performance.now();
    await stopAll();
    log(`stopped the servers and the load process in ${seconds(stopping)} s`);
  }
}

/** One progress line per trial on stderr, so stdout stays the report. */
function progress(trial: TrialRecord): void {
  const stage = trial.stages.at(-1);
  const what = trial.stages.length > 1 ? `${trial.stages.length} stages` : "1 stage";
  const detail = trial.error
    ? `FAILED: ${trial.error}`
    : `${what}, last: ${stage?.deliveriesPerS ?? 0} deliveries/s, p99 ${stage?.latency.p99 ?? "n/a"} ms, lost ${stage?.lost ?? 0}`;
  log(`${trial.target.padEnd(8)} N=${trial.clients} round ${trial.round}: connect ${trial.connect?.settledMs ?? "–"} ms, ${detail}`);
}

function writeOutputs(options: BenchOptions, run: RunRecord, context: RunContext): void {
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, "last-run.json"), JSON.stringify({ context, options: { ...options, phases: [...options.phases] }, run }, null, 2));
  if (run.big) {
    const title = `Big room, ${context.startedAt}, ${context.machine.cores} cores: written by npm run bench (bench/big-report.ts)`;
    writeFileSync(join(options.outDir, "big-room.md"), bigRoomMarkdown(run.big, title));
    mkdirSync(dirname(options.bigPlot), { recursive: true });
    writeFileSync(options.bigPlot, joinPlot(run.big, `Joining one room: room and baseline (${context.startedAt}, ${context.machine.cores} cores)`));
  }
  if (run.staircases.length) {
    mkdirSync(dirname(options.plot), { recursive: true });
    const title = `Latency vs offered load, N=${options.satClients}: room and baseline (${context.startedAt}, ${context.machine.cores} cores)`;
    writeFileSync(options.plot, latencyPlot(run.staircases, options.p99LimitMs, title));
  }
}

function urlOrConfig(url: string | undefined, config: string | undefined): { url?: string; config?: string } {
  return url ? { url } : config ? { config } : {};
}

function limitsOf(trials: TrialRecord[]): string | null {
  const limits = trials.find((t) => t.target === "room" && t.connect?.limits)?.connect?.limits;
  return limits ? `burst ${limits.burst}, ${limits.perSecond}/s per user` : null;
}

function cpuModel(): string {
  try {
    const match = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (match) return match[1]!.trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? "unknown CPU";
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

const processStart = performance.now();

function log(line: string): void {
  console.error(`bench ${String(seconds(processStart)).padStart(5)} s: ${line}`);
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
});

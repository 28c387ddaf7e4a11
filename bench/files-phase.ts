/**
 * The files phase (protocol v3, docs/FILES.md): how long a 1 MB upload takes to answer, and what
 * messages that carry a file cost a room at saturation. The staircase of docs/BENCHMARKS.md runs
 * in rounds of three, on the same servers in the same run: the room with plain messages, the room
 * with a file attached to every message (each sender uploads its files before the trial), and the
 * bare Durable Object; each figure is the best passing stage of its rounds, and the files' cost is
 * the ratio of the two room figures.
 */
import type { BenchOptions } from "./options.ts";
import type { MeasuredStage, TrialRecord } from "./records.ts";
import { bestPassing, coarseStages, fineStages, passes } from "./saturation.ts";
import type { BenchServer } from "./servers.ts";
import { Samples, ratio } from "./stats.ts";
import type { TrialRunner } from "./trial-runner.ts";

/** What the phase measured. */
export interface FilesSummary {
  upload: { bytes: number; count: number; p50Ms: number | null; p95Ms: number | null; maxMs: number | null };
  saturation: {
    clients: number;
    senders: number;
    plain: number | null;
    withFiles: number | null;
    baseline: number | null;
    /** withFiles / plain: 1 means files cost nothing at saturation. */
    filesOverPlain: number | null;
    plainRatio: number | null;
    filesRatio: number | null;
    /** Messages of the files staircases that went without a file (a sender's pool ran out). */
    withoutFile: number;
  };
}

/** Files each sender uploads before a files staircase (more than a staircase sends per sender at this machine's saturation). */
const POOL_PER_SENDER = 500;

/** Uploads timed, after a few unrecorded ones. */
const UPLOADS = 40;
const WARM_UPLOADS = 5;
const UPLOAD_BYTES = 1_048_576;

/** Runs the phase: `room` must have raised limits (the saturation's room), `baseline` the bare object. */
export async function runFiles(
  runner: TrialRunner,
  servers: { room: BenchServer; baseline: BenchServer },
  options: BenchOptions,
  progress: (trial: TrialRecord) => void,
  log: (line: string) => void,
): Promise<{ summary: FilesSummary; trials: TrialRecord[] }> {
  await runner.quiet(servers.room);
  log(`files: ${UPLOADS} uploads of ${UPLOAD_BYTES} bytes`);
  const upload = await timeUploads(servers.room.url);
  const trials: TrialRecord[] = [];
  const best: Record<"plain" | "files" | "baseline", MeasuredStage | null> = { plain: null, files: null, baseline: null };
  let withoutFile = 0;
  for (let round = 1; round <= options.satRounds; round++) {
    for (const variant of ["plain", "files", "baseline"] as const) {
      const server = variant === "baseline" ? servers.baseline : servers.room;
      const stages = round === 1 ? coarseStages(options) : fineStages(options, best[variant]);
      const trial = await runner.run(server, variant === "baseline" ? "baseline" : "room", round, {
        clients: options.satClients,
        senders: options.satSenders,
        stages,
        abortLatencyMs: Math.max(300, options.p99LimitMs * 3),
        ...(variant === "files" ? { files: { perSender: POOL_PER_SENDER, httpBase: servers.room.url } } : {}),
      });
      for (const stage of trial.stages) stage.passed = passes(stage, options.p99LimitMs);
      const top = bestPassing(trial);
      if (top && (!best[variant] || top.deliveriesPerS > best[variant]!.deliveriesPerS)) best[variant] = top;
      withoutFile += trial.withFiles?.without ?? 0;
      trials.push(trial);
      progress(trial);
      log(`files: round ${round} ${variant}: best ${top ? Math.round(top.deliveriesPerS) : "none"} deliveries/s${trial.withFiles ? ` (${trial.withFiles.attached} with a file, ${trial.withFiles.without} without)` : ""}${trial.error ? `, failed: ${trial.error}` : ""}`);
    }
  }
  const figure = (v: keyof typeof best) => (best[v] ? Math.round(best[v]!.deliveriesPerS) : null);
  return {
    summary: {
      upload,
      saturation: {
        clients: options.satClients,
        senders: options.satSenders,
        plain: figure("plain"),
        withFiles: figure("files"),
        baseline: figure("baseline"),
        filesOverPlain: ratio(figure("files"), figure("plain")),
        plainRatio: ratio(figure("plain"), figure("baseline")),
        filesRatio: ratio(figure("files"), figure("baseline")),
        withoutFile,
      },
    },
    trials,
  };
}

/** Sequential 1 MB uploads of a PNG to a fresh room, timed from the request to the 201's body. */
async function timeUploads(origin: string): Promise<FilesSummary["upload"]> {
  const bytes = new Uint8Array(UPLOAD_BYTES);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 4, 0, 0, 0, 3, 0, 8, 6, 0, 0, 0]);
  for (let i = 29; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
  const room = `bench-files-${Math.random().toString(36).slice(2, 10)}`;
  const token = Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[b & 63]).join("");
  const times = new Samples();
  for (let i = 0; i < WARM_UPLOADS + UPLOADS; i++) {
    const started = performance.now();
    const response = await fetch(`${origin}/api/rooms/${room}/files`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "image/png" }, body: bytes });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`a timed upload answered ${response.status}`);
    if (i >= WARM_UPLOADS) times.add(performance.now() - started);
  }
  const p = times.percentiles();
  return { bytes: UPLOAD_BYTES, count: p.count, p50Ms: p.p50, p95Ms: p.p95, maxMs: p.max };
}

/** The phase's lines of the report. */
export function filesReport(summary: FilesSummary): string[] {
  const s = summary.saturation;
  const ms = (v: number | null) => (v === null ? "–" : `${Math.round(v)} ms`);
  return [
    "",
    `files: ${summary.upload.count} uploads of ${summary.upload.bytes} bytes: p50 ${ms(summary.upload.p50Ms)}, p95 ${ms(summary.upload.p95Ms)}, max ${ms(summary.upload.maxMs)}`,
    `files: saturation at N = ${s.clients} (${s.senders} senders), best deliveries/s: plain ${s.plain ?? "–"}, every message with a file ${s.withFiles ?? "–"}, bare object ${s.baseline ?? "–"}`,
    `files: with files / plain ${s.filesOverPlain ?? "–"}; room / bare object: plain ${s.plainRatio ?? "–"}, with files ${s.filesRatio ?? "–"}${s.withoutFile ? ` (${s.withoutFile} messages went without a file)` : ""}`,
  ];
}

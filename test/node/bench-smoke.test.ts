/**
 * The bench's smoke run: `npm run bench -- --smoke` end to end (real wrangler dev servers, a real
 * load process), about half a minute long, so the bench cannot rot. It must deliver every message,
 * in order, once, to every client, for the room and the baseline, and print its ratio and JSON
 * line; its big room (N = 200, 3 s, ~13 s of the run) must get everyone in and measure it, and its
 * signed phase (N = 20, anonymous, HS256 and ES256 tokens) must get every signed client in.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeapSummary } from "../../bench/heap-phase.ts";
import type { RunRecord } from "../../bench/records.ts";
import type { SignedSummary } from "../../bench/signed-phase.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "bench-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs the bench's smoke preset and returns its exit code and stdout. */
function runSmoke(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bench/run.ts", "--smoke", "--out", out], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run bench -- --smoke", () => {
  // One run for both tests: each reads what it wrote.
  let smoke: ReturnType<typeof runSmoke>;
  beforeAll(() => {
    smoke = runSmoke();
  });

  // This test waits for the whole run (every phase), which takes 2–3 minutes when other test runs
  // share the machine's two cores; the checks are the same however long it takes.
  it("delivers every message once and in order for room and baseline, and reports the ratio", { timeout: 300_000 }, async () => {
    const { code, stdout, stderr } = await smoke;
    expect(code, `bench failed:\n${stderr}\n${stdout}`).toBe(0);
    expect(stdout).toMatch(/RATIO room\/baseline at saturation: \d/);

    const summary = JSON.parse(stdout.trim().split("\n").at(-1)!) as { bench: string; warnings: string[] };
    expect(summary.bench).toBe("edge-chat");

    const { run } = JSON.parse(readFileSync(join(out, "last-run.json"), "utf8")) as { run: RunRecord };
    const trials = [...run.tableTrials, ...run.staircases];
    expect(trials.map((t) => t.target).sort()).toEqual(["baseline", "baseline", "room", "room"]);
    for (const trial of trials) {
      expect(trial.error, `${trial.target}: ${trial.error}`).toBeUndefined();
      expect(trial.unexpectedFrames).toBe(0);
      for (const stage of trial.stages) {
        const what = `${trial.target} stage at ${stage.offeredPerS} msg/s`;
        expect(stage.sent, what).toBeGreaterThan(0);
        expect(stage.latency.count, what).toBe(stage.sent * trial.clients);
        expect(stage.deliveriesPerS, what).toBeGreaterThan(0);
        expect(stage.lost, what).toBe(0);
        expect(stage.refused, what).toBe(0);
        expect(stage.duplicatedBySender + stage.outOfOrderBySender, what).toBe(0);
        if (trial.target === "room") expect([stage.duplicatedBySeq, stage.outOfOrderBySeq, stage.seqGaps], what).toEqual([0, 0, 0]);
      }
    }
    expect(run.join?.map((j) => [j.stored, j.latency.count, j.welcomeMessages])).toEqual([
      [5, 3, 5],
      [50, 3, 50],
    ]);
    expect(readFileSync(join(out, "latency-vs-load.svg"), "utf8")).toContain("<svg");
  });

  it("runs the heap phase: the room's heap read after a full collection at each mark, its cache bounded", async () => {
    const { code, stdout, stderr } = await smoke;
    expect(code, `bench failed:\n${stderr}\n${stdout}`).toBe(0);
    expect(stdout).toMatch(/^Heap: one room storing 2,000 messages/m);
    const heap = JSON.parse(readFileSync(join(out, "heap.json"), "utf8")) as HeapSummary;
    expect(heap.marks.map((m) => m.stored)).toEqual([1_000, 2_000]);
    for (const mark of heap.marks) {
      expect(mark.usedMiB).toBeGreaterThan(0);
      expect(mark.cachedMessages).toBeGreaterThan(0);
      expect(mark.cachedMessages).toBeLessThanOrEqual(1_000);
    }
    expect(heap.growth).toBeGreaterThan(0);
  });

  it("runs the big room's phase at N = 200: everyone joins, every message arrives once, memory and welcomes are measured", async () => {
    const { code, stdout, stderr } = await smoke;
    expect(code, `bench failed:\n${stderr}\n${stdout}`).toBe(0);
    expect(stdout).toMatch(/^Big room: N clients join one room/m);
    const { run } = JSON.parse(readFileSync(join(out, "last-run.json"), "utf8")) as { run: RunRecord };
    expect(run.bigTrials.map((t) => [t.target, t.clients, t.error])).toEqual([
      ["baseline", 200, undefined],
      ["room", 200, undefined],
    ]);
    for (const trial of run.bigTrials) {
      const stage = trial.stages[0]!;
      expect(trial.unexpectedFrames, trial.target).toBe(0);
      expect(stage.sent, trial.target).toBeGreaterThan(0);
      expect(stage.latency.count, trial.target).toBe(stage.sent * trial.clients);
      expect([stage.lost, stage.duplicatedBySender], trial.target).toEqual([0, 0]);
      expect(trial.connect!.curve, trial.target).toHaveLength(100);
      expect(trial.memory.connectedMiB, trial.target).toBeGreaterThan(0);
    }
    const [row] = run.big!.rows;
    expect(row!.room.duplicated?.bySeq).toBe(0);
    expect(row!.room.welcomeBytes!.max).toBeGreaterThan(0);
    expect(row!.baseline.welcomeBytes).toBeNull();
    expect(row!.ratio.connectMs).toBeGreaterThan(0);
    // The targets are set for N = 1,000 and 5,000 only.
    expect(run.big!.targets).toEqual([]);
    expect(readFileSync(join(out, "big-room.md"), "utf8")).toContain("| room ÷ bare DO |");
    expect(readFileSync(join(out, "big-room-join.svg"), "utf8")).toContain("<svg");
  });

  it("runs the signed phase: clients join with anonymous, HS256 and ES256 tokens (a key set it serves), each measured", async () => {
    const { code, stdout, stderr } = await smoke;
    expect(code, `bench failed:\n${stderr}\n${stdout}`).toBe(0);
    expect(stdout).toMatch(/^Signed identity: 20 clients join a fresh room/m);
    const signed = JSON.parse(readFileSync(join(out, "signed.json"), "utf8")) as SignedSummary;
    expect(signed.sides.map((s) => s.kind)).toEqual(["anonymous", "hs256", "es256"]);
    for (const side of signed.sides) {
      expect(side.rounds.map((r) => r.error), side.kind).toEqual([undefined]);
      expect(side.welcomedMs, side.kind).toBeGreaterThan(0);
    }
    expect(signed.costs.map((c) => c.kind)).toEqual(["hs256", "es256"]);
    for (const cost of signed.costs) expect(cost.joinRatio, cost.kind).toBeGreaterThan(0);
  });
});

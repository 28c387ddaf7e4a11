/**
 * The bench's smoke run: `npm run bench -- --smoke` end to end (real wrangler dev servers, a real
 * load process), a few seconds long, so the bench cannot rot. It must deliver every message, in
 * order, once, to every client, for the room and the baseline, and print its ratio and JSON line.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../bench/records.ts";

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
  it("delivers every message once and in order for room and baseline, and reports the ratio", async () => {
    const { code, stdout, stderr } = await runSmoke();
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
});

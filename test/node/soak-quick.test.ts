/**
 * A small soak through the same code as `npm run soak`: 20 clients (4 sending through the page's
 * real transport), drops every second and one restart of `wrangler dev`, then the same invariants.
 */
import { expect, it } from "vitest";
import { FULL_SOAK, runSoak } from "../../bench/soak/soak.ts";
import { soakTable } from "../../bench/soak/soak-report.ts";

it("a small soak with drops and a server restart loses, duplicates and reorders nothing", async () => {
  const seed = Math.floor(Math.random() * 1_000_000);
  const result = await runSoak({
    ...FULL_SOAK,
    clients: 20,
    senders: 4,
    durationMs: 6_000,
    dropsPerSecond: 2,
    restarts: 1,
    longAbsences: 1,
    longAbsenceMs: 2_000,
    // A shorter backoff cap than the page's 10 s, so that the end comes sooner after the restart.
    policy: { maxDelayMs: 2_000 },
    drainTimeoutMs: 20_000,
    seed,
  });
  const report = soakTable(result);
  expect(result.violations, report).toEqual([]);
  expect(result.counts.lost, report).toBe(0);
  expect(result.counts.duplicated, report).toBe(0);
  expect(result.counts.reordered, report).toBe(0);
  expect(result.counts.rateLimited, report).toBe(0);
  // The run did what it claims: messages flowed, clients dropped and came back, the server restarted.
  expect(result.counts.acknowledged, report).toBeGreaterThan(20);
  expect(result.counts.stored, report).toBe(result.counts.acknowledged);
  expect(result.outagesMs, report).toHaveLength(1);
  expect(result.counts.resumes, report).toBeGreaterThanOrEqual(20);
  // The senders' outboxes carried says across the outage.
  expect(result.counts.flushedOnReconnect, report).toBeGreaterThan(0);
  expect(Object.values(result.drops).reduce((a, b) => a + b, 0), report).toBeGreaterThanOrEqual(4);
}, 90_000);

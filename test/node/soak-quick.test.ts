/**
 * A small soak through the same code as `npm run soak`: 20 clients (4 saying, replying, editing,
 * deleting and reacting through the page's real transport), drops every second, one restart
 * of `wrangler dev` and a hostile client (bench/soak/hostile.ts: stored ids sent again, reactions
 * to a missing message, edits of others' messages, a fresh identity each round), then the same
 * invariants, the hostile client's stored events checked with everyone's.
 * The seed differs from run to run and is printed first: `npm run soak -- --quick --seed N`
 * replays a failure's choices.
 */
import { expect, it, vi } from "vitest";
import { QUICK_SOAK, runSoak } from "../../bench/soak/soak.ts";
import { soakTable } from "../../bench/soak/soak-report.ts";

it("a small soak with drops, a server restart and a hostile client loses, duplicates and reorders nothing", async () => {
  const seed = Math.floor(Math.random() * 1_000_000);
  console.log(`soak-quick: seed ${seed} (replay: npm run soak -- --quick --seed ${seed})`);
  // Every random choice of the run must come from the seed, or the seed would not replay it.
  const unseeded = vi.spyOn(Math, "random");
  let unseededCalls = 0;
  // Counted before the restore, which also clears the spy's record.
  const result = await runSoak({ ...QUICK_SOAK, seed }).finally(() => {
    unseededCalls = unseeded.mock.calls.length;
    unseeded.mockRestore();
  });
  const report = soakTable(result);
  expect(unseededCalls, "Math.random was called during the soak: some choice is not drawn from the seed").toBe(0);
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
  // Besides says, the senders replied, edited, deleted and reacted, and every client ends with the room's state.
  // Each kind at least once (QUICK_SOAK weighs changes up for this), so that the final-state
  // check has edits, deletes, quotes and reactions to find stale.
  for (const kind of ["reply", "edit", "delete", "react"] as const) {
    expect(result.counts.kinds[kind].stored, `${kind}s stored\n${report}`).toBeGreaterThan(0);
  }
  // The senders' outboxes carried actions across the outage.
  expect(result.counts.flushedOnReconnect, report).toBeGreaterThan(0);
  expect(Object.values(result.drops).reduce((a, b) => a + b, 0), report).toBeGreaterThanOrEqual(4);
  // The hostile client was there: it stored under its own identities (counted above with
  // everyone's) and sent at least one round of frames no bucket charges.
  const hostile = result.hostile!;
  expect(hostile.identities, report).toBeGreaterThanOrEqual(1);
  expect(hostile.storable, report).toBeGreaterThan(0);
  expect(hostile.uncharged, report).toBeGreaterThanOrEqual(QUICK_SOAK.hostileOptions.floodFrames);
}, 90_000);

/**
 * A small flood through the same code as `npm run flood`: 10 people chatting, measured alone and
 * then with a client sending 200 says a second, then the same invariants. The latency limit may
 * take up to three baseline/flood pairs (see `FloodOptions.attempts`): this file shares two cores
 * with the CPU-heavy fuzz tests. The flooder's limits must hold in every pair.
 */
import { expect, it } from "vitest";
import { FULL_FLOOD, runFlood } from "../../bench/soak/flood.ts";
import { floodTable } from "../../bench/soak/flood-report.ts";

it("a flooder is rate limited, stores no more than its bucket, and does not slow the others", async () => {
  const result = await runFlood({ ...FULL_FLOOD, others: 10, othersSayEveryMs: 500, durationMs: 3_000, attempts: 3, seed: 0 });
  const report = floodTable(result);
  expect(result.violations, report).toEqual([]);
  const flooder = result.flood.flooder!;
  expect(flooder.sent, report).toBe(600);
  expect(flooder.rateLimited, report).toBeGreaterThan(0);
  expect(flooder.stored, report).toBeLessThanOrEqual(flooder.bound);
  expect(result.p99Ratio, report).not.toBeNull();
  expect(result.p99Ratio!, report).toBeLessThanOrEqual(2);
}, 90_000);

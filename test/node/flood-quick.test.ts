/**
 * A small flood through the same code as `npm run flood`: 20 people chatting and 5 observers,
 * with a client sending 200 says a second in one 0.25 s slice of each pair, then the same
 * invariants. One run with a fixed seed decides: the slices with and without the flooder are
 * interleaved, so the CPU-heavy tests beside this file on two cores slow both alike, and each
 * side's p99 leaves out its worst slice, where a short spike of theirs lands.
 */
import { expect, it } from "vitest";
import { QUICK_FLOOD, runFlood } from "../../bench/soak/flood.ts";
import { floodTable } from "../../bench/soak/flood-report.ts";

it("a flooder is rate limited, stores no more than its bucket, and does not slow the others", async () => {
  const result = await runFlood({ ...QUICK_FLOOD, seed: 11 });
  const report = floodTable(result);
  const { with: w, without: wo } = result.run;
  console.log(`flood-quick: p99 ratio ${result.p99Ratio} without the worst slices (with ${w.trimmed.p99} ms, without ${wo.trimmed.p99} ms), ${result.rawP99Ratio} over all`);
  expect(result.violations, report).toEqual([]);
  const { flooder } = result.run;
  // 200/s through the warm-up and every slice with the flooder.
  expect(flooder.sent, report).toBe((QUICK_FLOOD.floodPerSecond * (QUICK_FLOOD.warmUpMs + QUICK_FLOOD.conditionMs)) / 1000);
  expect(flooder.rateLimited, report).toBeGreaterThan(0);
  expect(flooder.stored, report).toBeLessThanOrEqual(flooder.bound);
  // Enough samples on both sides that the p99 is not one unlucky delivery.
  expect(Math.min(w.latency.count, wo.latency.count), report).toBeGreaterThan(1_000);
  expect(result.p99Ratio, report).not.toBeNull();
  expect(result.p99Ratio!, report).toBeLessThanOrEqual(2);
}, 90_000);

/**
 * The flood's clock without a server: slices come in balanced pairs, a delivery counts for the
 * slice its message was sent in, never for the gap in which the run waited for the room, and a
 * side's p99 can leave out its worst slice.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { SliceClock, sliceOrder } from "../../bench/soak/flood-slices.ts";
import { streamOf } from "../../bench/soak/random.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("the flood's slices", () => {
  it("hold one slice with the flooder and one without in every pair, in an order drawn from the seed", () => {
    const order = sliceOrder(streamOf(5, "slices"), 20);
    expect(order).toHaveLength(40);
    for (let k = 0; k < 40; k += 2) expect([order[k], order[k + 1]].sort()).toEqual(["with", "without"]);
    expect(sliceOrder(streamOf(5, "slices"), 20)).toEqual(order);
    // Both orders of a pair occur: a fixed ABAB would line up with any periodic noise.
    expect(new Set(Array.from({ length: 20 }, (_, k) => order[2 * k]))).toEqual(new Set(["with", "without"]));
  });

  it("count a delivery for the slice its message was sent in, and nothing sent in a gap", () => {
    vi.useFakeTimers({ now: 0, toFake: ["performance", "setInterval", "clearInterval"] });
    const clock = new SliceClock();
    clock.begin("with"); // 0–500
    vi.advanceTimersByTime(500);
    clock.end();
    vi.advanceTimersByTime(300); // a gap: waiting for the room to answer the flooder
    clock.begin("without"); // 800–1300
    vi.advanceTimersByTime(500);
    clock.stop();

    clock.sample(100, 900); // sent in the flood slice, received in the next one
    clock.sample(600, 610); // sent in the gap
    clock.sample(1_000, 1_005);
    clock.sample(1_400, 1_401); // after the end
    expect(clock.latency("with")).toMatchObject({ count: 1, max: 800 });
    expect(clock.latency("without")).toMatchObject({ count: 1, max: 5 });
    expect([clock.slices("with"), clock.slices("without"), Math.round(clock.gapMs)]).toEqual([1, 1, 300]);
  });

  it("leave out the worst slice of a side only when asked, and never the rest of the side", () => {
    vi.useFakeTimers({ now: 0, toFake: ["performance", "setInterval", "clearInterval"] });
    const clock = new SliceClock();
    // Three slices without the flooder: one has a 500 ms spike (a neighbour), two are calm.
    for (const spike of [false, true, false]) {
      const start = performance.now();
      clock.begin("without");
      for (let i = 0; i < 100; i++) clock.sample(start + i, start + i + (spike && i < 5 ? 500 : 10));
      vi.advanceTimersByTime(200);
      clock.end();
    }
    clock.stop();
    expect(clock.latency("without").p99).toBe(500);
    expect(clock.latency("without", 1)).toMatchObject({ count: 200, p99: 10 });
  });
});

/**
 * A soak's or flood's seed must replay its random choices: the plan of faults, second by second,
 * and each client's pace. These run without a server: the plan is drawn from a stream, and a page
 * client's pace is read off fake timers while its transport queues what it says.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { faultTicks, type FaultTick } from "../../bench/soak/faults.ts";
import { PageClient } from "../../bench/soak/page-client.ts";
import { streamOf } from "../../bench/soak/random.ts";

/** The first `seconds` of the fault plan of a 20-client soak with 3 drops a second. */
function planOf(seed: number, seconds = 5): FaultTick[] {
  const next = faultTicks(streamOf(seed, "faults"), 20, 3);
  return Array.from({ length: seconds }, () => next());
}

/** When a page client saying every ~500 ms says its first 10 things (fake ms), with `seed`'s stream. */
function paceOf(seed: number): number[] {
  vi.useFakeTimers({ now: 0 });
  // Never started: the transport queues every say in its outbox, and nothing touches the network.
  const client = new PageClient("ws://127.0.0.1:1/api/rooms/unused/ws", "pace", { random: streamOf(seed, "client-0") });
  const times: number[] = [];
  client.startSaying(500, 1_000);
  while (times.length < 10) {
    vi.advanceTimersToNextTimer();
    if (client.sent.size > times.length) times.push(Date.now());
  }
  client.stop();
  return times;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a soak's seed", () => {
  it("replays the plan of faults second by second, and another seed makes another plan", () => {
    const plan = planOf(42);
    expect(planOf(42)).toEqual(plan);
    expect(planOf(43)).not.toEqual(plan);
    // Each second tries every client once, and draws a kind and a pause for each of its drops.
    for (const tick of plan) {
      expect([...tick.order].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(tick.drops).toHaveLength(3);
    }
  });

  it("replays each client's pace, which differs from client to client", () => {
    const pace = paceOf(42);
    expect(paceOf(42)).toEqual(pace);
    expect(paceOf(43)).not.toEqual(pace);
    // ±50 % around 500 ms apart.
    const gaps = pace.map((t, i) => t - (pace[i - 1] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(250);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(750);
    expect(new Set(gaps).size).toBeGreaterThan(1);
  });

  it("keeps one stream's draws apart from another's: a label is a stream of its own", () => {
    const draws = (label: string) => Array.from({ length: 5 }, streamOf(7, label));
    expect(draws("client-1")).toEqual(draws("client-1"));
    expect(draws("client-1")).not.toEqual(draws("client-2"));
    expect(draws("faults")).not.toEqual(draws("absences"));
  });
});

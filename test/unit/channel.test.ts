/**
 * The bounded channel between a room's objects: one call in flight, what comes meanwhile riding
 * the next call, a failed call tried again as it was before anything newer, and a queue that
 * never passes its bound (the owner decides what a refused item means: uplink.ts, shard-links.ts).
 */
import { describe, expect, it } from "vitest";
import { Channel, type RetryTimer } from "../../src/server/shards/channel.ts";
import { Uplink } from "../../src/server/shards/uplink.ts";
import type { UplinkBatch } from "../../src/server/shards/shard-wire.ts";

/** A peer whose calls the test answers by hand, and a timer the test fires by hand. */
function fixture(maxWeight = 100) {
  const calls: { batch: { n: number; items: string[] }; answer(ok: boolean): void }[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const timer: RetryTimer = { later: (fn, ms) => void timers.push({ fn, ms }) };
  const channel = new Channel<string, { n: number; items: string[] }>({
    seal: (items, n) => ({ n, items }),
    call: (batch) => new Promise<void>((resolve, reject) => calls.push({ batch, answer: (ok) => (ok ? resolve() : reject(new Error("down"))) })),
    maxWeight,
    log: () => {},
    timer,
  });
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { channel, calls, timers, settle };
}

describe("a channel between objects", () => {
  it("keeps one call in flight: what is pushed meanwhile rides the next call", async () => {
    const { channel, calls, settle } = fixture();
    channel.push("a", 1);
    channel.flush();
    channel.push("b", 1);
    channel.push("c", 1);
    channel.flush();
    expect(calls.map((c) => c.batch)).toEqual([{ n: 1, items: ["a"] }]);
    calls[0]!.answer(true);
    await settle();
    expect(calls.map((c) => c.batch)).toEqual([{ n: 1, items: ["a"] }, { n: 2, items: ["b", "c"] }]);
  });

  it("tries a failed call again as it was, after a growing delay, before anything newer", async () => {
    const { channel, calls, timers, settle } = fixture();
    channel.push("a", 1);
    channel.flush();
    calls[0]!.answer(false);
    await settle();
    expect(channel.failing).toBe(true);
    channel.push("b", 1);
    channel.flush();
    expect(calls).toHaveLength(1);
    timers.shift()!.fn();
    expect(calls[1]!.batch).toEqual({ n: 1, items: ["a"] });
    calls[1]!.answer(false);
    await settle();
    expect(timers.map((t) => t.ms)).toEqual([100]);
    timers.shift()!.fn();
    calls[2]!.answer(true);
    await settle();
    expect(channel.failing).toBe(false);
    expect(calls.map((c) => c.batch)).toEqual([
      { n: 1, items: ["a"] },
      { n: 1, items: ["a"] },
      { n: 1, items: ["a"] },
      { n: 2, items: ["b"] },
    ]);
  });

  it("refuses what would pass its bound while the peer does not answer, and takes what is bounded by nature", async () => {
    const { channel, calls, settle } = fixture(10);
    channel.push("in flight", 8);
    channel.flush();
    calls[0]!.answer(false);
    await settle();
    // The batch waiting to be tried again does not count; the queue does.
    expect(channel.push("a", 6)).toBe(true);
    expect(channel.push("b", 5)).toBe(false);
    expect(channel.push("c", 4)).toBe(true);
    channel.pushAlways("close");
    expect(channel.queued).toBe(3);
    expect(channel.drop()).toEqual(["a", "c", "close"]);
    expect(channel.push("d", 10)).toBe(true);
  });
});

describe("a shard's uplink past its bound", () => {
  it("refuses a frame that does not fit, never a close, and carries the roster with the next call", async () => {
    const sent: UplinkBatch[] = [];
    const uplink = new Uplink(3, () => ({ uplink: () => new Promise<void>(() => {}) }), () => 7, () => {}, { maxWeight: 100, timer: undefined });
    const stuck = { uplink: (batch: UplinkBatch) => (sent.push(batch), new Promise<void>(() => {})) };
    const live = new Uplink(3, () => stuck, () => 7, () => {}, { maxWeight: 100, timer: undefined });
    const frame = (conn: string) => ({ kind: "frame" as const, conn, decoded: { ok: true as const, type: "typing" as const, frame: { type: "typing" as const } } });
    expect(uplink.frame(frame("3:a"), 60)).toBe(true);
    expect(uplink.frame(frame("3:b"), 60)).toBe(false);
    uplink.closed("3:b");
    live.roster(["3:a"]);
    live.flush();
    expect(sent).toEqual([{ shard: 3, instance: sent[0]!.instance, n: 1, open: 7, items: [], roster: ["3:a"] }]);
  });
});

/** The outbox: per-socket order, single frames when quiet, shared batches when busy. */
import { describe, expect, it } from "vitest";
import { Outbox, type Scheduler } from "../src/server/outbox.ts";

class FakeSocket {
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
}

/** A clock the test moves by hand, and timers that fire when it passes them. */
class FakeScheduler implements Scheduler {
  time = 1_000;
  timers: { at: number; fn: () => void }[] = [];
  now = () => this.time;
  later = (fn: () => void, ms: number) => void this.timers.push({ at: this.time + ms, fn });
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const timer of due) timer.fn();
  }
}

const frame = (n: number) => JSON.stringify({ type: "message", seq: n });

describe("the outbox", () => {
  it("sends a frame at the end of the turn when the room is quiet", () => {
    const clock = new FakeScheduler();
    const outbox = new Outbox<FakeSocket>(10, clock);
    const a = new FakeSocket();
    outbox.push(a, frame(1));
    expect(a.sent).toEqual([]);
    outbox.settle();
    expect(a.sent).toEqual([frame(1)]);
    expect(clock.timers).toEqual([]);
  });

  it("holds frames due within the window and packs them into one batch per socket, in order", () => {
    const clock = new FakeScheduler();
    const outbox = new Outbox<FakeSocket>(10, clock);
    const [a, b] = [new FakeSocket(), new FakeSocket()];
    outbox.pushAll([a, b], frame(1));
    outbox.settle();
    for (let n = 2; n <= 4; n++) {
      clock.advance(1);
      outbox.pushAll([a, b], frame(n));
      outbox.settle();
    }
    expect(a.sent).toEqual([frame(1)]);
    expect(clock.timers).toHaveLength(1);
    clock.advance(10);
    const batch = JSON.parse(a.sent[1]!) as { type: string; frames: unknown[] };
    expect(batch.type).toBe("batch");
    expect(batch.frames).toEqual([2, 3, 4].map((n) => JSON.parse(frame(n))));
    // The same queue for both sockets: one string built, sent to both.
    expect(b.sent[1]).toBe(a.sent[1]);
  });

  it("keeps one socket's own frames in their place among the broadcasts", () => {
    const clock = new FakeScheduler();
    const outbox = new Outbox<FakeSocket>(10, clock);
    const [a, b] = [new FakeSocket(), new FakeSocket()];
    outbox.flush();
    outbox.pushAll([a, b], frame(1));
    outbox.push(a, '{"type":"error","code":"too_long","message":"x"}');
    outbox.pushAll([a, b], frame(2));
    outbox.settle();
    clock.advance(10);
    const types = (JSON.parse(a.sent[0]!) as { frames: { type: string }[] }).frames.map((f) => f.type);
    expect(types).toEqual(["message", "error", "message"]);
    expect((JSON.parse(b.sent[0]!) as { frames: unknown[] }).frames).toHaveLength(2);
  });

  it("holds a broadcast only for the rest of the window since the last broadcast went out", () => {
    const clock = new FakeScheduler();
    const outbox = new Outbox<FakeSocket>(10, clock);
    const a = new FakeSocket();
    outbox.pushAll([a], frame(1));
    outbox.settle();
    clock.advance(7);
    outbox.pushAll([a], frame(2));
    outbox.settle();
    clock.advance(2);
    expect(a.sent).toEqual([frame(1)]);
    clock.advance(1);
    expect(a.sent).toEqual([frame(1), frame(2)]);
  });

  it("sends a frame for one socket alone at once, and it starts no window for the broadcasts", () => {
    const clock = new FakeScheduler();
    const outbox = new Outbox<FakeSocket>(10, clock);
    const [flooder, other] = [new FakeSocket(), new FakeSocket()];
    // A flooder's refusals, one per turn, each goes out at once...
    for (let i = 0; i < 3; i++) {
      outbox.push(flooder, '{"type":"error","code":"rate_limited","message":"x"}');
      outbox.settle();
      clock.advance(1);
    }
    expect(flooder.sent).toHaveLength(3);
    // ...and the next broadcast is not held behind them.
    outbox.pushAll([flooder, other], frame(1));
    outbox.settle();
    expect(other.sent).toEqual([frame(1)]);
    expect(clock.timers).toEqual([]);
  });

  it("sends a frame for one socket alone at once even while a window is open, after what that socket was due", () => {
    const clock = new FakeScheduler();
    const outbox = new Outbox<FakeSocket>(10, clock);
    const [joiner, other] = [new FakeSocket(), new FakeSocket()];
    outbox.pushAll([joiner, other], frame(1));
    outbox.settle();
    clock.advance(1);
    outbox.pushAll([joiner, other], frame(2));
    outbox.push(joiner, '{"type":"welcome"}');
    outbox.settle();
    // The window is open for the broadcast, yet the joiner's own frame goes now, in its place.
    const sent = JSON.parse(joiner.sent[1]!) as { type: string; frames: { type: string }[] };
    expect(sent.frames.map((f) => f.type)).toEqual(["message", "welcome"]);
    expect(other.sent).toEqual([frame(1)]);
    clock.advance(9);
    expect(other.sent).toEqual([frame(1), frame(2)]);
    expect(joiner.sent).toHaveLength(2);
  });

  it("flushes one socket on demand, leaving the others queued", () => {
    const outbox = new Outbox<FakeSocket>(10, new FakeScheduler());
    const [a, b] = [new FakeSocket(), new FakeSocket()];
    outbox.pushAll([a, b], frame(1));
    outbox.flushSocket(a);
    expect(a.sent).toEqual([frame(1)]);
    expect(b.sent).toEqual([]);
    expect(outbox.pending).toBe(1);
  });

  it("survives a socket whose send throws, and still serves the rest", () => {
    const outbox = new Outbox<FakeSocket>(10, new FakeScheduler());
    const broken = { sent: [], send: () => { throw new Error("closed"); } } as unknown as FakeSocket;
    const fine = new FakeSocket();
    outbox.pushAll([broken, fine], frame(1));
    outbox.settle();
    expect(fine.sent).toEqual([frame(1)]);
  });
});

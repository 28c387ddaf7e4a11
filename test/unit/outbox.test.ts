/** The outbox: per-socket order, single frames as they are, several packed into one batch string. */
import { describe, expect, it } from "vitest";
import { Outbox } from "../../src/server/objects/outbox.ts";

class FakeSocket {
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
}

const frame = (n: number) => JSON.stringify({ type: "message", seq: n });

describe("the outbox", () => {
  it("sends nothing until flushed, then one frame as it is", () => {
    const outbox = new Outbox<FakeSocket>();
    const a = new FakeSocket();
    outbox.push(a, frame(1));
    expect(a.sent).toEqual([]);
    outbox.flush();
    expect(a.sent).toEqual([frame(1)]);
    // Nothing is left queued: a second flush sends nothing.
    outbox.flush();
    expect(a.sent).toEqual([frame(1)]);
  });

  it("packs several frames for a socket into one batch, in order, and shares the string among equal queues", () => {
    const outbox = new Outbox<FakeSocket>();
    const [a, b] = [new FakeSocket(), new FakeSocket()];
    for (let n = 1; n <= 3; n++) outbox.pushAll([a, b], frame(n));
    outbox.flush();
    const batch = JSON.parse(a.sent[0]!) as { type: string; frames: unknown[] };
    expect(batch.type).toBe("batch");
    expect(batch.frames).toEqual([1, 2, 3].map((n) => JSON.parse(frame(n))));
    expect(b.sent[0]).toBe(a.sent[0]);
  });

  it("keeps one socket's own frames in their place among the broadcasts", () => {
    const outbox = new Outbox<FakeSocket>();
    const [a, b] = [new FakeSocket(), new FakeSocket()];
    outbox.pushAll([a, b], frame(1));
    outbox.push(a, '{"type":"error","code":"too_long","message":"x"}');
    outbox.pushAll([a, b], frame(2));
    outbox.flush();
    const types = (JSON.parse(a.sent[0]!) as { frames: { type: string }[] }).frames.map((f) => f.type);
    expect(types).toEqual(["message", "error", "message"]);
    expect((JSON.parse(b.sent[0]!) as { frames: unknown[] }).frames).toHaveLength(2);
    expect(b.sent[0]).not.toBe(a.sent[0]);
  });

  it("flushes one socket on demand, leaving the others queued", () => {
    const outbox = new Outbox<FakeSocket>();
    const [a, b] = [new FakeSocket(), new FakeSocket()];
    outbox.pushAll([a, b], frame(1));
    outbox.flushSocket(a);
    expect(a.sent).toEqual([frame(1)]);
    expect(b.sent).toEqual([]);
    outbox.flush();
    expect(a.sent).toEqual([frame(1)]);
    expect(b.sent).toEqual([frame(1)]);
  });

  it("survives a socket whose send throws, and still serves the rest", () => {
    const outbox = new Outbox<FakeSocket>();
    const broken = { sent: [], send: () => { throw new Error("closed"); } } as unknown as FakeSocket;
    const fine = new FakeSocket();
    outbox.pushAll([broken, fine], frame(1));
    outbox.flush();
    expect(fine.sent).toEqual([frame(1)]);
  });
});

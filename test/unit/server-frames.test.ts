/** The page's reading of what a room sends: validated, never cast; unknown and malformed frames are dropped. */
import { describe, expect, it } from "vitest";
import { decodeServerText } from "@edge-chat/protocol/server-frames";

const user = { id: "u1", name: "alice" };
const message = { type: "message", seq: 3, id: "c1", from: user, text: "hi", ts: 1 };

describe("reading room frames in the page", () => {
  it("tells the heartbeat's pong apart from frames", () => {
    expect(decodeServerText("pong")).toEqual({ kind: "pong" });
  });

  it("accepts a valid frame and drops fields it does not know", () => {
    expect(decodeServerText(JSON.stringify({ ...message, extra: 1 }))).toEqual({ kind: "frames", frames: [message], skipped: [] });
  });

  it("reads messages listed in history as whole frames, each with its type (protocol v2's fine print)", () => {
    const decoded = decodeServerText(JSON.stringify({ type: "history", messages: [message, message], hasMore: false }));
    expect(decoded).toEqual({ kind: "frames", frames: [{ type: "history", messages: [message, message], hasMore: false }], skipped: [] });
    const { type: _, ...bare } = message;
    expect(decodeServerText(JSON.stringify({ type: "history", messages: [bare], hasMore: false })).kind).toBe("invalid");
  });

  it("refuses malformed frames, frames of unknown types and text that is not JSON", () => {
    for (const text of [
      JSON.stringify({ ...message, seq: "3" }),
      JSON.stringify({ type: "join" }),
      JSON.stringify({ type: "from-the-future", x: 1 }),
      JSON.stringify([message]),
      "{not json",
    ]) {
      expect(decodeServerText(text).kind, text).toBe("invalid");
    }
  });

  it("unpacks a batch, and says which of its items it skipped: unknown, malformed or a nested batch", () => {
    const inner = { type: "batch", frames: [message] };
    const decoded = decodeServerText(
      JSON.stringify({ type: "batch", frames: [message, { type: "from-the-future" }, { ...message, seq: -1 }, inner, message] }),
    );
    expect(decoded.kind).toBe("frames");
    if (decoded.kind !== "frames") return;
    expect(decoded.frames).toEqual([message, message]);
    expect(decoded.skipped).toHaveLength(3);
    expect(decoded.skipped[2]).toBe("a nested batch");
  });

  it("keeps an error whose code it does not know yet, so the page can still show it", () => {
    const error = { type: "error", code: "brand_new", message: "something new" };
    expect(decodeServerText(JSON.stringify(error))).toEqual({ kind: "frames", frames: [error], skipped: [] });
  });
});

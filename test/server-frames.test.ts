/** The page's reading of what a room sends: validated, never cast; unknown and malformed frames are dropped. */
import { describe, expect, it } from "vitest";
import { decodeServerText } from "../src/shared/server-frames.ts";

const user = { id: "u1", name: "alice" };
const message = { type: "message", seq: 3, id: "c1", from: user, text: "hi", ts: 1 };

describe("reading room frames in the page", () => {
  it("tells the heartbeat's pong apart from frames", () => {
    expect(decodeServerText("pong")).toEqual({ kind: "pong" });
  });

  it("accepts a valid frame and drops fields it does not know", () => {
    expect(decodeServerText(JSON.stringify({ ...message, extra: 1 }))).toEqual({ kind: "frames", frames: [message] });
  });

  it("reads messages listed in history whether or not each carries its type", () => {
    const { type: _, ...bare } = message;
    const decoded = decodeServerText(JSON.stringify({ type: "history", messages: [bare, message], hasMore: false }));
    expect(decoded).toEqual({ kind: "frames", frames: [{ type: "history", messages: [message, message], hasMore: false }] });
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

  it("keeps an error whose code it does not know yet, so the page can still show it", () => {
    const error = { type: "error", code: "brand_new", message: "something new" };
    expect(decodeServerText(JSON.stringify(error))).toEqual({ kind: "frames", frames: [error] });
  });
});

/** The one quote cut (room and page alike): 200 code points of the text as it stands, or "" and deleted. */
import { describe, expect, it } from "vitest";
import { LIMITS, replyQuote } from "@edge-chat/protocol";

const from = { id: "u1", name: "ann" };

describe("a reply's quote", () => {
  it("cuts the text to 200 code points, never inside a surrogate pair", () => {
    expect(LIMITS.quote).toBe(200);
    expect(replyQuote({ seq: 3, from, text: "😀".repeat(250) })).toEqual({ seq: 3, from, text: "😀".repeat(200) });
    expect(replyQuote({ seq: 3, from, text: "short" })).toEqual({ seq: 3, from, text: "short" });
  });

  it("shows a deleted message as empty and deleted, whatever text it still had", () => {
    expect(replyQuote({ seq: 4, from, text: "gone", deleted: true })).toEqual({ seq: 4, from, text: "", deleted: true });
    expect(replyQuote({ seq: 4, from, text: "kept", deleted: false })).toEqual({ seq: 4, from, text: "kept" });
  });
});

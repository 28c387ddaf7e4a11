/**
 * The protocol's search rules as one module (`@edge-chat/protocol/search`): how `q` is judged and
 * split, how text compares (NFKC, lower case), the HTTP query's parsing, and where terms are marked
 * in the original text for highlighting (fullwidth and upper-case spellings included).
 */
import { describe, expect, it } from "vitest";
import { matchRanges, parseSearchQuery, searchKey, searchTerms } from "@edge-chat/protocol/search";
import { decodeClientFrame } from "@edge-chat/protocol/validate";

describe("searchTerms", () => {
  it("trims, splits on whitespace of any script, normalizes, and drops repeated terms", () => {
    expect(searchTerms("  Café\u3000ＬＡＩＴ café ")).toEqual({ ok: true, terms: ["café", "lait"] });
    expect(searchKey("ＳＴＲＡßＥ")).toBe("straße");
  });

  it("refuses empty, too long (over 200 code points after trimming), over 10 terms, and broken Unicode", () => {
    expect(searchTerms(" \t ")).toMatchObject({ ok: false, code: "bad_message" });
    expect(searchTerms("😀".repeat(200))).toMatchObject({ ok: true });
    expect(searchTerms("😀".repeat(201))).toMatchObject({ ok: false, code: "too_long" });
    expect(searchTerms("a b c d e f g h i j")).toMatchObject({ ok: true });
    expect(searchTerms("a b c d e f g h i j k")).toMatchObject({ ok: false, code: "bad_message" });
    expect(searchTerms("\uDC00x")).toMatchObject({ ok: false, code: "bad_message" });
  });

  it("is what the decoder judges a search frame by, q kept exactly as sent", () => {
    expect(decodeClientFrame(JSON.stringify({ type: "search", q: "  Hi " }))).toMatchObject({ ok: true, frame: { q: "  Hi " } });
    expect(decodeClientFrame(JSON.stringify({ type: "search", q: "x".repeat(201) }))).toMatchObject({ ok: false, code: "too_long" });
    expect(decodeClientFrame(JSON.stringify({ type: "search", q: "ok", limit: 51 }))).toMatchObject({ ok: false, code: "bad_message" });
    expect(decodeClientFrame(JSON.stringify({ type: "read", seq: -1 }))).toMatchObject({ ok: false, code: "bad_message" });
    expect(decodeClientFrame(JSON.stringify({ type: "read", seq: 7 }))).toMatchObject({ ok: true, frame: { type: "read", seq: 7 } });
  });
});

describe("parseSearchQuery", () => {
  const parse = (query: string) => parseSearchQuery(new URLSearchParams(query));
  it("takes q, before and limit (1–50, 20 by default)", () => {
    expect(parse("q=hi")).toEqual({ ok: true, q: "hi", terms: ["hi"], limit: 20 });
    expect(parse("q=hi&before=9&limit=50")).toEqual({ ok: true, q: "hi", terms: ["hi"], before: 9, limit: 50 });
  });
  it("refuses a missing, empty or bad q, before or limit", () => {
    for (const query of ["", "q=", "q=+", "q=hi&limit=0", "q=hi&limit=51", "q=hi&before=x", "q=hi&before=-2"]) expect(parse(query).ok, query).toBe(false);
  });
});

describe("matchRanges", () => {
  it("marks every occurrence in the original text, merged and in order", () => {
    expect(matchRanges("abcabc", ["bc"])).toEqual([[1, 3], [4, 6]]);
    expect(matchRanges("hello world", ["lo w", "wor"])).toEqual([[3, 9]]);
  });
  it("marks fullwidth and upper-case spellings where they stand, across surrogate pairs", () => {
    expect(matchRanges("Say ＨＥＬＬＯ", ["hello"])).toEqual([[4, 9]]);
    expect(matchRanges("🎉 Party 🎉", ["🎉"])).toEqual([[0, 2], [9, 11]]);
    expect(matchRanges("今天天气很好", ["天气"])).toEqual([[2, 4]]);
    expect(matchRanges("nothing", ["zzz"])).toEqual([]);
  });
});

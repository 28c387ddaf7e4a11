/**
 * The short-term index's document (src/server/storage/search-grams.ts): each key text's distinct
 * unigrams and bigrams as fixed-width base-36 ASCII tokens, whitespace left out. A short term's
 * token is among a text's tokens exactly when the term is a substring of the text, in any script.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { searchKey } from "@edge-chat/protocol/search";
import { gramDocument, gramToken, gramTokens, hasGramToken } from "../../src/server/storage/search-grams.ts";

describe("gramToken", () => {
  it("writes each code point in base 36, four digits wide: a unigram is 4 characters, a bigram 8", () => {
    expect(gramToken("a")).toBe("002p");
    expect(gramToken("好")).toBe("0hod");
    expect(gramToken("🎉")).toBe("2qo9");
    expect(gramToken("\u{10FFFF}")).toBe("nvnj");
    expect(gramToken("a🎉")).toBe("002p2qo9");
    // A combining mark is a code point of its own.
    expect(gramToken("e\u0301")).toBe("002t00ld");
  });

  it("gives every gram of one or two code points its own token of ASCII letters and digits", () => {
    const point = fc.integer({ min: 0, max: 0x10ffff }).filter((n) => n < 0xd800 || n > 0xdfff).map((n) => String.fromCodePoint(n));
    const gram = fc.array(point, { minLength: 1, maxLength: 2 }).map((points) => points.join(""));
    fc.assert(
      fc.property(gram, gram, (a, b) => {
        const [ta, tb] = [gramToken(a), gramToken(b)];
        expect(ta).toMatch(/^[0-9a-z]{4}([0-9a-z]{4})?$/);
        expect(ta === tb).toBe(a === b);
      }),
    );
  });
});

describe("hasGramToken", () => {
  it("takes terms of 1 or 2 code points without whitespace", () => {
    expect(["ok", "好", "天气", "🎉", "🎉🎉", "é", "e\u0301"].map(hasGramToken)).toEqual([true, true, true, true, true, true, true]);
    expect(["", "abc", "🎉🎉🎉", "天气很"].map(hasGramToken)).toEqual([false, false, false, false]);
    // NFKC makes whitespace: ¨ is a space and a combining diaeresis.
    expect(searchKey("¨")).toBe(" \u0308");
    expect(hasGramToken(searchKey("¨"))).toBe(false);
  });
});

describe("gramTokens", () => {
  it("lists the distinct unigrams and bigrams once each, in first-seen order", () => {
    expect(gramTokens("abab")).toEqual(["002p", "002q", "002p002q", "002q002p"]);
    expect(gramTokens("")).toEqual([]);
    expect(gramDocument("aa")).toBe("002p 002p002p");
  });

  it("leaves out whitespace and every gram across it", () => {
    expect(gramTokens("a b")).toEqual(["002p", "002q"]);
    // U+001F is a control character, not whitespace: it is a gram like any other.
    expect(gramTokens("a\u001f")).toEqual(["002p", "000v", "002p000v"]);
    expect(gramTokens("a\u3000\n b")).toEqual(["002p", "002q"]);
    expect(gramTokens(searchKey("x¨"))).toEqual([gramToken("x"), gramToken("\u0308")]);
  });

  it("counts an emoji as one code point and a skin tone as another", () => {
    expect(gramTokens("🎉🎉")).toEqual([gramToken("🎉"), gramToken("🎉🎉")]);
    expect(gramTokens("👍🏽")).toEqual([gramToken("👍"), gramToken("🏽"), gramToken("👍🏽")]);
  });

  it("holds a term's token exactly when the term is a substring of the text, in any script", () => {
    // A small alphabet so that terms often occur: CJK, emoji, accents (composed and combining), fullwidth, spaces.
    const point = fc.constantFrom("a", "b", "好", "天", "🎉", "🏽", "é", "\u0301", "ａ", " ", "\t", "\u001f", "\u00a0", "\u3000", "-", "ß");
    const text = fc.array(point, { maxLength: 12 }).map((points) => points.join(""));
    const term = fc.array(point, { minLength: 1, maxLength: 2 }).map((points) => points.join(""));
    fc.assert(
      fc.property(text, term, (raw, rawTerm) => {
        const [key, t] = [searchKey(raw), searchKey(rawTerm)];
        fc.pre(hasGramToken(t));
        expect(gramTokens(key).includes(gramToken(t))).toBe(key.includes(t));
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * The page checks a reaction typed by hand with the room's rule (validate.ts). Each case states
 * what the protocol says (1–16 code points after trimming, no whitespace, no control characters),
 * so a rule that drifts from the protocol fails here, in the page's check and the room's decoder alike.
 */
import { describe, expect, it } from "vitest";
import { decodeClientFrame, normalizeEmoji } from "@edge-chat/protocol/validate";

const react = (emoji: string) => JSON.stringify({ type: "react", id: "r1", target: 1, emoji, on: true });

/** Each typed emoji and what the protocol makes of it: the stored emoji, or null when refused. */
const CASES: [typed: string, stored: string | null][] = [
  ["👍", "👍"],
  ["  🎉 ", "🎉"],
  ["👨‍👩‍👧", "👨‍👩‍👧"],
  ["🇫🇷", "🇫🇷"],
  ["+1", "+1"],
  ["x".repeat(16), "x".repeat(16)],
  ["😀".repeat(16), "😀".repeat(16)],
  ["x".repeat(17), null],
  ["😀".repeat(17), null],
  ["a b", null],
  ["a\u00A0b", null],
  ["", null],
  ["  ", null],
  ["a\u0007", null],
  ["\u202Eab", null],
];

describe("the emoji rule as the page uses it", () => {
  it("stores what the protocol allows, trimmed, and refuses the rest, in the page and in the room alike", () => {
    for (const [typed, stored] of CASES) {
      expect(normalizeEmoji(typed), JSON.stringify(typed)).toBe(stored);
      const room = decodeClientFrame(react(typed));
      expect(room.ok, JSON.stringify(typed)).toBe(stored !== null);
      if (room.ok && room.frame.type === "react") expect(room.frame.emoji).toBe(stored);
    }
    expect(normalizeEmoji(7)).toBeNull();
  });
});

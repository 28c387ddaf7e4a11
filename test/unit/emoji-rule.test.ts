/** The page checks a reaction typed by hand with the same rule the room applies (validate.ts). */
import { describe, expect, it } from "vitest";
import { decodeClientFrame, normalizeEmoji } from "@edge-chat/protocol/validate";

const react = (emoji: string) => JSON.stringify({ type: "react", id: "r1", target: 1, emoji, on: true });

describe("the emoji rule as the page uses it", () => {
  it("accepts what the room accepts, trimmed, and refuses what the room refuses", () => {
    const cases = ["👍", "  🎉 ", "👨‍👩‍👧", "🇫🇷", "+1", "x".repeat(16), "x".repeat(17), "a b", "", "  ", "a\u0007", "\u202Eab", "😀".repeat(16), "😀".repeat(17)];
    for (const emoji of cases) {
      const room = decodeClientFrame(react(emoji));
      const page = normalizeEmoji(emoji);
      expect(page !== null, JSON.stringify(emoji)).toBe(room.ok);
      if (room.ok && room.frame.type === "react") expect(page).toBe(room.frame.emoji);
    }
    expect(normalizeEmoji("  🎉 ")).toBe("🎉");
    expect(normalizeEmoji(7)).toBeNull();
  });
});

/** The example bot's answers: dice notation, its bounds, the sum, and the time. */
import { describe, expect, it } from "vitest";
import { answer, parseRoll, roll } from "../../examples/bot/dice.ts";

describe("the example bot's answers", () => {
  it("reads NdM, a bare dM as one die, and refuses what is not a roll or too big", () => {
    expect(parseRoll("2d6")).toEqual({ count: 2, sides: 6 });
    expect(parseRoll("d20")).toEqual({ count: 1, sides: 20 });
    for (const bad of ["", "2x6", "0d6", "2d1", "101d6", "2d1001", "2d6+1"]) expect(parseRoll(bad)).toBeUndefined();
  });

  it("rolls faces within 1..sides and says their sum", () => {
    const draws = [0, 0.999, 0.5];
    expect(roll({ count: 3, sides: 6 }, () => draws.shift()!)).toEqual([1, 6, 4]);
    const faces = [0.2, 0.7];
    expect(answer("/roll 2d6", "ada", new Date(0), () => faces.shift()!)).toBe("🎲 ada rolled 2d6: 2 + 5 = 7");
    expect(answer("/roll 500d6", "ada")).toMatch(/^ada: I roll dice like \/roll 2d6/);
  });

  it("tells the time in UTC and ignores everything that is not a command of its own", () => {
    expect(answer("/time", "ada", new Date(Date.UTC(2026, 11, 7, 9, 5, 3)))).toBe("🕒 2026-12-07 09:05:03 UTC");
    expect(answer("hello", "ada")).toBeUndefined();
    expect(answer("/timeout", "ada")).toBeUndefined();
  });
});

/**
 * Issue 19, item 5: a crowd asking for one name. Each join that finds `x` taken gets the first
 * free `x-N`; finding it must cost O(1) amortized, not a scan from `x-2` every time (20,000 joins
 * asking for `x` cost 20 s of CPU that way). Work is counted, not timed: calls of the presence's
 * `isTaken`, the one question the name rule asks.
 */
import { describe, expect, it, vi } from "vitest";
import { Presence } from "../src/server/core/presence.ts";
import { coreHarness, inCoreRoom } from "./support/core-harness.ts";

const JOINS = 20_000;
/** Name checks allowed per join, on average: a handful, whatever the crowd's size. */
const CHECKS_PER_JOIN = 6;

describe("names: the next free suffix", () => {
  it("costs a few name checks per join when 20,000 joins all ask for x, and every one gets the next suffix", () =>
    inCoreRoom("name-crowd", (state) => {
      const h = coreHarness(state);
      let checks = 0;
      const budget = CHECKS_PER_JOIN * JOINS;
      const original = Presence.prototype.isTaken;
      const spy = vi.spyOn(Presence.prototype, "isTaken").mockImplementation(function (this: Presence, name, self) {
        // Fails at once instead of running the quadratic scan to its end.
        if (++checks > budget) throw new Error(`over ${budget} name checks after ${h.framesOf("welcome").length} joins`);
        return original.call(this, name, self);
      });
      try {
        for (let i = 0; i < JOINS; i++) h.hello(`c:${i}`, "x", `crowd-member-token-${i}`);
      } finally {
        spy.mockRestore();
      }
      const names = h.framesOf("welcome").map((w) => w.self.name);
      expect(names.length).toBe(JOINS);
      expect(names.slice(0, 3)).toEqual(["x", "x-2", "x-3"]);
      expect(names.at(-1)).toBe(`x-${JOINS}`);
      expect(new Set(names).size).toBe(JOINS);
      expect(checks).toBeLessThanOrEqual(budget);
    }));

  it("still hands out the first free suffix after holders leave, in any order", () =>
    inCoreRoom("name-holes", (state) => {
      const h = coreHarness(state);
      for (let i = 0; i < 12; i++) h.hello(`c:${i}`, "x", `hole-token-${i}-0123456789`);
      // x-5, x-3 and x-11 leave: the next three askers get x-3, x-5, x-11, then x-13.
      for (const n of [5, 3, 11]) h.core.closed(`c:${n - 1}`);
      for (let i = 0; i < 4; i++) h.hello(`d:${i}`, "X", `again-token-${i}-0123456789`);
      expect(h.framesOf("welcome").slice(12).map((w) => w.self.name)).toEqual(["X-3", "X-5", "X-11", "X-13"]);
    }));
});

/**
 * The answer budget (src/server/objects/answer-budget.ts) against the promise it keeps: whatever
 * the timing, a socket that asks for at most 100 uncharged answers in any 10 s gets every one of
 * them, and one that asks for more in less is refused (then closed by its object).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANSWER_BUDGET, AnswerBudgets } from "../../src/server/objects/answer-budget.ts";

const WINDOW_MS = 10_000;
const PER_WINDOW = 100;

/** Keeps of `times` (ascending ms) only those that leave at most 100 in any 10 s window. */
function withinTheRule(times: readonly number[]): number[] {
  const kept: number[] = [];
  for (const t of times) {
    const inWindow = kept.filter((k) => k > t - WINDOW_MS).length;
    if (inWindow < PER_WINDOW) kept.push(t);
  }
  return kept;
}

describe("the answer budget of one socket", () => {
  it("is at least 100 answers in any 10 s", () => {
    expect(ANSWER_BUDGET.burst).toBeGreaterThanOrEqual(PER_WINDOW);
    expect((ANSWER_BUDGET.perSecond * WINDOW_MS) / 1000).toBeGreaterThanOrEqual(PER_WINDOW);
  });

  it("answers every request of a socket that keeps to 100 in any 10 s, whatever the timing", () => {
    // Bursts of requests at one instant, after gaps that include the tight ones (a whole window,
    // a tenth of a second) as well as any other.
    const gap = fc.oneof(fc.constantFrom(0, 1, 100, 9_999, 10_000, 10_001), fc.integer({ min: 0, max: 12_000 }));
    const bursts = fc.array(fc.record({ gap, count: fc.integer({ min: 1, max: 120 }) }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(bursts, fc.integer({ min: 0, max: 2 ** 40 }), (plan, start) => {
        let at = start;
        const times = plan.flatMap(({ gap, count }) => {
          at += gap;
          return Array.from({ length: count }, () => at);
        });
        const budgets = new AnswerBudgets<object>();
        const socket = {};
        for (const t of withinTheRule(times)) if (!budgets.spend(socket, t)) return false;
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("refuses the 101st answer asked at once, and only that socket's, until the budget refills", () => {
    const budgets = new AnswerBudgets<object>();
    const greedy = {};
    const calm = {};
    for (let i = 0; i < PER_WINDOW; i++) expect(budgets.spend(greedy, 1_000)).toBe(true);
    expect(budgets.spend(greedy, 1_000)).toBe(false);
    expect(budgets.spend(greedy, 1_099)).toBe(false);
    expect(budgets.spend(calm, 1_099)).toBe(true);
    // It comes back with time: ten a second.
    expect(budgets.spend(greedy, 1_100)).toBe(true);
    expect(budgets.spend(greedy, 1_101)).toBe(false);
  });
});

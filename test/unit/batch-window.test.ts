/** The batch window: release at once in a quiet room, once at the window's end in a busy one. */
import { describe, expect, it } from "vitest";
import { BatchWindow, type Scheduler } from "../../src/server/objects/batch-window.ts";

/** A clock the test moves by hand, and timers that fire when it passes them. */
class FakeScheduler implements Scheduler {
  time = 1_000;
  timers: { at: number; fn: () => void }[] = [];
  now = () => this.time;
  later = (fn: () => void, ms: number) => void this.timers.push({ at: this.time + ms, fn });
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const timer of due) timer.fn();
  }
}

describe("the batch window", () => {
  it("releases at once when no broadcast went out within the window", () => {
    const clock = new FakeScheduler();
    const window = new BatchWindow(10, clock);
    let released = 0;
    window.settle(() => released++);
    expect(released).toBe(1);
    expect(clock.timers).toEqual([]);
  });

  it("holds what is due within the window since the last broadcast, and releases it once at its end", () => {
    const clock = new FakeScheduler();
    const window = new BatchWindow(10, clock);
    let released = 0;
    window.broadcast();
    expect(window.open).toBe(true);
    clock.advance(3);
    for (let i = 0; i < 5; i++) window.settle(() => released++);
    expect(released).toBe(0);
    expect(clock.timers).toHaveLength(1);
    clock.advance(6);
    expect(released).toBe(0);
    clock.advance(1);
    expect(released).toBe(1);
    expect(window.open).toBe(false);
  });

  it("is closed again once the window has passed", () => {
    const clock = new FakeScheduler();
    const window = new BatchWindow(10, clock);
    window.broadcast();
    clock.advance(10);
    expect(window.open).toBe(false);
    let released = 0;
    window.settle(() => released++);
    expect(released).toBe(1);
  });
});

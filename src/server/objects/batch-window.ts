/**
 * When a room lets out what its queue holds. A broadcast opens a window of `windowMs`: what is
 * due within it (stored events and broadcasts) waits for the window's end and goes out together,
 * one commit and one batch per socket. In a quiet room a frame goes out at the end of the turn
 * that made it. The timer is a few milliseconds long, so it never keeps a room from hibernating.
 */

/** A clock and a one-shot timer (injected so tests can drive time). */
export interface Scheduler {
  now(): number;
  later(fn: () => void, ms: number): void;
}

/** The real clock and timer. */
export const realScheduler: Scheduler = {
  now: () => Date.now(),
  later: (fn, ms) => void setTimeout(fn, ms),
};

/** The batch window of one room. */
export class BatchWindow {
  readonly #windowMs: number;
  readonly #scheduler: Scheduler;
  #lastBroadcast = -Infinity;
  #armed = false;

  constructor(windowMs: number, scheduler: Scheduler = realScheduler) {
    this.#windowMs = windowMs;
    this.#scheduler = scheduler;
  }

  /** A broadcast went out: the window is open from now. */
  broadcast(): void {
    this.#lastBroadcast = this.#scheduler.now();
  }

  /** True while broadcasts should wait for the window's end. */
  get open(): boolean {
    return this.#scheduler.now() < this.#lastBroadcast + this.#windowMs;
  }

  /** Writes that no one waits for: `release` once a whole window from now, so that they gather. */
  later(release: () => void): void {
    if (this.#armed) return;
    this.#armed = true;
    this.#scheduler.later(() => {
      this.#armed = false;
      release();
    }, this.#windowMs);
  }

  /** At the end of a turn with something waiting: `release` now, or once at the window's end. */
  settle(release: () => void): void {
    if (this.#armed) return;
    const wait = this.#lastBroadcast + this.#windowMs - this.#scheduler.now();
    if (wait <= 0) return release();
    this.#armed = true;
    this.#scheduler.later(() => {
      this.#armed = false;
      release();
    }, wait);
  }
}

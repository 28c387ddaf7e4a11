/**
 * The flooder: one client that sends `say`s far faster than its bucket allows, on a light client,
 * and counts how the room answered each one (stored and echoed, or `rate_limited`).
 */
import type { MessageFrame } from "../../src/shared/protocol.ts";
import type { RoomError } from "../../src/shared/server-frames.ts";
import { ResumingClient } from "./resuming-client.ts";
import { sleep } from "./wait.ts";

/** One flooding client. */
export class Flooder {
  readonly client: ResumingClient;
  sent = 0;
  /** Says the room stored (their echo came back). */
  accepted = 0;
  rateLimited = 0;
  /** `rate_limited` errors without a positive `retryAfterMs`, and any other error. */
  badRetryAfter = 0;
  otherErrors = 0;
  /** performance.now() of the first say sent and of the last answer received. */
  firstSentAt: number | undefined;
  lastAnswerAt: number | undefined;
  readonly #answered = new Set<string>();

  /** `random` is the flooder's own seeded stream (its backoff jitter, should it ever reconnect). */
  constructor(url: string, random: () => number) {
    this.client = new ResumingClient(url, "flooder", {
      events: { live: (message, at) => this.#echo(message, at), error: (error, at) => this.#refused(error, at) },
      random,
    });
  }

  /** Every say sent has been answered. */
  get allAnswered(): boolean {
    return this.#answered.size === this.sent;
  }

  /** Sends `perSecond` says a second for `durationMs`, keeping to the schedule by catching up each tick. */
  async flood(perSecond: number, durationMs: number): Promise<void> {
    const total = Math.round((perSecond * durationMs) / 1000);
    const started = performance.now();
    while (this.sent < total && performance.now() - started < durationMs + 1_000) {
      const due = Math.min(total, Math.floor(((performance.now() - started) * perSecond) / 1000) + 1);
      while (this.sent < due) {
        const id = `flood-${this.sent}`;
        this.firstSentAt ??= performance.now();
        if (!this.client.say({ type: "say", id, text: `flood ${this.sent}` })) return;
        this.sent++;
      }
      await sleep(5);
    }
  }

  #echo(message: MessageFrame, at: number): void {
    if (message.from.id !== this.client.selfId) return;
    this.accepted++;
    this.#answer(message.id, at);
  }

  #refused(error: RoomError, at: number): void {
    if (error.code !== "rate_limited") this.otherErrors++;
    else {
      this.rateLimited++;
      if (!(typeof error.retryAfterMs === "number" && error.retryAfterMs > 0)) this.badRetryAfter++;
    }
    if (error.ref !== undefined) this.#answer(error.ref, at);
  }

  #answer(id: string, at: number): void {
    this.#answered.add(id);
    this.lastAnswerAt = at;
  }
}

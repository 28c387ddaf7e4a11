/**
 * The flooder: one client that sends `say`s far faster than its bucket allows, on a light client,
 * counts how the room answered each one (stored and echoed, or `rate_limited`), and is judged
 * against its bucket at the end.
 */
import type { MessageFrame } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import { ResumingClient } from "./resuming-client.ts";
import { sleep } from "./wait.ts";

/** What the flooder did and what the room made of it. */
export interface FlooderOutcome {
  /** Says the flood was to send (rate × time flooding), and those it sent. */
  planned: number;
  sent: number;
  /** Echoed by the room, and found in its stored log. */
  accepted: number;
  stored: number;
  rateLimited: number;
  /** The most the bucket can have let through in the time the flood took: burst + perSecond × span + 1. */
  bound: number;
  /** From the first say sent to the last answer received, ms. */
  spanMs: number;
  burst: number;
  perSecond: number;
}

/** One flooding client. */
export class Flooder {
  readonly client: ResumingClient;
  /** Says it was asked to send, and sent. */
  planned = 0;
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
    this.planned += total;
    const started = performance.now();
    let sent = 0;
    while (sent < total && performance.now() - started < durationMs + 1_000) {
      const due = Math.min(total, Math.floor(((performance.now() - started) * perSecond) / 1000) + 1);
      while (sent < due) {
        const id = `flood-${this.sent}`;
        this.firstSentAt ??= performance.now();
        if (!this.client.say({ type: "say", id, text: `flood ${this.sent}` })) return;
        this.sent++;
        sent++;
      }
      await sleep(5);
    }
  }

  /** How the room answered, with `stored` (its messages in the room's log) against the bucket's bound. */
  outcome(stored: number): FlooderOutcome {
    const { burst, perSecond } = this.client.limits ?? { burst: 0, perSecond: 0 };
    // The bucket starts full at the first say the room handles and refills until the last: both lie
    // between our first send and our last answer, so this span bounds what it could let through.
    const spanMs = (this.lastAnswerAt ?? 0) - (this.firstSentAt ?? 0);
    const bound = Math.floor(burst + (perSecond * spanMs) / 1000) + 1;
    return { planned: this.planned, sent: this.sent, accepted: this.accepted, stored, rateLimited: this.rateLimited, bound, spanMs: Math.round(spanMs), burst, perSecond };
  }

  /** What breaks the flooder's rules in `outcome`, as readable lines. */
  violations(outcome: FlooderOutcome): string[] {
    const violations: string[] = [];
    if (outcome.sent !== outcome.planned) violations.push(`the flooder could send only ${outcome.sent} of ${outcome.planned} says`);
    if (outcome.rateLimited === 0) violations.push("the flooder was never rate_limited");
    if (this.badRetryAfter > 0) violations.push(`${this.badRetryAfter} rate_limited errors without a positive retryAfterMs`);
    if (this.otherErrors > 0) violations.push(`the flooder got ${this.otherErrors} errors other than rate_limited`);
    if (outcome.stored > outcome.bound) violations.push(`the flooder has ${outcome.stored} messages stored, over the bound of ${outcome.bound}`);
    if (outcome.stored < outcome.burst) violations.push(`the flooder has ${outcome.stored} messages stored, fewer than its burst of ${outcome.burst}`);
    if (outcome.stored !== outcome.accepted) violations.push(`the flooder saw ${outcome.accepted} echoes but ${outcome.stored} are stored`);
    if (outcome.accepted + outcome.rateLimited !== outcome.sent) violations.push(`the flooder sent ${outcome.sent} but got ${outcome.accepted} echoes and ${outcome.rateLimited} rate_limited`);
    return violations;
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

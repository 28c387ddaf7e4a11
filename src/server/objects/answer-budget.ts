/**
 * Each socket's budget of answers that no bucket charges: `error` frames (but `rate_limited`,
 * which is the bucket's own answer, and `internal`, which is the room's fault) and the stored
 * event sent back for a resent client id. Such answers cost the room a frame, or a whole stored
 * message, for a frame of a few bytes: a client that keeps asking for them is closed with 1008
 * (policy violation) once it passes the budget, and may reconnect. The budget is a token bucket
 * of 100 refilled at 10 a second, so any client that stays within 100 such answers in any 10 s
 * gets every one of them, as before (a bucket of B refilled at B/W admits every sequence with at
 * most B in any window of W). It lives in memory with the object that holds the socket, the
 * Room or a shard, whoever judged the frame: an eviction forgives it.
 */
import { fullBucket, takeToken, type Bucket } from "../core/rate-limit.ts";

/** Answers a socket may get at once, and how many come back per second. */
export const ANSWER_BUDGET = { burst: 100, perSecond: 10 } as const;

/** The budgets of one object's sockets. */
export class AnswerBudgets<S extends object> {
  readonly #buckets = new WeakMap<S, Bucket>();

  /** Spends one answer of `socket` at `now`; false when its budget is spent (then nothing is spent). */
  spend(socket: S, now: number): boolean {
    const bucket = this.#buckets.get(socket) ?? fullBucket(ANSWER_BUDGET.burst, now);
    const take = takeToken(bucket, now, ANSWER_BUDGET.burst, ANSWER_BUDGET.perSecond);
    if (!take.ok) return false;
    this.#buckets.set(socket, take.bucket);
    return true;
  }
}

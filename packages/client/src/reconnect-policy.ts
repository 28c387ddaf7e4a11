/**
 * When the transport tries again, and how it decides a connection is dead: named defaults and the
 * one formula, exponential backoff with full jitter (a random delay between 0 and a growing cap,
 * so that a room's clients do not all come back in the same instant after a deploy).
 */
import { TIMINGS } from "@edge-chat/protocol";

/** How the transport retries and watches a connection. */
export const RECONNECT_DEFAULTS = {
  /** Cap of the first retry's delay; each failed attempt multiplies the cap by `growth`. */
  minDelayMs: 500,
  growth: 2,
  /** Largest cap: a long outage is retried at least this often (on average half of it). */
  maxDelayMs: 10_000,
  /** An attempt that has not reached `welcome` by then is abandoned. */
  connectTimeoutMs: 10_000,
  /** How often to send the heartbeat `ping` (the protocol asks for 25–30 s). */
  pingIntervalMs: TIMINGS.pingIntervalMs,
  /** This many unanswered pings in a row mean the connection is dead. */
  maxMissedPongs: 2,
  /** An action the room has not answered by then means the connection is stuck: reconnect (the resend is deduped). */
  answerTimeoutMs: 20_000,
};

/** The policy in force: the defaults, with any overrides. */
export type ReconnectPolicy = typeof RECONNECT_DEFAULTS;

/** The delay before retry number `attempt` (0 for the first): anywhere in [0, cap), the cap doubling per attempt. */
export function backoffDelay(attempt: number, policy: ReconnectPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.minDelayMs * policy.growth ** attempt);
  return Math.floor(random() * cap);
}

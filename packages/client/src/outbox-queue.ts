/**
 * The transport's outbox: every stored-event frame the page sent (`say`, `edit`, `delete`,
 * `react`) stays here until the room answers it, and is resent after every reconnect (the room
 * dedupes by client id, so resending is safe).
 *
 * At most one action is in flight: the next goes out when the previous one is answered. That is
 * what keeps the order the person typed in. If several were in flight and the room refused one
 * as `rate_limited`, a later one could reach the room after a token refilled and be stored ahead
 * of it, and a stored event cannot be taken back; the room never says how full its bucket is (and
 * a user's other tabs share it), so no larger window is safe. The cost is one round trip per
 * queued action, and only when several are queued at once (a burst, or a resend after a reconnect).
 *
 * A `rate_limited` action stays first in the queue: sending pauses for `retryAfterMs`, then goes
 * on with it. An action left unanswered for `answerTimeoutMs` on an open connection means the
 * connection is stuck; the transport reconnects and everything is resent.
 * No socket here: the transport says when it can send.
 */
import type { PendingAction } from "./pending.ts";

/** What the queue needs from its transport. */
export interface OutboxHooks {
  /** Sends one action now (the transport is welcomed). */
  send(action: PendingAction): void;
  /** True while a welcomed connection is open. */
  ready(): boolean;
  /** The queue changed: an action was added or answered, or the hold began or ended. */
  changed(): void;
  /** The action in flight got no answer within `answerTimeoutMs`. */
  stalled(): void;
}

type Timer = ReturnType<typeof setTimeout>;

/** The pending actions, oldest first, sent one at a time, with the rate-limit hold. */
export class OutboxQueue {
  readonly #hooks: OutboxHooks;
  readonly #answerTimeoutMs: number;
  #items: PendingAction[];
  /** Set after a `rate_limited` action: nothing is sent until then. */
  #holdUntil = 0;
  #holdTimer: Timer | undefined;
  /** The action sent whose answer we wait for. */
  #inFlight: string | undefined;
  #answerTimer: Timer | undefined;

  constructor(items: readonly PendingAction[], hooks: OutboxHooks, answerTimeoutMs: number) {
    this.#items = [...items];
    this.#hooks = hooks;
    this.#answerTimeoutMs = answerTimeoutMs;
  }

  /** The actions not answered yet, oldest first. */
  get items(): readonly PendingAction[] {
    return this.#items;
  }

  /** While the room's bucket refills: when sending goes on (ms since epoch). */
  get heldUntil(): number | undefined {
    return this.#held() ? this.#holdUntil : undefined;
  }

  /** True when the action with this client id is waiting for its answer. */
  has(id: string): boolean {
    return this.#items.some((a) => a.id === id);
  }

  /** Queues an action; it goes out now if it is the only one and the queue is connected and not held. */
  add(action: PendingAction): void {
    this.#items.push(action);
    this.#hooks.changed();
    this.#sendNext();
  }

  /** The room answered an action (its event, or a refusal): it leaves the queue; returns it. */
  answered(id: string): PendingAction | undefined {
    const index = this.#items.findIndex((a) => a.id === id);
    if (index < 0) return undefined;
    const [action] = this.#items.splice(index, 1);
    if (this.#inFlight === id) this.#landed();
    this.#hooks.changed();
    this.#sendNext();
    return action;
  }

  /** The room's bucket is empty: keep the action and send nothing until `retryAfterMs` has passed. */
  hold(id: string, retryAfterMs: number): void {
    if (this.#inFlight === id) this.#landed();
    const until = Date.now() + retryAfterMs;
    if (until <= this.#holdUntil) return;
    this.#holdUntil = until;
    clearTimeout(this.#holdTimer);
    this.#holdTimer = setTimeout(() => {
      this.#holdUntil = 0;
      this.#hooks.changed();
      this.#sendNext();
    }, retryAfterMs);
    this.#hooks.changed();
  }

  /** A welcome arrived: send the oldest action waiting. */
  flush(): void {
    this.#sendNext();
  }

  /** The connection is gone: whatever was in flight goes again after the next welcome. */
  disconnected(): void {
    this.#landed();
  }

  #held(): boolean {
    return this.#holdUntil > Date.now();
  }

  /** Nothing is in flight any more (answered, refused, or its connection is gone). */
  #landed(): void {
    this.#inFlight = undefined;
    clearTimeout(this.#answerTimer);
  }

  #sendNext(): void {
    const next = this.#items[0];
    if (!next || this.#inFlight !== undefined || this.#held() || !this.#hooks.ready()) return;
    this.#inFlight = next.id;
    this.#answerTimer = setTimeout(() => this.#hooks.stalled(), this.#answerTimeoutMs);
    this.#hooks.send(next);
  }
}

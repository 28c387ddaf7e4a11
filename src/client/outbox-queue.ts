/**
 * The transport's outbox: every stored-event frame the page sent (`say`, `edit`, `delete`,
 * `react`) stays here until the room answers it, and is resent after every reconnect (the room
 * dedupes by client id, so resending is safe). One the room refuses as `rate_limited` stays
 * queued: sending pauses for `retryAfterMs`, then the queue goes out one action at a time (each
 * after the previous one's answer), so it keeps its order and the room is not asked again for
 * what its bucket cannot take. No socket here: the transport says when it can send.
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
}

type Timer = ReturnType<typeof setTimeout>;

/** The pending actions, oldest first, with the rate-limit hold and pacing. */
export class OutboxQueue {
  readonly #hooks: OutboxHooks;
  #items: PendingAction[];
  /** Set after a `rate_limited` action: nothing is sent until then. */
  #holdUntil = 0;
  #holdTimer: Timer | undefined;
  /** After a `rate_limited` action, until the queue is empty: one action in flight at a time. */
  #paced = false;
  /** The action sent in paced mode whose answer we wait for. */
  #inFlight: string | undefined;

  constructor(items: readonly PendingAction[], hooks: OutboxHooks) {
    this.#items = [...items];
    this.#hooks = hooks;
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

  /** Queues an action; it goes out now unless the queue is held, paced or disconnected. */
  add(action: PendingAction): void {
    this.#items.push(action);
    this.#hooks.changed();
    if (this.#hooks.ready() && !this.#paced && !this.#held()) this.#hooks.send(action);
  }

  /** The room answered an action (its event, or a refusal): it leaves the queue; returns it. */
  answered(id: string): PendingAction | undefined {
    const index = this.#items.findIndex((a) => a.id === id);
    if (index < 0) return undefined;
    const [action] = this.#items.splice(index, 1);
    this.#hooks.changed();
    if (this.#paced && this.#inFlight === id) {
      this.#inFlight = undefined;
      if (this.#hooks.ready() && !this.#held()) this.#sendNextPaced();
    }
    return action;
  }

  /** The room's bucket is empty: keep the action, pause all sending, then go on one at a time. */
  hold(id: string, retryAfterMs: number): void {
    this.#paced = true;
    if (this.#inFlight === id) this.#inFlight = undefined;
    const until = Date.now() + retryAfterMs;
    if (until <= this.#holdUntil) return;
    this.#holdUntil = until;
    clearTimeout(this.#holdTimer);
    this.#holdTimer = setTimeout(() => {
      this.#holdUntil = 0;
      this.#hooks.changed();
      if (this.#hooks.ready()) this.#sendNextPaced();
    }, retryAfterMs);
    this.#hooks.changed();
  }

  /** A welcome arrived: send everything waiting (or, while paced, the next one). */
  flush(): void {
    if (this.#held()) return;
    if (this.#paced) return this.#sendNextPaced();
    for (const action of this.#items) this.#hooks.send(action);
  }

  /** The connection is gone: whatever was in flight goes again after the next welcome. */
  disconnected(): void {
    this.#inFlight = undefined;
  }

  #held(): boolean {
    return this.#holdUntil > Date.now();
  }

  #sendNextPaced(): void {
    const next = this.#items[0];
    if (!next) {
      this.#paced = false;
      return;
    }
    if (this.#inFlight !== undefined) return;
    this.#inFlight = next.id;
    this.#hooks.send(next);
  }
}

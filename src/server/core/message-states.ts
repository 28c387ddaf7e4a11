/**
 * What the room's rules need to know about a message (who sent it, to whom, whether it is
 * deleted, its text and its reactions), including the changes queued for the next group commit
 * that are not in SQLite yet. Recent messages stay cached; any other is read from the log when a
 * frame names it. After a failed commit the cache is dropped and read afresh.
 */
import type { User } from "@edge-chat/protocol";
import { KIND, type EventLog } from "../storage/event-log.ts";
import { userObject, type IsBot } from "./user-objects.ts";

/** A message as the rules see it. */
export interface MessageState {
  seq: number;
  from: User;
  to?: User;
  deleted: boolean;
  text: string;
  /** Reaction counts by emoji, in the order each emoji was first added. */
  reactions: Map<string, number>;
  /** Whose reactions are known (`emoji\nuser` → on or off), read from storage when first asked. */
  reacted: Map<string, boolean>;
}

/** How many clean entries the cache keeps. */
const CACHE_SIZE = 1_000;

/** The rules' view of messages, queued changes applied. */
export class MessageStates {
  readonly #log: EventLog;
  readonly #cache = new Map<number, MessageState>();
  /** Entries with queued changes, not yet in SQLite: never evicted until the commit. */
  readonly #dirty = new Set<number>();

  readonly #isBot: IsBot;

  constructor(log: EventLog, isBot: IsBot) {
    this.#log = log;
    this.#isBot = isBot;
  }

  /** What the cache holds: its entries and its marks of queued changes (it must stay bounded). */
  get size(): number {
    return this.#cache.size + this.#dirty.size;
  }

  /** The message under `seq`, or undefined when there is none (or it is another kind of event). */
  get(seq: number): MessageState | undefined {
    const cached = this.#cache.get(seq);
    if (cached) return cached;
    const row = this.#log.row(seq);
    if (!row || row.kind !== KIND.say) return undefined;
    const state: MessageState = {
      seq,
      from: userObject(row.user_id, row.name, this.#isBot),
      deleted: row.deleted === 1,
      text: row.text ?? "",
      reactions: new Map(),
      reacted: new Map(),
    };
    if (row.to_id !== null) state.to = userObject(row.to_id, row.to_name ?? "", this.#isBot);
    for (const r of this.#log.reactionCounts(seq, seq)) state.reactions.set(r.emoji, r.count);
    this.#remember(state);
    return state;
  }

  /** True when the user's reaction `emoji` is on the message, queued changes included. */
  hasReacted(state: MessageState, emoji: string, userId: string): boolean {
    const key = `${emoji}\n${userId}`;
    let known = state.reacted.get(key);
    if (known === undefined) state.reacted.set(key, (known = this.#log.hasReaction(state.seq, userId, emoji)));
    return known;
  }

  /** A message queued for the next commit. */
  added(state: MessageState): void {
    // Marked first: the eviction that remembering may run must never drop a queued message.
    this.#dirty.add(state.seq);
    this.#remember(state);
  }

  /** A queued change to a message: marks it so that it stays until the commit. */
  changed(seq: number): void {
    this.#dirty.add(seq);
  }

  /** The queued changes are in SQLite now. */
  committed(): void {
    this.#dirty.clear();
    this.#evict();
  }

  /** The queued changes were lost: forget everything, SQLite is the truth. */
  reset(): void {
    this.#cache.clear();
    this.#dirty.clear();
  }

  #remember(state: MessageState): void {
    this.#cache.delete(state.seq);
    this.#cache.set(state.seq, state);
    this.#evict();
  }

  #evict(): void {
    if (this.#cache.size <= CACHE_SIZE) return;
    for (const seq of this.#cache.keys()) {
      if (this.#cache.size <= CACHE_SIZE) break;
      if (!this.#dirty.has(seq)) this.#cache.delete(seq);
    }
  }
}

/** True when `viewer` may see the message: it is public, or theirs, or to them. */
export function canSee(message: MessageState, viewer: string): boolean {
  return !message.to || message.from.id === viewer || message.to.id === viewer;
}

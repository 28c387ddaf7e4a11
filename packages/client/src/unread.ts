/**
 * My unread count (protocol v3), kept live between welcomes: the welcome's `unread` (messages
 * above my read position that I may see, not mine, not deleted), plus each message of someone else
 * that arrives above the position, minus each such message deleted, and counted again from the
 * held messages when the position moves (here or on another device) and they cover everything
 * above it. So two devices of one user agree once either reads.
 */
import type { MessageFrame } from "@edge-chat/protocol";

/** Messages held, ascending (the store's list). */
export type Held = readonly MessageFrame[];

/** The live unread count of one room. */
export class UnreadCount {
  #count = 0;

  /** The count (a welcome says at most 1,000). */
  get count(): number {
    return this.#count;
  }

  /** A welcome's count. */
  welcome(unread: number): void {
    this.#count = unread;
  }

  /** A new message: counted when it is someone else's and above my position. */
  arrived(message: MessageFrame, selfId: string, read: number): void {
    if (counts(message, selfId, read)) this.#count++;
  }

  /** A message is being deleted (`before`: as it stood): it no longer counts. */
  deleting(before: MessageFrame | undefined, selfId: string, read: number): void {
    if (before && counts(before, selfId, read)) this.#count = Math.max(0, this.#count - 1);
  }

  /** My position moved to `read`: counted from the held messages when they reach down to it, else less what they show read. */
  moved(read: number, previous: number, held: Held, selfId: string): void {
    const oldest = held[0]?.seq;
    if (oldest !== undefined && oldest <= read + 1) {
      this.#count = held.filter((m) => counts(m, selfId, read)).length;
      return;
    }
    const nowRead = held.filter((m) => m.seq > previous && m.seq <= read && counts(m, selfId, previous)).length;
    this.#count = Math.max(0, this.#count - nowRead);
  }
}

function counts(message: MessageFrame, selfId: string, read: number): boolean {
  return message.seq > read && message.from.id !== selfId && message.deleted !== true;
}

/**
 * The messages a room object holds, in seq order, each in its current state: a welcome's page,
 * live messages, pages of history asked for, with every edit, delete and reaction folded in as the
 * room folds them (message-fold.ts), reply quotes included. At most `max` are kept: past it, the
 * oldest go.
 */
import type { DeleteEventFrame, EditEventFrame, MessageFrame, ReactEventFrame } from "@edge-chat/protocol";
import { foldDelete, foldEdit, foldQuote, foldReact } from "./message-fold.ts";

/** The held messages. */
export class MessageStore {
  readonly #max: number;
  /** Ascending seq. */
  #list: MessageFrame[] = [];
  readonly #bySeq = new Map<number, MessageFrame>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The messages, ascending seq (a new array after every change, so a copy taken stays as it was). */
  get list(): readonly MessageFrame[] {
    return this.#list;
  }

  /** A held message by seq. */
  get(seq: number): MessageFrame | undefined {
    return this.#bySeq.get(seq);
  }

  /** Replaces everything (a welcome that did not resume). */
  reset(messages: readonly MessageFrame[]): void {
    this.#bySeq.clear();
    this.#list = [];
    this.add(messages);
  }

  /** Adds messages at their seq's place (live ones, or a page of history); a seq held already is kept as it is. Returns those added. */
  add(messages: readonly MessageFrame[]): MessageFrame[] {
    const added = messages.filter((m) => !this.#bySeq.has(m.seq));
    if (added.length === 0) return added;
    for (const message of added) this.#bySeq.set(message.seq, message);
    const list = [...this.#list, ...added];
    // Live messages come in order: sort only when one lands before the end.
    const sorted = list.every((m, i) => i === 0 || list[i - 1]!.seq < m.seq);
    if (!sorted) list.sort((a, b) => a.seq - b.seq);
    this.#list = list;
    this.#trim();
    return added;
  }

  /** Folds a change into its message and into the quotes of replies to it; false when its message is not held. */
  apply(change: EditEventFrame | DeleteEventFrame | ReactEventFrame, selfId: string): boolean {
    const held = this.#bySeq.has(change.target);
    this.#list = this.#list.map((message) => {
      let next = message;
      if (message.seq === change.target) {
        next = change.type === "edit" ? foldEdit(message, change) : change.type === "delete" ? foldDelete(message, change) : foldReact(message, change, selfId);
      } else if (change.type !== "react" && message.replyTo?.seq === change.target) {
        next = foldQuote(message, change);
      }
      if (next !== message) this.#bySeq.set(next.seq, next);
      return next;
    });
    return held;
  }

  #trim(): void {
    const excess = this.#list.length - this.#max;
    if (excess <= 0) return;
    for (const gone of this.#list.slice(0, excess)) this.#bySeq.delete(gone.seq);
    this.#list = this.#list.slice(excess);
  }
}

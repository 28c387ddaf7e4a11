/**
 * The conversation: messages in seq order (each seq shown once) in their current state (edits,
 * deletes and reactions folded in as they arrive, the person's own pending changes laid over
 * them), quiet system lines, own messages still pending below them, scrollback at the top, a
 * "new messages" button at the bottom, and jumping to the message a reply quotes.
 */
import type { DeleteEventFrame, EditEventFrame, MessageFrame, ReactEventFrame } from "@edge-chat/protocol";
import { foldDelete, foldEdit, foldQuote, foldReact, overlay, privatePartner, type PendingChange, type PendingSay } from "@edge-chat/client";
import { el } from "./dom.ts";
import { messageRow, pendingRow, systemRow, updateGrouping, type RowContext } from "./message-row.ts";

/** Closer than this to the bottom counts as "at the bottom" (new messages scroll into view). */
const BOTTOM_SLACK_PX = 80;
/** Closer than this to the top asks for older messages. */
const TOP_SLACK_PX = 120;

/** The elements the list works with. */
export interface MessageListElements {
  scroller: HTMLElement;
  list: HTMLOListElement;
  pending: HTMLOListElement;
  loadOlder: HTMLButtonElement;
  historyStart: HTMLElement;
  jump: HTMLButtonElement;
}

/** The conversation view. */
export class MessageList {
  readonly #el: MessageListElements;
  readonly #rows = new Map<number, HTMLLIElement>();
  readonly #states = new Map<number, MessageFrame>();
  /** Replies by the seq they quote, so an edit or delete of a message updates its quotes. */
  readonly #replies = new Map<number, Set<number>>();
  readonly #onNeedOlder: () => void;
  readonly #onNotFound: () => void;
  #ctx: RowContext;
  #pending: readonly PendingChange[] = [];
  /** A quoted message being looked for in older pages. */
  #seeking: number | undefined;
  /** Older pages being loaded until the held messages reach back to `seq`, then `then` runs. */
  #revealing: { seq: number; then: () => void } | undefined;
  #hasOlder = false;
  #loadingOlder = false;
  /** A refused page's second try, once the room's bucket has a token again. */
  #retryOlder: ReturnType<typeof setTimeout> | undefined;
  #unseen = 0;
  /** Who reacted with what, per message, from the live `react` events seen (by user id). */
  readonly #reactors = new Map<number, Map<string, Map<string, string>>>();
  /** Whose conversation is shown: a partner's id, or "" for the room (rows carry theirs as `data-pair`). */
  #view = "";
  #wasAtBottom = true;

  constructor(elements: MessageListElements, ctx: RowContext, onNeedOlder: () => void, onNotFound: () => void) {
    this.#el = elements;
    this.#ctx = ctx;
    this.#onNeedOlder = onNeedOlder;
    this.#onNotFound = onNotFound;
    elements.scroller.addEventListener("scroll", () => this.#scrolled(), { passive: true });
    elements.jump.addEventListener("click", () => this.scrollToBottom());
    elements.loadOlder.addEventListener("click", () => this.#askOlder());
    // When the footer grows (an error line, a taller box, a panel) the list shrinks from below:
    // keep the newest message, and a failed one's Retry, in view.
    new ResizeObserver(() => {
      if (this.#wasAtBottom) this.scrollToBottom();
    }).observe(elements.scroller);
  }

  /** Shows one timeline: the room's ("") or the private conversation with a partner (their id). */
  setView(pair: string): void {
    this.#view = pair;
    for (const row of this.#el.list.children) this.#place(row as HTMLElement);
    for (const row of this.#el.pending.children) this.#place(row as HTMLElement);
    this.scrollToBottom();
    this.#fillViewport();
  }

  /** Shows a row only in its own timeline. */
  #place(row: HTMLElement): void {
    row.hidden = (row.dataset.pair ?? "") !== this.#view;
  }

  /** The timeline a message belongs to: its private partner's id, or "" for the room. */
  #pairOf(message: MessageFrame): string {
    return privatePartner(message, this.#ctx.me.id)?.id ?? "";
  }

  /** True when the newest messages are in view (the reader sees what arrives). */
  get atBottom(): boolean {
    return this.#atBottom();
  }

  /** The oldest seq shown (where scrollback continues from). */
  get oldestSeq(): number | undefined {
    const first = this.#el.list.querySelector<HTMLElement>("li[data-seq]");
    return first ? Number(first.dataset.seq) : undefined;
  }

  /** Who is reading and what they may do changed (a welcome, a rename, a grant): draw every row again. */
  setContext(ctx: RowContext): void {
    this.#ctx = ctx;
    for (const seq of this.#rows.keys()) this.#redraw(seq);
  }

  /** Every message loaded, in its current state. */
  loaded(): MessageFrame[] {
    return [...this.#states.values()];
  }

  /** A message as shown now (its current state), if it is loaded. */
  get(seq: number): MessageFrame | undefined {
    return this.#states.get(seq);
  }

  /** The newest own message that can still be edited (for ↑ in an empty composer). */
  lastOwn(): MessageFrame | undefined {
    const seqs = [...this.#states.keys()].sort((a, b) => b - a);
    for (const seq of seqs) {
      const message = this.#states.get(seq)!;
      if (message.from.id === this.#ctx.me.id && !message.deleted && this.#pairOf(message) === this.#view) return message;
    }
    return undefined;
  }

  /** Replaces everything with a fresh page (a first welcome, or one that did not resume). */
  reset(messages: MessageFrame[]): void {
    this.#el.list.replaceChildren();
    this.#rows.clear();
    this.#states.clear();
    this.#replies.clear();
    this.#loadingOlder = false;
    clearTimeout(this.#retryOlder);
    this.#seeking = undefined;
    this.#revealing = undefined;
    for (const message of messages) this.#insert(message);
    this.#setHasOlder((this.oldestSeq ?? 0) > 1);
    this.scrollToBottom();
    this.#fillViewport();
  }

  /** Adds live messages; returns those that were new (not shown before). */
  add(messages: MessageFrame[]): MessageFrame[] {
    const atBottom = this.#atBottom();
    const added = messages.filter((m) => this.#insert(m));
    const shown = added.filter((m) => this.#pairOf(m) === this.#view);
    if (shown.length === 0) return added;
    if (atBottom || shown.some((m) => m.from.id === this.#ctx.me.id)) this.scrollToBottom();
    else this.#countUnseen(shown.length);
    return added;
  }

  /** Adds a page of older messages above the others, keeping what the reader looks at in place. */
  prepend(messages: MessageFrame[], hasMore: boolean): void {
    const scroller = this.#el.scroller;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    for (const message of messages) this.#insert(message);
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
    this.#loadingOlder = false;
    this.#setHasOlder(hasMore);
    if (this.#revealing !== undefined) {
      const { seq, then } = this.#revealing;
      this.#revealing = undefined;
      return this.reveal(seq, then);
    }
    if (this.#seeking !== undefined) return this.jumpTo(this.#seeking);
    this.#fillViewport();
  }

  /** Folds a change event into the message it is about (one not loaded will come in its current state) and into its quotes. */
  apply(event: EditEventFrame | DeleteEventFrame | ReactEventFrame): void {
    if (event.type === "react" && event.user.id !== this.#ctx.me.id) this.#noteReactor(event);
    const message = this.#states.get(event.target);
    if (message) {
      const next =
        event.type === "edit" ? foldEdit(message, event) : event.type === "delete" ? foldDelete(message, event) : foldReact(message, event, this.#ctx.me.id);
      this.#states.set(event.target, next);
      this.#redraw(event.target);
    }
    if (event.type === "react") return;
    // Quotes follow their message even when it is not loaded (a reply can quote one older than the page holds).
    for (const reply of this.#replies.get(event.target) ?? []) {
      this.#states.set(reply, foldQuote(this.#states.get(reply)!, event));
      this.#redraw(reply);
    }
  }

  /** Who reacted to `seq` with `emoji`, as far as this page saw. */
  reactors(seq: number, emoji: string): string[] {
    return [...(this.#reactors.get(seq)?.get(emoji)?.values() ?? [])];
  }

  #noteReactor(event: ReactEventFrame): void {
    let byEmoji = this.#reactors.get(event.target);
    if (!byEmoji) this.#reactors.set(event.target, (byEmoji = new Map()));
    let users = byEmoji.get(event.emoji);
    if (!users) byEmoji.set(event.emoji, (users = new Map()));
    if (event.on) users.set(event.user.id, event.user.name);
    else users.delete(event.user.id);
  }

  /** Shows the person's edits, deletes and reactions not answered yet on the messages they are about. */
  showChanges(pending: readonly PendingChange[]): void {
    const touched = new Set([...this.#pending, ...pending].map((c) => c.target));
    this.#pending = pending;
    for (const seq of touched) this.#redraw(seq);
  }

  /** Scrolls to message `seq` and focuses it, loading older pages until it is there. */
  jumpTo(seq: number): void {
    const row = this.#rows.get(seq);
    if (row) {
      this.#seeking = undefined;
      row.scrollIntoView({ block: "center" });
      row.classList.remove("flash");
      void row.offsetWidth; // restarts the highlight's animation
      row.classList.add("flash");
      row.focus({ preventScroll: true });
      return;
    }
    const oldest = this.oldestSeq;
    if (!this.#hasOlder || (oldest !== undefined && seq > oldest)) {
      this.#seeking = undefined;
      return this.#onNotFound();
    }
    this.#seeking = seq;
    this.#askOlder();
  }

  /** Loads older pages until the messages held reach back to `seq` (or the room's start), then calls `then`. */
  reveal(seq: number, then: () => void): void {
    const oldest = this.oldestSeq;
    if (!this.#hasOlder || (oldest !== undefined && oldest <= seq)) return then();
    this.#revealing = { seq, then };
    this.#askOlder();
  }

  /** A rename or moderation line, from text and `isolate()`d names (the room's timeline). */
  addSystem(...parts: (Node | string)[]): void {
    this.appendRow(systemRow(parts));
  }

  /** Appends a row of the room's timeline (a system line). */
  appendRow(row: HTMLElement): void {
    const atBottom = this.#atBottom();
    row.dataset.pair = "";
    this.#place(row);
    this.#el.list.append(row);
    if (atBottom) this.scrollToBottom();
  }

  /** True when `row` is the last row of the list (a burst line still open). */
  isLast(row: HTMLElement): boolean {
    return this.#el.list.lastElementChild === row;
  }

  /** Shows the outbox: own messages not delivered yet, with a state such as "Sending…". */
  showPending(pending: readonly PendingSay[], state: string): void {
    const atBottom = this.#atBottom();
    const failed = [...this.#el.pending.querySelectorAll<HTMLLIElement>("li.failed")];
    const existing = new Map<string, HTMLLIElement>();
    for (const row of this.#el.pending.querySelectorAll<HTMLLIElement>("li[data-id]:not(.failed)")) existing.set(row.dataset.id!, row);
    const rows = pending.map((say) => existing.get(say.id) ?? pendingRow(say, this.#ctx.me));
    for (const row of rows) {
      row.querySelector(".state")!.textContent = state;
      this.#place(row);
    }
    this.#el.pending.replaceChildren(...failed, ...rows);
    if (atBottom || rows.some((row) => !existing.has(row.dataset.id!))) this.scrollToBottom();
  }

  /** Keeps a refused message in view, marked, with buttons to send it again or let it go. */
  showFailed(say: PendingSay, reason: string, retry: () => void): void {
    const row = pendingRow(say, this.#ctx.me);
    row.classList.add("failed");
    row.querySelector(".state")!.textContent = reason;
    const again = el("button", { class: "button small", attrs: { type: "button" } }, "Retry");
    const remove = el("button", { class: "button small", attrs: { type: "button" } }, "Remove");
    again.addEventListener("click", () => {
      row.remove();
      retry();
    });
    remove.addEventListener("click", () => row.remove());
    row.querySelector(".bubble")!.append(el("div", { class: "failed-actions" }, again, remove));
    this.#place(row);
    const firstPending = this.#el.pending.querySelector("li:not(.failed)");
    this.#el.pending.insertBefore(row, firstPending);
    this.scrollToBottom();
  }

  /** Scrolls to the newest message and clears the "new messages" count. */
  scrollToBottom(): void {
    const scroller = this.#el.scroller;
    scroller.scrollTop = scroller.scrollHeight;
    this.#wasAtBottom = true;
    this.#unseen = 0;
    this.#el.jump.hidden = true;
  }

  /** Draws one message again in place (its state, the pending changes or the context changed). */
  #redraw(seq: number): void {
    const old = this.#rows.get(seq);
    const message = this.#states.get(seq);
    if (!old || !message) return;
    const focused = old.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
    const row = messageRow(overlay(message, this.#pending), this.#ctx);
    this.#place(row);
    old.replaceWith(row);
    this.#rows.set(seq, row);
    updateGrouping(row);
    updateGrouping(row.nextElementSibling);
    if (focused) sameControl(row, focused).focus({ preventScroll: true });
  }

  /** Inserts a message at its seq's place; false when that seq is already shown. */
  #insert(message: MessageFrame): boolean {
    if (this.#rows.has(message.seq)) return false;
    this.#states.set(message.seq, message);
    if (message.replyTo) {
      let replies = this.#replies.get(message.replyTo.seq);
      if (!replies) this.#replies.set(message.replyTo.seq, (replies = new Set()));
      replies.add(message.seq);
    }
    const row = messageRow(overlay(message, this.#pending), this.#ctx);
    this.#place(row);
    let next: HTMLLIElement | undefined;
    // Live messages nearly always go last; only history and rare reorders walk the list.
    const last = this.#lastMessageRow();
    if (last && Number(last.dataset.seq) > message.seq) {
      for (const candidate of this.#el.list.querySelectorAll<HTMLLIElement>("li[data-seq]")) {
        if (Number(candidate.dataset.seq) > message.seq) {
          next = candidate;
          break;
        }
      }
    }
    this.#el.list.insertBefore(row, next ?? null);
    this.#rows.set(message.seq, row);
    updateGrouping(row);
    updateGrouping(row.nextElementSibling);
    return true;
  }

  #lastMessageRow(): HTMLLIElement | undefined {
    const rows = this.#el.list.querySelectorAll<HTMLLIElement>("li[data-seq]");
    return rows[rows.length - 1];
  }

  #atBottom(): boolean {
    const s = this.#el.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK_PX;
  }

  #countUnseen(count: number): void {
    this.#unseen += count;
    this.#el.jump.textContent = `↓ ${this.#unseen} new message${this.#unseen === 1 ? "" : "s"}`;
    this.#el.jump.hidden = false;
  }

  #scrolled(): void {
    this.#wasAtBottom = this.#atBottom();
    if (this.#atBottom() && this.#unseen > 0) {
      this.#unseen = 0;
      this.#el.jump.hidden = true;
    }
    if (this.#el.scroller.scrollTop <= TOP_SLACK_PX) this.#askOlder();
  }

  #askOlder(): void {
    if (!this.#hasOlder || this.#loadingOlder) return;
    this.#loadingOlder = true;
    this.#el.loadOlder.textContent = "Loading…";
    this.#onNeedOlder();
  }

  /** The request for older messages could not be sent (offline): allow asking again later; a jump waiting for it is dropped. */
  olderFailed(): void {
    this.#loadingOlder = false;
    this.#seeking = undefined;
    this.#revealing = undefined;
    this.#el.loadOlder.textContent = "Load earlier messages";
  }

  /**
   * The room refused a request as too fast (a refusal without `ref` cannot say which request it
   * was). If a page was being loaded, ask again once the bucket has a token: a reader already at
   * the top makes no further scroll event, and a jump to a quoted message would stop half-way.
   */
  olderLimited(retryAfterMs: number): void {
    if (!this.#loadingOlder) return;
    this.#loadingOlder = false;
    this.#el.loadOlder.textContent = "Load earlier messages";
    clearTimeout(this.#retryOlder);
    this.#retryOlder = setTimeout(() => {
      if (this.#seeking !== undefined) return this.jumpTo(this.#seeking);
      if (this.#revealing !== undefined) return this.#askOlder();
      if (this.#el.scroller.scrollTop <= TOP_SLACK_PX) this.#askOlder();
      else this.#fillViewport();
    }, retryAfterMs);
  }

  #setHasOlder(hasOlder: boolean): void {
    this.#hasOlder = hasOlder;
    this.#el.loadOlder.hidden = !hasOlder;
    this.#el.loadOlder.textContent = "Load earlier messages";
    this.#el.historyStart.hidden = hasOlder;
  }

  /** When the messages do not fill the view there is nothing to scroll: load older ones at once. */
  #fillViewport(): void {
    const s = this.#el.scroller;
    // A private conversation may be a few messages among thousands: never page through them all by itself.
    if (this.#view === "" && this.#hasOlder && s.scrollHeight <= s.clientHeight + TOP_SLACK_PX) this.#askOlder();
  }
}

/** In a redrawn row, the control that stands where `old` stood (the same chip or action), or the row. */
function sameControl(row: HTMLElement, old: HTMLElement): HTMLElement {
  // A chip is the same by its emoji (its count changes), an action by its label.
  const key = (c: HTMLElement) => c.querySelector(".emoji")?.textContent ?? c.textContent;
  for (const selector of [".reaction", ".actions button", ".quote"]) {
    if (!old.matches(selector)) continue;
    const match = [...row.querySelectorAll<HTMLElement>(selector)].find((c) => key(c) === key(old));
    if (match) return match;
  }
  return row;
}

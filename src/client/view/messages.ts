/**
 * The conversation: messages in seq order (each seq shown once), quiet system lines, own messages
 * still pending below them, scrollback at the top and a "new messages" button at the bottom.
 */
import type { MessageFrame, User } from "../../shared/protocol.ts";
import type { PendingSay } from "../transport.ts";
import { el } from "./dom.ts";
import { messageRow, pendingRow, systemRow, updateGrouping } from "./message-row.ts";

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
  readonly #onNeedOlder: () => void;
  #hasOlder = false;
  #loadingOlder = false;
  #unseen = 0;

  constructor(elements: MessageListElements, onNeedOlder: () => void) {
    this.#el = elements;
    this.#onNeedOlder = onNeedOlder;
    elements.scroller.addEventListener("scroll", () => this.#scrolled(), { passive: true });
    elements.jump.addEventListener("click", () => this.scrollToBottom());
    elements.loadOlder.addEventListener("click", () => this.#askOlder());
  }

  /** The oldest seq shown (where scrollback continues from). */
  get oldestSeq(): number | undefined {
    const first = this.#el.list.querySelector<HTMLElement>("li[data-seq]");
    return first ? Number(first.dataset.seq) : undefined;
  }

  /** Replaces everything with a fresh page (a first welcome, or one that did not resume). */
  reset(messages: MessageFrame[], me: User): void {
    this.#el.list.replaceChildren();
    this.#rows.clear();
    this.#loadingOlder = false;
    for (const message of messages) this.#insert(message, me);
    this.#setHasOlder((this.oldestSeq ?? 0) > 1);
    this.scrollToBottom();
    this.#fillViewport();
  }

  /** Adds live messages; returns those that were new (not shown before). */
  add(messages: MessageFrame[], me: User): MessageFrame[] {
    const atBottom = this.#atBottom();
    const added = messages.filter((m) => this.#insert(m, me));
    if (added.length === 0) return added;
    if (atBottom || added.some((m) => m.from.id === me.id)) this.scrollToBottom();
    else this.#countUnseen(added.length);
    return added;
  }

  /** Adds a page of older messages above the others, keeping what the reader looks at in place. */
  prepend(messages: MessageFrame[], hasMore: boolean, me: User): void {
    const scroller = this.#el.scroller;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    for (const message of messages) this.#insert(message, me);
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
    this.#loadingOlder = false;
    this.#setHasOlder(hasMore);
    this.#fillViewport();
  }

  /** A join, leave or rename line, from text and `isolate()`d names. */
  addSystem(...parts: (Node | string)[]): void {
    const atBottom = this.#atBottom();
    this.#el.list.append(systemRow(parts));
    if (atBottom) this.scrollToBottom();
  }

  /** Shows the outbox: own messages not delivered yet, with a state such as "Sending…". */
  showPending(pending: readonly PendingSay[], state: string): void {
    const atBottom = this.#atBottom();
    const failed = [...this.#el.pending.querySelectorAll<HTMLLIElement>("li.failed")];
    const existing = new Map<string, HTMLLIElement>();
    for (const row of this.#el.pending.querySelectorAll<HTMLLIElement>("li[data-id]:not(.failed)")) existing.set(row.dataset.id!, row);
    const rows = pending.map((say) => existing.get(say.id) ?? pendingRow(say));
    for (const row of rows) row.querySelector(".state")!.textContent = state;
    this.#el.pending.replaceChildren(...failed, ...rows);
    if (atBottom || rows.some((row) => !existing.has(row.dataset.id!))) this.scrollToBottom();
  }

  /** Keeps a refused message in view, marked, with buttons to send it again or let it go. */
  showFailed(say: PendingSay, reason: string, retry: () => void): void {
    const row = pendingRow(say);
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
    const firstPending = this.#el.pending.querySelector("li:not(.failed)");
    this.#el.pending.insertBefore(row, firstPending);
    this.scrollToBottom();
  }

  /** Scrolls to the newest message and clears the "new messages" count. */
  scrollToBottom(): void {
    const scroller = this.#el.scroller;
    scroller.scrollTop = scroller.scrollHeight;
    this.#unseen = 0;
    this.#el.jump.hidden = true;
  }

  /** Inserts a message at its seq's place; false when that seq is already shown. */
  #insert(message: MessageFrame, me: User): boolean {
    if (this.#rows.has(message.seq)) return false;
    const row = messageRow(message, me);
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

  /** The request for older messages could not be sent (offline): allow asking again later. */
  olderFailed(): void {
    this.#loadingOlder = false;
    this.#el.loadOlder.textContent = "Load earlier messages";
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
    if (this.#hasOlder && s.scrollHeight <= s.clientHeight + TOP_SLACK_PX) this.#askOlder();
  }
}

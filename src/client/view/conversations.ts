/**
 * Private conversations: one per person, each its own timeline, listed apart from the room with
 * how many of its messages are unread. A private message (one with `to`) belongs to the
 * conversation with the other person; the room's timeline shows public messages only. Which
 * conversations exist and how far each was read are kept in this browser per room, so that a
 * message that arrived while the person was away counts as unread when they return.
 */
import type { MessageFrame, User } from "@edge-chat/protocol";
import { privatePartner } from "@edge-chat/client";
import { loadRoomJson, saveRoomJson } from "../storage.ts";
import { paintUser, initialOf } from "./colors.ts";
import { el } from "./dom.ts";

interface Partner {
  id: string;
  name: string;
  /** The newest seq of theirs this person has seen in the conversation. */
  read: number;
  unread: Set<number>;
}

type Kept = { id: string; name: string; read: number }[];
const isKept = (value: unknown): value is Kept =>
  Array.isArray(value) && value.every((p) => typeof p?.id === "string" && typeof p?.name === "string" && typeof p?.read === "number");

/** The elements the list works with. */
export interface ConversationElements {
  section: HTMLElement;
  list: HTMLUListElement;
  /** The count of unread private messages on the people button (narrow screens). */
  badge: HTMLElement;
}

/** The list of private conversations and which timeline is shown. */
export class Conversations {
  readonly #room: string;
  readonly #el: ConversationElements;
  readonly #partners = new Map<string, Partner>();
  readonly #onView: (partner: User | undefined) => void;
  readonly #onUnread: () => void;
  #view: Partner | undefined;

  constructor(room: string, elements: ConversationElements, onView: (partner: User | undefined) => void, onUnread: () => void) {
    this.#room = room;
    this.#el = elements;
    this.#onView = onView;
    this.#onUnread = onUnread;
    for (const kept of loadRoomJson(room, "conversations", [], isKept)) this.#partners.set(kept.id, { ...kept, unread: new Set() });
    this.#render();
  }

  /** The person whose conversation is shown, or undefined for the room. */
  get view(): User | undefined {
    return this.#view && { id: this.#view.id, name: this.#view.name };
  }

  /** Unread private messages in all conversations but the one shown. */
  get unread(): number {
    let count = 0;
    for (const partner of this.#partners.values()) count += partner.unread.size;
    return count;
  }

  /** Private messages arrived (a welcome, history, or live): each goes to its conversation; `seen` says whether the person is looking. */
  add(messages: readonly MessageFrame[], selfId: string, seen: boolean): void {
    let changed = false;
    for (const message of messages) {
      const other = privatePartner(message, selfId);
      if (!other) continue;
      const partner = this.#partner(other);
      changed = true;
      if (message.from.id === selfId || message.deleted) continue;
      if (this.#view === partner && seen) partner.read = Math.max(partner.read, message.seq);
      else if (message.seq > partner.read) partner.unread.add(message.seq);
    }
    if (changed) this.#changed();
  }

  /** The person looks at the page again: the conversation shown is read. */
  seen(): void {
    if (this.#view) this.#markRead(this.#view);
  }

  /** Opens the conversation with `user` (it is made when there is none yet). */
  open(user: User): void {
    const partner = this.#partner(user);
    this.#view = partner;
    this.#markRead(partner);
    this.#onView(this.view);
  }

  /** Back to the room's timeline. */
  back(): void {
    if (!this.#view) return;
    this.#view = undefined;
    this.#render();
    this.#onView(undefined);
  }

  /** A person changed name: their conversation follows. */
  renamed(user: User): void {
    const partner = this.#partners.get(user.id);
    if (!partner) return;
    partner.name = user.name;
    this.#changed();
    if (this.#view === partner) this.#onView(this.view);
  }

  #partner(user: User): Partner {
    let partner = this.#partners.get(user.id);
    if (!partner) this.#partners.set(user.id, (partner = { id: user.id, name: user.name, read: 0, unread: new Set() }));
    return partner;
  }

  #markRead(partner: Partner): void {
    for (const seq of partner.unread) partner.read = Math.max(partner.read, seq);
    partner.unread.clear();
    this.#changed();
  }

  #changed(): void {
    saveRoomJson(this.#room, "conversations", [...this.#partners.values()].map(({ id, name, read }) => ({ id, name, read })));
    this.#render();
    this.#onUnread();
  }

  #render(): void {
    const rows = [...this.#partners.values()].map((partner) => {
      const avatar = el("span", { class: "avatar small", attrs: { "aria-hidden": "true" } }, initialOf(partner.name));
      paintUser(avatar, partner.id);
      const unread = partner.unread.size;
      const button = el(
        "button",
        { class: "person conversation-link", attrs: { type: "button", "data-id": partner.id } },
        avatar,
        el("span", { class: "person-name", attrs: { dir: "auto" } }, partner.name),
      );
      if (unread > 0) button.append(el("span", { class: "unread-badge", attrs: { "aria-label": `${unread} unread` } }, String(unread)));
      if (this.#view === partner) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => this.open({ id: partner.id, name: partner.name }));
      return el("li", {}, button);
    });
    this.#el.list.replaceChildren(...rows);
    this.#el.section.hidden = rows.length === 0;
    const total = this.unread;
    this.#el.badge.hidden = total === 0;
    this.#el.badge.textContent = String(total);
  }
}

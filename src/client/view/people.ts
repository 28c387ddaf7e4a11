/**
 * The online list: the count of everyone online, the people the page lists (at most the 100 the
 * welcome gave, kept up with joins and leaves), "and N more" for the rest, which opens the full
 * list. Picking a name starts a private message; moderators get a menu beside each name.
 */
import type { ListedUser, User } from "@edge-chat/protocol";
import type { Roster } from "@edge-chat/client";
import { el } from "./dom.ts";
import { personButton } from "./person-row.ts";

const count = new Intl.NumberFormat();

/** The elements the list works with. */
export interface PeopleElements {
  list: HTMLUListElement;
  count: HTMLElement;
  toggleCount: HTMLElement;
  more: HTMLButtonElement;
}

/** What picking something in the list does. */
export interface PeopleHooks {
  /** Someone else's name: a private message to them. */
  pick(user: User): void;
  /** One's own name: rename. */
  pickSelf(): void;
  /** "and N more" / "everyone": the full list. */
  openAll(): void;
  /** A control of the page's own to put beside a person (moderation), or null. */
  extra(user: ListedUser): HTMLElement | null;
}

/** Who is online, drawn from the roster. */
export class PeopleList {
  readonly #el: PeopleElements;
  readonly #roster: Roster;
  readonly #hooks: PeopleHooks;
  #selfId = "";

  constructor(elements: PeopleElements, roster: Roster, hooks: PeopleHooks) {
    this.#el = elements;
    this.#roster = roster;
    this.#hooks = hooks;
    elements.more.addEventListener("click", () => hooks.openAll());
  }

  /** Draws the list again after the roster changed; `selfId` is who this page is. */
  render(selfId: string): void {
    this.#selfId = selfId;
    const rows = this.#roster.listed().map((user) => this.row(user));
    this.#el.list.replaceChildren(...rows);
    const online = count.format(this.#roster.online);
    this.#el.count.textContent = online;
    this.#el.toggleCount.textContent = online;
    const unlisted = this.#roster.unlisted;
    this.#el.more.hidden = unlisted === 0;
    this.#el.more.textContent = `and ${count.format(unlisted)} more`;
  }

  /** One person's list item (also used by the full list). */
  row(user: ListedUser): HTMLLIElement {
    const self = user.id === this.#selfId;
    const button = personButton(user, self, self ? "Change your name" : `Send a private message to ${user.name}`);
    button.addEventListener("click", () => (self ? this.#hooks.pickSelf() : this.#hooks.pick(user)));
    const item = el("li", { class: "person-item" }, button);
    const extra = self ? null : this.#hooks.extra(user);
    if (extra) item.append(extra);
    return item;
  }
}

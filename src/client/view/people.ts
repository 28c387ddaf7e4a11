/**
 * The online list: the count of everyone online, the people the page lists (at most the 100 the
 * welcome gave, kept up with joins and leaves), sorted by role (owners, moderators, members) then
 * name, and "and N more" for the rest, which opens the full list. Picking a name opens the
 * person's menu (a private conversation, a mention, moderation); one's own name renames. Once
 * this person is put out of the room, the list says so instead of who is online.
 */
import { nameKey } from "@edge-chat/protocol/names";
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
    // One's own name stays first (it is where renaming starts); the others by role, then name.
    const listed = this.#roster.listed();
    const self = listed.filter((u) => u.id === selfId);
    const rows = [...self, ...byRoleThenName(listed.filter((u) => u.id !== selfId))].map((user) => this.row(user));
    this.#el.list.replaceChildren(...rows);
    const online = count.format(this.#roster.online);
    this.#el.count.textContent = online;
    this.#el.toggleCount.textContent = online;
    const unlisted = this.#roster.unlisted;
    this.#el.more.hidden = unlisted === 0;
    this.#el.more.textContent = `and ${count.format(unlisted)} more`;
  }

  /** Put out of the room: nobody is shown as online, this person least of all. */
  out(): void {
    this.#el.list.replaceChildren(el("li", { class: "hint" }, "You are not in the room now."));
    this.#el.count.textContent = "–";
    this.#el.toggleCount.textContent = "–";
    this.#el.more.hidden = true;
  }

  /** One person's list item (also used by the full list). */
  row(user: ListedUser): HTMLLIElement {
    const self = user.id === this.#selfId;
    const button = personButton(user, self, self ? "Change your name" : `Private message, mention or more for ${user.name}`);
    button.addEventListener("click", () => (self ? this.#hooks.pickSelf() : this.#hooks.pick(user)));
    const item = el("li", { class: "person-item" }, button);
    const extra = self ? null : this.#hooks.extra(user);
    if (extra) item.append(extra);
    return item;
  }
}

const ROLE_ORDER = { owner: 0, moderator: 1, member: 2 } as const;

/** Owners first, then moderators, then members; by name within each (as the room compares names, then as written). */
export function byRoleThenName(users: readonly ListedUser[]): ListedUser[] {
  return [...users].sort((a, b) => ROLE_ORDER[a.role ?? "member"] - ROLE_ORDER[b.role ?? "member"] || nameKey(a.name).localeCompare(nameKey(b.name)) || a.name.localeCompare(b.name));
}

/** The online list: everyone in the room with a count; picking a name starts a private message. */
import type { User } from "../../shared/protocol.ts";
import { initialOf, paintUser } from "./colors.ts";
import { el } from "./dom.ts";

/** The elements the list works with. */
export interface PeopleElements {
  list: HTMLUListElement;
  count: HTMLElement;
  toggleCount: HTMLElement;
}

/** Who is online, kept in sync with welcome/join/leave/rename. */
export class PeopleList {
  readonly #el: PeopleElements;
  readonly #users = new Map<string, User>();
  readonly #onPick: (user: User) => void;
  readonly #onPickSelf: () => void;
  #selfId = "";

  constructor(elements: PeopleElements, onPick: (user: User) => void, onPickSelf: () => void) {
    this.#el = elements;
    this.#onPick = onPick;
    this.#onPickSelf = onPickSelf;
  }

  /** Replaces the whole list (from a welcome). */
  reset(users: User[], self: User): void {
    this.#selfId = self.id;
    this.#users.clear();
    for (const user of users) this.#users.set(user.id, user);
    this.#users.set(self.id, self);
    this.#render();
  }

  /** Adds or updates a user (join, rename). */
  set(user: User): void {
    this.#users.set(user.id, user);
    this.#render();
  }

  /** Removes a user (leave). */
  remove(id: string): void {
    this.#users.delete(id);
    this.#render();
  }

  /** The online user with this id. */
  get(id: string): User | undefined {
    return this.#users.get(id);
  }

  /** Everyone online. */
  all(): User[] {
    return [...this.#users.values()];
  }

  #render(): void {
    const collator = new Intl.Collator(undefined, { sensitivity: "base" });
    const users = this.all().sort((a, b) => {
      if (a.id === this.#selfId) return -1;
      if (b.id === this.#selfId) return 1;
      return collator.compare(a.name, b.name);
    });
    const rows = users.map((user) => {
      const self = user.id === this.#selfId;
      const avatar = el("span", { class: "avatar small", attrs: { "aria-hidden": "true" } }, initialOf(user.name));
      paintUser(avatar, user.id);
      const label = self ? "Change your name" : `Send a private message to ${user.name}`;
      const button = el(
        "button",
        { class: "person", attrs: { type: "button", title: label, "data-id": user.id } },
        avatar,
        el("span", { class: "person-name", attrs: { dir: "auto" } }, user.name),
      );
      if (self) button.append(el("span", { class: "you" }, "you"));
      button.append(el("span", { class: "visually-hidden" }, `: ${label}`));
      button.addEventListener("click", () => (self ? this.#onPickSelf() : this.#onPick(user)));
      return el("li", {}, button);
    });
    this.#el.list.replaceChildren(...rows);
    this.#el.count.textContent = String(users.length);
    this.#el.toggleCount.textContent = String(users.length);
  }
}

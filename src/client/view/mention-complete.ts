/**
 * The `@` autocomplete of the message box: typing `@` (at the start or after a space) opens a
 * list of people whose name starts with what follows, online people first, then others the page
 * has seen; ↑/↓ move, Enter or Tab picks, Escape closes, and a tap or click picks too. Picking
 * writes `@name ` into the text: a mention is plain, public text, highlighted for the person named.
 */
import type { User } from "@edge-chat/protocol";
import { nameKey } from "@edge-chat/protocol/names";
import { initialOf, paintUser } from "./colors.ts";
import { el } from "./dom.ts";

/** At most this many people are offered. */
const SHOWN = 8;
/** `@` at the start or after a space or an opening bracket, then the part of a name typed so far. */
const TYPED = /(?:^|[\s([{])@([^\s@]{0,32})$/u;

/** Who may be mentioned: online people first, then others the page knows of. */
export interface Mentionable {
  online(): User[];
  others(): User[];
}

/** The autocomplete list under the message box. */
export class MentionComplete {
  readonly #input: HTMLTextAreaElement;
  readonly #list: HTMLUListElement;
  readonly #people: Mentionable;
  #options: User[] = [];
  #active = 0;
  /** Where the `@` being completed stands in the text. */
  #at = -1;

  constructor(input: HTMLTextAreaElement, list: HTMLUListElement, people: Mentionable) {
    this.#input = input;
    this.#list = list;
    this.#people = people;
    input.addEventListener("blur", () => this.close());
  }

  /** True while the list is open. */
  get open(): boolean {
    return !this.#list.hidden;
  }

  /** Looks at the text before the caret after every change. */
  update(): void {
    const caret = this.#input.selectionStart ?? this.#input.value.length;
    const before = this.#input.value.slice(0, caret);
    const typed = TYPED.exec(before);
    if (!typed) return this.close();
    const query = nameKey(typed[1]!);
    this.#at = caret - typed[1]!.length - 1;
    const seen = new Set<string>();
    const options: User[] = [];
    for (const user of [...sorted(this.#people.online()), ...sorted(this.#people.others())]) {
      if (seen.has(user.id) || !nameKey(user.name).startsWith(query)) continue;
      seen.add(user.id);
      options.push(user);
      if (options.length === SHOWN) break;
    }
    if (options.length === 0) return this.close();
    this.#options = options;
    this.#active = 0;
    this.#render();
  }

  /** Handles a key while the list is open; true when the key was the list's. */
  keydown(event: KeyboardEvent): boolean {
    if (!this.open) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const step = event.key === "ArrowDown" ? 1 : this.#options.length - 1;
      this.#active = (this.#active + step) % this.#options.length;
      this.#render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      this.#pick(this.#options[this.#active]!);
    } else if (event.key === "Escape") {
      this.close();
    } else return false;
    event.preventDefault();
    return true;
  }

  close(): void {
    this.#list.hidden = true;
    this.#list.replaceChildren();
    this.#input.removeAttribute("aria-activedescendant");
  }

  #render(): void {
    const items = this.#options.map((user, i) => {
      const avatar = el("span", { class: "avatar small", attrs: { "aria-hidden": "true" } }, initialOf(user.name));
      paintUser(avatar, user.id);
      const item = el(
        "li",
        { class: "mention-option", attrs: { role: "option", id: `mention-option-${i}`, "aria-selected": String(i === this.#active) } },
        avatar,
        el("span", { class: "person-name", attrs: { dir: "auto" } }, user.name),
      );
      // Keep the focus (and the phone's keyboard) in the box while choosing.
      item.addEventListener("pointerdown", (event) => event.preventDefault());
      item.addEventListener("click", () => this.#pick(user));
      return item;
    });
    this.#list.replaceChildren(...items);
    this.#list.hidden = false;
    this.#input.setAttribute("aria-activedescendant", `mention-option-${this.#active}`);
  }

  #pick(user: User): void {
    const input = this.#input;
    const caret = input.selectionStart ?? input.value.length;
    const inserted = `@${user.name} `;
    input.value = input.value.slice(0, this.#at) + inserted + input.value.slice(caret);
    const end = this.#at + inserted.length;
    input.setSelectionRange(end, end);
    this.close();
    input.dispatchEvent(new Event("input"));
    input.focus();
  }
}

function sorted(users: User[]): User[] {
  return [...users].sort((a, b) => a.name.localeCompare(b.name));
}

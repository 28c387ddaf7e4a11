/**
 * The full list of everyone online, for rooms larger than the online list holds: a dialog that
 * asks the room for one `members` page at a time (100 people, in the room's id order), shows each
 * page sorted by role then name, and filters it with a search box. Fully usable with the keyboard:
 * focus starts on the first person, ↑/↓/Home/End move between people, PageDown/PageUp (or the
 * Next/Previous buttons) change page, and the focus stays on a visible control all along (a
 * button that cannot be used now says so instead of being disabled, which would drop the focus);
 * Escape closes and focus goes back to what opened it.
 */
import type { ListedUser, MembersFrame } from "@edge-chat/protocol";
import { nameKey } from "@edge-chat/protocol/names";
import { byRoleThenName } from "./people.ts";

/** People per page. */
const PAGE_SIZE = 100;
const count = new Intl.NumberFormat();

/** The elements the dialog works with. */
export interface MembersElements {
  dialog: HTMLDialogElement;
  list: HTMLUListElement;
  heading: HTMLElement;
  status: HTMLElement;
  page: HTMLElement;
  prev: HTMLButtonElement;
  next: HTMLButtonElement;
  close: HTMLButtonElement;
  search: HTMLInputElement;
}

/** What the dialog needs from the room page. */
export interface MembersHooks {
  /** Asks the room for the page after `after`; false when not connected. */
  request(after: string | undefined, limit: number): boolean;
  /** One person's list item. */
  row(user: ListedUser): HTMLLIElement;
  /** How many are online now. */
  online(): number;
}

/** The paged list of everyone online. */
export class MembersDialog {
  readonly #el: MembersElements;
  readonly #hooks: MembersHooks;
  /** The `after` cursor of each page seen so far (the first page has none). */
  #cursors: (string | undefined)[] = [undefined];
  #index = 0;
  #waiting = false;
  #focusFirst = false;
  #opener: HTMLElement | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #users: ListedUser[] = [];

  constructor(elements: MembersElements, hooks: MembersHooks) {
    this.#el = elements;
    this.#hooks = hooks;
    elements.prev.addEventListener("click", () => this.#turn(-1, false));
    elements.next.addEventListener("click", () => this.#turn(1, false));
    elements.close.addEventListener("click", () => elements.dialog.close());
    elements.list.addEventListener("keydown", (event) => this.#keydown(event));
    elements.search.addEventListener("input", () => this.#show(false));
    elements.search.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown") return;
      event.preventDefault();
      this.#buttons([...this.#el.list.children])[0]?.focus();
    });
    elements.dialog.addEventListener("close", () => {
      clearTimeout(this.#retry);
      this.#waiting = false;
      this.#opener?.focus();
    });
  }

  /** True while the dialog waits for a page (a `members` frame is its answer). */
  get waiting(): boolean {
    return this.#waiting;
  }

  /** Opens the dialog on the first page. */
  open(): void {
    this.#opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.#cursors = [undefined];
    this.#index = 0;
    this.#el.list.replaceChildren();
    this.#el.search.value = "";
    this.#el.dialog.showModal();
    this.#el.close.focus();
    this.#load(true);
  }

  /** The answer to the page asked for. */
  receive(frame: MembersFrame): void {
    if (!this.#waiting) return;
    this.#waiting = false;
    this.#cursors.length = this.#index + 1;
    if (frame.next !== undefined) this.#cursors.push(frame.next);
    this.#users = byRoleThenName(frame.users);
    this.#el.list.setAttribute("aria-busy", "false");
    this.#show(this.#focusFirst);
    this.#focusFirst = false;
    this.#update();
  }

  /** Draws the page's people that match the search; `focus` moves the focus to the first. */
  #show(focus: boolean): void {
    const query = nameKey(this.#el.search.value.trim());
    const users = query === "" ? this.#users : this.#users.filter((u) => nameKey(u.name).includes(query));
    const rows = users.map((user) => this.#hooks.row(user));
    for (const button of this.#buttons(rows)) button.tabIndex = -1;
    this.#el.list.replaceChildren(...rows);
    this.#el.status.textContent = this.#users.length === 0 ? "Nobody else is online." : users.length === 0 ? "Nobody on this page has that name." : "";
    const first = this.#buttons(rows)[0];
    if (first) first.tabIndex = 0;
    if (focus) first?.focus();
  }

  /** The room said "too fast" while a page was awaited: ask again when it allows. */
  rateLimited(retryAfterMs: number): void {
    if (!this.#waiting) return;
    this.#el.status.textContent = "Too many requests: trying again in a moment…";
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => this.#load(this.#focusFirst), retryAfterMs);
  }

  /** The connection was lost: an awaited page will not come; ask again once connected. */
  reconnected(): void {
    if (this.#el.dialog.open && this.#waiting) this.#load(this.#focusFirst);
  }

  /** Keeps the heading's count current while open. */
  update(): void {
    if (this.#el.dialog.open) this.#update();
  }

  #load(focusFirst: boolean): void {
    this.#focusFirst = focusFirst;
    this.#waiting = true;
    this.#el.list.setAttribute("aria-busy", "true");
    this.#el.status.textContent = "Loading…";
    if (!this.#hooks.request(this.#cursors[this.#index], PAGE_SIZE)) this.#el.status.textContent = "Not connected: the list loads when the page is back online.";
    this.#update();
  }

  #turn(step: -1 | 1, focusFirst: boolean): void {
    const index = this.#index + step;
    if (this.#waiting || index < 0 || index >= this.#cursors.length) return;
    this.#el.search.value = "";
    this.#index = index;
    this.#load(focusFirst);
  }

  #keydown(event: KeyboardEvent): void {
    const buttons = this.#buttons([...this.#el.list.children]);
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    let target: number | undefined;
    if (event.key === "ArrowDown") target = Math.min(buttons.length - 1, at + 1);
    else if (event.key === "ArrowUp") target = Math.max(0, at - 1);
    else if (event.key === "Home") target = 0;
    else if (event.key === "End") target = buttons.length - 1;
    else if (event.key === "PageDown" || event.key === "PageUp") {
      event.preventDefault();
      return this.#turn(event.key === "PageDown" ? 1 : -1, true);
    } else return;
    event.preventDefault();
    const button = buttons[target];
    if (!button) return;
    for (const b of buttons) b.tabIndex = b === button ? 0 : -1;
    button.focus();
  }

  /** The person buttons (not the moderation menus beside them) of the given rows. */
  #buttons(rows: Element[]): HTMLButtonElement[] {
    return rows.map((row) => row.querySelector<HTMLButtonElement>("button.person")).filter((b): b is HTMLButtonElement => b !== null);
  }

  #update(): void {
    const online = this.#hooks.online();
    const pages = Math.max(1, Math.ceil(online / PAGE_SIZE));
    this.#el.heading.textContent = count.format(online);
    this.#el.page.textContent = `Page ${this.#index + 1} of ${Math.max(pages, this.#index + 1)}`;
    this.#el.prev.setAttribute("aria-disabled", String(this.#waiting || this.#index === 0));
    this.#el.next.setAttribute("aria-disabled", String(this.#waiting || this.#index + 1 >= this.#cursors.length));
  }
}

/**
 * Telling people about new messages they are not looking at: an unread count in the tab title
 * while the tab is hidden, and a polite live region that screen readers announce.
 */

/** How many announcements the live region keeps (older ones are removed). */
const ANNOUNCE_KEEP = 5;

/** Unread count in the title, and announcements for assistive technology. */
export class Attention {
  readonly #title: string;
  readonly #announcer: HTMLElement;
  #unread = 0;

  constructor(title: string, announcer: HTMLElement) {
    this.#title = title;
    this.#announcer = announcer;
    document.title = title;
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.#setUnread(0);
    });
  }

  /** A message from someone else arrived. */
  incoming(announcement: string): void {
    if (document.hidden) this.#setUnread(this.#unread + 1);
    const line = document.createElement("p");
    line.textContent = announcement;
    this.#announcer.append(line);
    while (this.#announcer.childElementCount > ANNOUNCE_KEEP) this.#announcer.firstElementChild?.remove();
  }

  #setUnread(count: number): void {
    this.#unread = count;
    document.title = count > 0 ? `(${count}) ${this.#title}` : this.#title;
  }
}

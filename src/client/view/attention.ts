/**
 * Telling people about new messages they are not looking at: the unread count in the tab title
 * (the room's count for this user, the same on every device they use), and a polite live region
 * that screen readers announce.
 */

/** How many announcements the live region keeps (older ones are removed). */
const ANNOUNCE_KEEP = 5;

/** Unread count in the title, and announcements for assistive technology. */
export class Attention {
  readonly #title: string;
  readonly #announcer: HTMLElement;

  constructor(title: string, announcer: HTMLElement) {
    this.#title = title;
    this.#announcer = announcer;
    document.title = title;
  }

  /** A message from someone else arrived. */
  incoming(announcement: string): void {
    const line = document.createElement("p");
    line.textContent = announcement;
    this.#announcer.append(line);
    while (this.#announcer.childElementCount > ANNOUNCE_KEEP) this.#announcer.firstElementChild?.remove();
  }

  /** The user's unread count in this room (read on another device: it falls here too). */
  setUnread(count: number): void {
    document.title = count > 0 ? `(${unreadLabel(count)}) ${this.#title}` : this.#title;
  }
}

/** A count as the page shows it: the room counts up to 1,000. */
export function unreadLabel(count: number): string {
  return count >= 1_000 ? "1000+" : String(count);
}

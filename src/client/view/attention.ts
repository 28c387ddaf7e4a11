/**
 * Telling people about new messages they are not looking at: the title counts unread messages
 * (the room's count for this user, the same on every device they use) and, apart, the mentions and
 * private messages for them that came while the tab was hidden ("(5 · @2)"); a desktop
 * notification tells of each mention and private message, once the person allowed notifications
 * and unless they turned them off for this room (the bell in the header, kept per room in this
 * browser). A polite live region announces every message to screen readers.
 */
import { loadRoomJson, saveRoomJson } from "../storage.ts";

/** How many announcements the live region keeps (older ones are removed). */
const ANNOUNCE_KEEP = 5;

const isSetting = (value: unknown): value is { notify: boolean } => typeof value === "object" && value !== null && typeof (value as { notify?: unknown }).notify === "boolean";

/** What is known of an incoming message. */
export interface Incoming {
  /** Who and what, for the live region and the notification. */
  from: string;
  text: string;
  /** It mentions the reader, or it is private to them: it may notify. */
  forMe: boolean;
  /** The notification's title ("bob in #room", "Private message from bob"). */
  title: string;
  /** Opens what the notification is about, when it is clicked. */
  open: () => void;
}

/** Unread counts in the title, notifications, and announcements for assistive technology. */
export class Attention {
  readonly #title: string;
  readonly #room: string;
  readonly #announcer: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #label: HTMLElement;
  #unread = 0;
  #forMe = 0;
  #notify: boolean;

  constructor(room: string, title: string, elements: { announcer: HTMLElement; button: HTMLButtonElement; label: HTMLElement }) {
    this.#room = room;
    this.#title = title;
    this.#announcer = elements.announcer;
    this.#button = elements.button;
    this.#label = elements.label;
    this.#notify = loadRoomJson(room, "settings", { notify: true }, isSetting).notify;
    document.title = title;
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.#setForMe(0);
    });
    this.#button.addEventListener("click", () => void this.#toggle());
    this.#renderButton();
  }

  /** A message from someone else arrived. */
  incoming(message: Incoming): void {
    if (document.hidden && message.forMe) {
      this.#setForMe(this.#forMe + 1);
      this.#show(message);
    }
    const line = document.createElement("p");
    line.textContent = `${message.from}: ${message.text}`;
    this.#announcer.append(line);
    while (this.#announcer.childElementCount > ANNOUNCE_KEEP) this.#announcer.firstElementChild?.remove();
  }

  #show(message: Incoming): void {
    if (!this.#notify || typeof Notification === "undefined" || Notification.permission !== "granted") return;
    const notification = new Notification(message.title, { body: message.text, tag: `edge-chat:${this.#room}` });
    notification.onclick = () => {
      window.focus();
      message.open();
      notification.close();
    };
  }

  /** The bell: asks for permission the first time it is turned on, and keeps the choice for this room. */
  async #toggle(): Promise<void> {
    const on = !this.#notify || (typeof Notification !== "undefined" && Notification.permission === "default");
    if (on && typeof Notification !== "undefined" && Notification.permission === "default") await Notification.requestPermission();
    this.#notify = on;
    saveRoomJson(this.#room, "settings", { notify: on });
    this.#renderButton();
  }

  #renderButton(): void {
    const allowed = typeof Notification !== "undefined" && Notification.permission === "granted";
    const blocked = typeof Notification !== "undefined" && Notification.permission === "denied";
    const active = this.#notify && allowed;
    this.#button.setAttribute("aria-pressed", String(active));
    this.#label.textContent = active ? "Notifying" : this.#notify && !blocked ? "Notify me" : "Muted";
    const why = blocked ? "this browser blocks notifications from this site" : active ? "click to mute them for this room" : this.#notify ? "click to allow them" : "click to turn them on for this room";
    this.#button.title = `Notifications of mentions and private messages: ${why}`;
    // The name starts with the words shown, as speech input expects ("click Muted").
    this.#button.setAttribute("aria-label", `${this.#label.textContent}: notifications for this room ${active ? "on" : "off"}`);
  }

  /** The user's unread count in this room (read on another device: it falls here too). */
  setUnread(count: number): void {
    this.#unread = count;
    this.#renderTitle();
  }

  #setForMe(count: number): void {
    this.#forMe = count;
    this.#renderTitle();
  }

  #renderTitle(): void {
    const unread = unreadLabel(this.#unread);
    const badge = this.#unread === 0 && this.#forMe === 0 ? "" : this.#forMe > 0 ? `(${unread} · @${this.#forMe}) ` : `(${unread}) `;
    document.title = `${badge}${this.#title}`;
  }
}

/** A count as the page shows it: the room counts up to 1,000. */
export function unreadLabel(count: number): string {
  return count >= 1_000 ? "1000+" : String(count);
}

/**
 * Telling people about new messages they are not looking at: while the tab is hidden, the title
 * counts unread messages and, apart, the mentions and private messages for them ("(5 · @2)"), and
 * a desktop notification tells of each mention and private message, once the person allowed
 * notifications and unless they turned them off for this room (the bell in the header, kept per
 * room in this browser). A polite live region announces every message to screen readers.
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
      if (!document.hidden) this.#setUnread(0, 0);
    });
    this.#button.addEventListener("click", () => void this.#toggle());
    this.#renderButton();
  }

  /** A message from someone else arrived. */
  incoming(message: Incoming): void {
    if (document.hidden) {
      this.#setUnread(this.#unread + 1, this.#forMe + (message.forMe ? 1 : 0));
      if (message.forMe) this.#show(message);
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

  #setUnread(count: number, forMe: number): void {
    this.#unread = count;
    this.#forMe = forMe;
    const badge = count === 0 ? "" : forMe > 0 ? `(${count} · @${forMe}) ` : `(${count}) `;
    document.title = `${badge}${this.#title}`;
  }
}

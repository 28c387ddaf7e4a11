/**
 * What keeps this person from posting, with a live countdown, above the message box: a mute (from
 * a `muted` error or a moderation frame about them), slow mode (from the room's settings, a
 * `slow_mode` error, or their own last message) and the lock. Moderators and owners are exempt
 * from slow mode and the lock, never from a mute.
 */
import type { Role, RoomSettings } from "@edge-chat/protocol";
import { duration } from "./errors.ts";

/** "4:59", "1:02:03": the time left, for a countdown. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The restriction line and its countdown. */
export class Restrictions {
  readonly #element: HTMLElement;
  #settings: RoomSettings = { slowMs: 0, locked: false };
  #role: Role = "member";
  #mutedUntil = 0;
  #slowUntil = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(element: HTMLElement) {
    this.#element = element;
  }

  /** The room's settings and this person's role (welcome, settings and grant frames). */
  update(settings: RoomSettings, role: Role): void {
    this.#settings = settings;
    this.#role = role;
    if (settings.slowMs === 0) this.#slowUntil = 0;
    this.#render();
  }

  /** Muted until `until` (ms since epoch); 0 lifts it. */
  muted(until: number): void {
    this.#mutedUntil = until;
    this.#render();
  }

  /** Slow mode holds this person's next message until `until`. */
  slowed(until: number): void {
    this.#slowUntil = Math.max(this.#slowUntil, until);
    this.#render();
  }

  /** This person's message was stored: with slow mode on, the next waits `slowMs`. */
  sent(): void {
    if (this.#settings.slowMs > 0 && this.#role === "member") this.slowed(Date.now() + this.#settings.slowMs);
  }

  #render(): void {
    clearInterval(this.#timer);
    const now = Date.now();
    const member = this.#role === "member";
    let text = "";
    let ticking = false;
    if (this.#mutedUntil > now) {
      text = `You are muted: you can post again in ${countdown(this.#mutedUntil - now)}.`;
      ticking = true;
    } else if (member && this.#settings.locked) {
      text = "The room is locked: only moderators and owners can post, edit or react.";
    } else if (member && this.#slowUntil > now) {
      text = `Slow mode: you can send again in ${countdown(this.#slowUntil - now)}.`;
      ticking = true;
    } else if (member && this.#settings.slowMs > 0) {
      text = `Slow mode is on: one message every ${duration(this.#settings.slowMs)}.`;
    }
    this.#element.textContent = text;
    this.#element.hidden = text === "";
    if (ticking) this.#timer = setInterval(() => this.#render(), 1000);
  }
}

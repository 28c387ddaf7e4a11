/**
 * One home for everything that keeps this person from posting: a panel that takes the message
 * box's place, live (its countdown ticks, and it goes away by itself when the restriction ends).
 * In order of precedence: banned (time left, the page joins again when it ends), kicked (Rejoin),
 * muted (time left), the lock (members), a slow-mode wait after one's own message (members).
 * Each says who did it and why when the room said so. Slow mode that is on but not holding
 * anything back is only a note beside the box. Moderators and owners are exempt from slow mode
 * and the lock, never from a mute.
 */
import type { Role, RoomSettings } from "@edge-chat/protocol";
import { isolate } from "./dom.ts";
import { duration } from "./errors.ts";

/** "4:59", "1:02:03": the time left, for a countdown. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Why this person's sockets were closed, as far as the page heard it (the moderation frame before the close). */
export interface Removal {
  kind: "kicked" | "banned";
  by?: string;
  reason?: string;
  /** A ban: until then (ms since epoch). */
  until?: number;
}

/** The panel's elements, and the box it stands in for. */
export interface RestrictionElements {
  panel: HTMLElement;
  text: HTMLElement;
  rejoin: HTMLButtonElement;
  composer: HTMLElement;
  slowNote: HTMLElement;
}

/** The restriction panel. */
export class Restrictions {
  readonly #el: RestrictionElements;
  #settings: RoomSettings = { slowMs: 0, locked: false };
  #role: Role = "member";
  #muted: { until: number; by?: string; reason?: string } = { until: 0 };
  #slowUntil = 0;
  #removal: Removal | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #wasRestricted = false;

  constructor(elements: RestrictionElements, rejoin: () => void) {
    this.#el = elements;
    elements.rejoin.addEventListener("click", rejoin);
  }

  /** True while the person may not post at all (kicked or banned): nothing may be queued then. */
  get removed(): boolean {
    return this.#removal !== undefined;
  }

  /** The room's settings and this person's role (welcome, settings and grant frames). */
  update(settings: RoomSettings, role: Role): void {
    this.#settings = settings;
    this.#role = role;
    if (settings.slowMs === 0) this.#slowUntil = 0;
    this.#render();
  }

  /** Muted until `until` (ms since epoch; 0 lifts it), by whom and why when known. */
  muted(until: number, by?: string, reason?: string): void {
    this.#muted = { until, ...(by === undefined ? {} : { by }), ...(reason === undefined ? {} : { reason }) };
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

  /** Kicked or banned (undefined: back in the room). */
  removal(removal: Removal | undefined): void {
    this.#removal = removal;
    this.#render();
  }

  #render(): void {
    clearInterval(this.#timer);
    const now = Date.now();
    const member = this.#role === "member";
    const removal = this.#removal;
    let parts: (Node | string)[] = [];
    let ticking = false;
    let rejoin = false;
    if (removal?.kind === "banned" && (removal.until ?? 0) > now) {
      parts = ["You were banned from this room", ...byWhom(removal.by, removal.reason), `: ${countdown(removal.until! - now)} left. The page joins again when it ends.`];
      ticking = true;
    } else if (removal) {
      rejoin = true;
      parts = removal.kind === "kicked" ? ["You were removed from the room", ...byWhom(removal.by, removal.reason), ". You may join again."] : ["Your ban is over. You may join again."];
    } else if (this.#muted.until > now) {
      parts = ["You are muted", ...byWhom(this.#muted.by, this.#muted.reason), `: you can post again in ${countdown(this.#muted.until - now)}.`];
      ticking = true;
    } else if (member && this.#settings.locked) {
      parts = ["The room is locked: only moderators and owners can post, edit or react."];
    } else if (member && this.#slowUntil > now) {
      parts = [`Slow mode: you can send again in ${countdown(this.#slowUntil - now)}.`];
      ticking = true;
    }
    const restricted = parts.length > 0;
    this.#el.text.replaceChildren(...parts);
    this.#el.panel.hidden = !restricted;
    this.#el.rejoin.hidden = !rejoin;
    this.#el.composer.hidden = restricted;
    this.#el.slowNote.textContent = member && this.#settings.slowMs > 0 && !restricted ? `Slow mode: one message every ${duration(this.#settings.slowMs)}` : "";
    // The box comes back when the restriction ends: give it the focus the panel had.
    if (this.#wasRestricted && !restricted && this.#el.panel.contains(document.activeElement)) this.#el.composer.querySelector("textarea")?.focus();
    this.#wasRestricted = restricted;
    if (ticking) this.#timer = setInterval(() => this.#render(), 1000);
  }
}

/** " by mod (spamming)": who and why, as far as the room said. */
function byWhom(by: string | undefined, reason: string | undefined): (Node | string)[] {
  const out: (Node | string)[] = [];
  if (by !== undefined) out.push(" by ", isolate(by));
  if (reason !== undefined) out.push(" (", isolate(reason), ")");
  return out;
}

/**
 * The menu of one person (a private conversation, a mention, and for moderators and owners Kick,
 * Mute, Ban and the moderator role) and the room settings panel (slow mode, lock), for moderators and owners. The menu offers only what the
 * room allows as far as the page knows the roles (nobody acts on an owner, a moderator not on
 * another); where it does not know, the room decides and a refusal shows as an error.
 */
import type { BanFrame, GrantFrame, KickFrame, MuteFrame, Role, RoomSettings, SettingsRequestFrame, User } from "@edge-chat/protocol";
import { byId, el } from "./dom.ts";
import { confirmWithReason } from "./confirm.ts";
import { slowModeLabel } from "./moderation-lines.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The mutes and bans on offer. */
const MUTES = [
  { ms: 5 * MINUTE, label: "5 min" },
  { ms: HOUR, label: "1 hour" },
  { ms: DAY, label: "1 day" },
];
const BANS = [
  { ms: HOUR, label: "1 hour" },
  { ms: DAY, label: "1 day" },
  { ms: 7 * DAY, label: "1 week" },
];
/** Slow mode choices, in ms. */
export const SLOW_MODES = [0, 10_000, 30_000, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR];

/** A frame the menu or the panel sends. */
export type ModerationRequest = GrantFrame | KickFrame | MuteFrame | BanFrame | SettingsRequestFrame;

/** True when someone of role `mine` may kick, mute or ban someone of role `theirs` (undefined: not known). */
export function mayModerate(mine: Role, theirs: Role | undefined): boolean {
  if (mine === "member" || theirs === "owner") return false;
  return mine === "owner" || theirs !== "moderator";
}

/** What the person menu offers besides moderation, and what the page knows of the person. */
export interface PersonMenuOptions {
  /** Opens the private conversation with them. */
  privateMessage(): void;
  /** Puts `@name ` in the room's message box. */
  mention(): void;
  /** Until when the page knows them to be muted (ms since epoch), if it does. */
  mutedUntil: number | undefined;
}

const untilFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });

/** The person menu and the settings panel. */
export class ModerationDialogs {
  readonly #menu = byId("moderate-dialog", HTMLDialogElement);
  readonly #settings = byId("settings-dialog", HTMLDialogElement);
  readonly #send: (frame: ModerationRequest) => boolean;
  readonly #notSent: () => void;
  #opener: HTMLElement | null = null;

  constructor(send: (frame: ModerationRequest) => boolean, notSent: () => void) {
    this.#send = send;
    this.#notSent = notSent;
    const select = byId("slow-select", HTMLSelectElement);
    select.replaceChildren(...SLOW_MODES.map((ms) => el("option", { attrs: { value: String(ms) } }, slowModeLabel(ms))));
    byId("settings-form", HTMLFormElement).addEventListener("submit", () => {
      this.#request({ type: "settings", slowMs: Number(select.value), locked: byId("lock-check", HTMLInputElement).checked });
    });
    byId("settings-cancel", HTMLButtonElement).addEventListener("click", () => this.#settings.close());
    byId("moderate-cancel", HTMLButtonElement).addEventListener("click", () => this.#menu.close());
    for (const dialog of [this.#menu, this.#settings]) dialog.addEventListener("close", () => this.#opener?.isConnected && this.#opener.focus());
  }

  /**
   * Opens the menu for `user`: a private conversation and a mention for everyone; for moderators
   * and owners, what they may do, with Kick and Ban confirmed (with an optional reason) and Unmute
   * offered only while the person is known to be muted. `mine` is this person's role, `theirs`
   * the user's as far as known.
   */
  openMenu(user: User, mine: Role, theirs: Role | undefined, options: PersonMenuOptions): void {
    this.#opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    byId("moderate-name", HTMLElement).textContent = user.name;
    const muted = options.mutedUntil !== undefined && options.mutedUntil > Date.now();
    const state = [theirs === "owner" ? "Owner of the room" : theirs === "moderator" ? "Moderator" : "Member", muted ? `muted until ${untilFormat.format(options.mutedUntil)}` : ""];
    byId("moderate-state", HTMLElement).textContent = state.filter(Boolean).join(" · ");
    const talk = [
      this.#plain("Private conversation", `Private conversation with ${user.name}`, options.privateMessage),
      this.#plain("Mention", `Mention ${user.name} in the room`, options.mention),
    ];
    byId("person-actions", HTMLElement).replaceChildren(...talk);
    const actions: HTMLElement[] = [];
    if (mayModerate(mine, theirs)) {
      const mutes = MUTES.map((m) => this.#button(m.label, `Mute ${user.name} for ${m.label}`, { type: "mute", user: user.id, ms: m.ms }));
      if (muted) mutes.push(this.#button("Unmute", `Unmute ${user.name}`, { type: "mute", user: user.id, ms: 0 }));
      actions.push(
        group("Remove", [this.#confirmed("Kick…", `Kick ${user.name}`, `Kick ${user.name}?`, "They leave the room now and may join again.", "Kick", (reason) => ({ type: "kick", user: user.id, ...reason }))]),
        group("Mute", mutes),
        group(
          "Ban",
          BANS.map((b) =>
            this.#confirmed(`${b.label}…`, `Ban ${user.name} for ${b.label}`, `Ban ${user.name} for ${b.label}?`, "They leave the room now and cannot come back until the ban ends.", "Ban", (reason) => ({ type: "ban", user: user.id, ms: b.ms, ...reason })),
          ),
        ),
      );
    }
    if (mine === "owner" && theirs !== "owner") {
      actions.push(
        group("Role", [
          theirs === "moderator"
            ? this.#button("Remove moderator", `Remove ${user.name} as moderator`, { type: "grant", user: user.id, role: "member" })
            : this.#button("Make moderator", `Make ${user.name} a moderator`, { type: "grant", user: user.id, role: "moderator" }),
        ]),
      );
    }
    if (actions.length === 0 && mine !== "member") {
      actions.push(el("p", { class: "hint" }, theirs === "owner" ? "Nobody can act on an owner of the room." : "Moderators cannot act on other moderators."));
    }
    byId("moderate-actions", HTMLElement).replaceChildren(...actions);
    this.#menu.showModal();
    talk[0]!.focus();
  }

  /** Opens the settings panel on the room's current settings. */
  openSettings(current: RoomSettings): void {
    this.#opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const select = byId("slow-select", HTMLSelectElement);
    if (!SLOW_MODES.includes(current.slowMs)) select.append(el("option", { attrs: { value: String(current.slowMs) } }, slowModeLabel(current.slowMs)));
    select.value = String(current.slowMs);
    byId("lock-check", HTMLInputElement).checked = current.locked;
    this.#settings.showModal();
    select.focus();
  }

  #plain(text: string, label: string, action: () => void): HTMLButtonElement {
    const button = el("button", { class: "button small", attrs: { type: "button", "aria-label": label } }, text);
    button.addEventListener("click", () => {
      this.#menu.close();
      action();
    });
    return button;
  }

  #button(text: string, label: string, frame: ModerationRequest): HTMLButtonElement {
    return this.#plain(text, label, () => this.#request(frame));
  }

  /** A button whose action is confirmed first, with an optional reason. */
  #confirmed(text: string, label: string, question: string, detail: string, confirm: string, frame: (reason: { reason?: string }) => ModerationRequest): HTMLButtonElement {
    return this.#plain(text, label, async () => {
      const reason = await confirmWithReason(question, detail, confirm);
      if (reason !== null) this.#request(frame(reason === "" ? {} : { reason }));
    });
  }

  #request(frame: ModerationRequest): void {
    if (!this.#send(frame)) this.#notSent();
  }
}

function group(title: string, buttons: HTMLElement[]): HTMLElement {
  return el("div", { class: "moderate-group", attrs: { role: "group", "aria-label": title } }, el("span", { class: "moderate-title" }, title), ...buttons);
}

/**
 * The moderation menu for one person (Kick, Mute, Ban, and for owners the moderator role) and the
 * room settings panel (slow mode, lock), for moderators and owners. The menu offers only what the
 * room allows as far as the page knows the roles (nobody acts on an owner, a moderator not on
 * another); where it does not know, the room decides and a refusal shows as an error.
 */
import type { BanFrame, GrantFrame, KickFrame, MuteFrame, Role, RoomSettings, SettingsRequestFrame, User } from "@edge-chat/protocol";
import { byId, el } from "./dom.ts";
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

/** The menu and the panel. */
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

  /** Opens the menu for `user`; `mine` is this person's role, `theirs` the user's as far as known. */
  openMenu(user: User, mine: Role, theirs: Role | undefined): void {
    this.#opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    byId("moderate-name", HTMLElement).textContent = user.name;
    const actions: HTMLElement[] = [];
    if (mayModerate(mine, theirs)) {
      actions.push(
        group("Remove", [this.#button("Kick", `Kick ${user.name}`, { type: "kick", user: user.id })]),
        group("Mute", [
          ...MUTES.map((m) => this.#button(m.label, `Mute ${user.name} for ${m.label}`, { type: "mute", user: user.id, ms: m.ms })),
          this.#button("Unmute", `Unmute ${user.name}`, { type: "mute", user: user.id, ms: 0 }),
        ]),
        group("Ban", BANS.map((b) => this.#button(b.label, `Ban ${user.name} for ${b.label}`, { type: "ban", user: user.id, ms: b.ms }))),
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
    if (actions.length === 0) {
      actions.push(el("p", { class: "hint" }, theirs === "owner" ? "Nobody can act on an owner of the room." : "Moderators cannot act on other moderators."));
    }
    byId("moderate-actions", HTMLElement).replaceChildren(...actions);
    this.#menu.showModal();
    (this.#menu.querySelector<HTMLButtonElement>("#moderate-actions button") ?? byId("moderate-cancel", HTMLButtonElement)).focus();
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

  #button(text: string, label: string, frame: ModerationRequest): HTMLButtonElement {
    const button = el("button", { class: "button small", attrs: { type: "button", "aria-label": label } }, text);
    button.addEventListener("click", () => {
      this.#menu.close();
      this.#request(frame);
    });
    return button;
  }

  #request(frame: ModerationRequest): void {
    if (!this.#send(frame)) this.#notSent();
  }
}

function group(title: string, buttons: HTMLElement[]): HTMLElement {
  return el("div", { class: "moderate-group", attrs: { role: "group", "aria-label": title } }, el("span", { class: "moderate-title" }, title), ...buttons);
}

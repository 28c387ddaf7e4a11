/**
 * Owners and moderators on the room page: the settings button and panel, the moderation menu
 * (from the online list and from messages), roles as they change (`welcome.self.role`, `grant`s),
 * quiet lines for `moderation` and `settings` frames, what keeps this person from posting (with a
 * countdown), and why their sockets were closed (a kick or a ban about them, seen before the close).
 */
import type { ListedUser, ModerationFrame, Role, RoomSettings, SettingsFrame, User, WelcomeFrame } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import type { Removal } from "./banner.ts";
import { byId, el } from "./dom.ts";
import { ModerationDialogs, mayModerate, type ModerationRequest } from "./moderation-dialog.ts";
import { moderationLine, settingsLine } from "./moderation-lines.ts";
import { Restrictions } from "./restrictions.ts";

/** What the moderation part needs from the room page. */
export interface ModerationHooks {
  /** Who this page is, and with which role. */
  me(): User;
  role(): Role;
  /** This person's role changed (a grant about them). */
  setRole(role: Role): void;
  /** Another user's role, as the page knows it, and a change to it. */
  roleOf(id: string): Role | undefined;
  setRoleOf(id: string, role: Role): void;
  send(frame: ModerationRequest): boolean;
  /** Adds a quiet system line. */
  line(parts: (Node | string)[]): void;
}

/** The room page's moderation. */
export class RoomModeration {
  readonly #hooks: ModerationHooks;
  readonly #dialogs: ModerationDialogs;
  readonly #restrictions = new Restrictions(byId("restriction", HTMLElement));
  readonly #settingsButton = byId("settings-button", HTMLButtonElement);
  #settings: RoomSettings = { slowMs: 0, locked: false };
  #removal: Removal | undefined;

  constructor(hooks: ModerationHooks, notSent: () => void) {
    this.#hooks = hooks;
    this.#dialogs = new ModerationDialogs((frame) => hooks.send(frame), notSent);
    this.#settingsButton.addEventListener("click", () => this.#dialogs.openSettings(this.#settings));
  }

  /** Why this person was removed, if a moderation frame about them said so. */
  get removal(): Removal | undefined {
    return this.#removal;
  }

  /** A welcome: the settings and this person's role as the room sees them now. */
  welcome(welcome: WelcomeFrame): void {
    this.#removal = undefined;
    this.#settings = welcome.settings;
    this.#roleChanged(welcome.self.role);
  }

  /** A `moderation` frame: a line for everyone; for this person, what it means for them. */
  moderation(frame: ModerationFrame): void {
    this.#hooks.line(moderationLine(frame));
    const aboutMe = frame.user.id === this.#hooks.me().id;
    if (frame.action === "grant" && frame.role) {
      this.#hooks.setRoleOf(frame.user.id, frame.role);
      // An owner stays owner on this socket whatever the granted role says.
      if (aboutMe && this.#hooks.role() !== "owner") this.#roleChanged(frame.role);
    }
    if (!aboutMe) return;
    if (frame.action === "mute") this.#restrictions.muted(frame.until ?? 0);
    if (frame.action === "kick") this.#removal = { by: frame.by.name };
    if (frame.action === "ban" && frame.until !== undefined) this.#removal = { by: frame.by.name, bannedUntil: frame.until };
  }

  /** A `settings` frame: a line, and the restrictions follow. */
  settings(frame: SettingsFrame): void {
    this.#hooks.line(settingsLine(frame, this.#settings));
    this.#settings = { slowMs: frame.slowMs, locked: frame.locked };
    this.#restrictions.update(this.#settings, this.#hooks.role());
  }

  /** The room refused something of this person's: a mute or slow mode shows with its countdown. */
  refused(error: RoomError): void {
    const until = Date.now() + (error.retryAfterMs ?? 0);
    if (error.code === "muted") this.#restrictions.muted(until);
    if (error.code === "slow_mode") this.#restrictions.slowed(until);
  }

  /** One of this person's messages was stored (slow mode counts from it). */
  sent(): void {
    this.#restrictions.sent();
  }

  /** The "⋯" beside a person in the list, for moderators and owners; null when they can do nothing there. */
  personControl(user: ListedUser): HTMLElement | null {
    const mine = this.#hooks.role();
    const theirs = user.role ?? this.#hooks.roleOf(user.id);
    if (!mayModerate(mine, theirs) && !(mine === "owner" && theirs !== "owner")) return null;
    const button = el("button", { class: "person-moderate", attrs: { type: "button", "aria-label": `Moderate ${user.name}`, title: `Moderate ${user.name}`, "aria-haspopup": "dialog" } }, "⋯");
    button.addEventListener("click", () => this.moderate(user));
    return button;
  }

  /** Opens the moderation menu for a person. */
  moderate(user: User): void {
    this.#dialogs.openMenu(user, this.#hooks.role(), this.#hooks.roleOf(user.id));
  }

  #roleChanged(role: Role): void {
    this.#hooks.setRole(role);
    this.#settingsButton.hidden = role === "member";
    const badge = byId("me-role", HTMLElement);
    badge.hidden = role === "member";
    badge.className = `role-badge ${role}`;
    badge.textContent = role;
    this.#restrictions.update(this.#settings, role);
  }
}

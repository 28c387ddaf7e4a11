/**
 * Owners and moderators on the room page: the settings button and panel, the moderation menu
 * (from the online list and from messages), roles as they change (`welcome.self.role`, `grant`s),
 * quiet lines for `moderation` and `settings` frames, what keeps this person from posting (with a
 * countdown), and why their sockets were closed (a kick or a ban about them, seen before the close).
 */
import type { ListedUser, ModerationFrame, Role, RoomSettings, SettingsFrame, User, WelcomeFrame } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import { byId, el } from "./dom.ts";
import { ModerationDialogs, mayModerate, type ModerationRequest } from "./moderation-dialog.ts";
import { moderationLine, settingsLine } from "./moderation-lines.ts";
import { Restrictions, type Removal } from "./restrictions.ts";

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
  /** Opens the private conversation with a person. */
  privateMessage(user: User): void;
  /** Puts a mention of a person in the room's message box. */
  mention(user: User): void;
  /** Rejoins after a kick or the end of a ban. */
  rejoin(): void;
}

/** The room page's moderation. */
export class RoomModeration {
  readonly #hooks: ModerationHooks;
  readonly #dialogs: ModerationDialogs;
  readonly #restrictions: Restrictions;
  readonly #settingsButton = byId("settings-button", HTMLButtonElement);
  /** Mutes the page saw announced, by user id (ms since epoch): the menu shows them and offers Unmute. */
  readonly #mutes = new Map<string, number>();
  #settings: RoomSettings = { slowMs: 0, locked: false };
  #removal: Removal | undefined;

  constructor(hooks: ModerationHooks, notSent: () => void) {
    this.#hooks = hooks;
    this.#restrictions = new Restrictions(
      {
        panel: byId("restriction", HTMLElement),
        text: byId("restriction-text", HTMLElement),
        rejoin: byId("restriction-rejoin", HTMLButtonElement),
        composer: byId("composer", HTMLElement),
        slowNote: byId("slow-note", HTMLElement),
      },
      () => hooks.rejoin(),
    );
    this.#dialogs = new ModerationDialogs((frame) => hooks.send(frame), notSent);
    this.#settingsButton.addEventListener("click", () => this.#dialogs.openSettings(this.#settings));
  }

  /** True while this person is kicked or banned: nothing may be sent or queued. */
  get removed(): boolean {
    return this.#restrictions.removed;
  }

  /** The room closed this person's sockets (a kick or a ban), or refused their hello as banned until `until`. */
  closedOut(bannedUntil?: number): void {
    const removal: Removal = bannedUntil === undefined ? (this.#removal ?? { kind: "kicked" }) : { ...this.#removal, kind: "banned", until: bannedUntil };
    this.#restrictions.removal(removal);
  }

  /** A welcome: the settings and this person's role as the room sees them now. */
  welcome(welcome: WelcomeFrame): void {
    this.#removal = undefined;
    this.#restrictions.removal(undefined);
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
    if (frame.action === "mute") this.#mutes.set(frame.user.id, frame.until ?? 0);
    if (!aboutMe) return;
    const why = { by: frame.by.name, ...(frame.reason === undefined ? {} : { reason: frame.reason }) };
    if (frame.action === "mute") this.#restrictions.muted(frame.until ?? 0, why.by, frame.reason);
    if (frame.action === "kick") this.#removal = { kind: "kicked", ...why };
    if (frame.action === "ban" && frame.until !== undefined) this.#removal = { kind: "banned", ...why, until: frame.until };
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

  /** The "⋯" beside a person in the list, for moderators and owners (the same menu as a click on the name); null when they can do nothing there. */
  personControl(user: ListedUser): HTMLElement | null {
    const mine = this.#hooks.role();
    const theirs = user.role ?? this.#hooks.roleOf(user.id);
    if (!mayModerate(mine, theirs) && !(mine === "owner" && theirs !== "owner")) return null;
    const button = el("button", { class: "person-moderate", attrs: { type: "button", "aria-label": `Moderate ${user.name}`, title: `Moderate ${user.name}`, "aria-haspopup": "dialog" } }, "⋯");
    button.addEventListener("click", () => this.moderate(user));
    return button;
  }

  /** Opens the menu of a person: a private conversation, a mention, and moderation for moderators and owners. */
  moderate(user: User): void {
    this.#dialogs.openMenu(user, this.#hooks.role(), this.#hooks.roleOf(user.id), {
      privateMessage: () => this.#hooks.privateMessage(user),
      mention: () => this.#hooks.mention(user),
      mutedUntil: this.#mutes.get(user.id),
    });
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

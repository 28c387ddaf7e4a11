/**
 * Presence on the room page: the roster (roster.ts) drawn as the online list and the full-list
 * dialog, kept up with `welcome`, `join`, `leave`, `occupancy` and `rename`, and the `members`
 * pages the room answers, in the order they were asked for: the dialog's pages, and a refresh of
 * the whole list when the room is back to 100 or fewer online and the list does not match.
 */
import type { JoinFrame, LeaveFrame, ListedUser, MembersFrame, MembersRequestFrame, User, WelcomeFrame } from "@edge-chat/protocol";
import { Roster } from "@edge-chat/client";
import { byId } from "./dom.ts";
import { MembersDialog } from "./members-dialog.ts";
import { PeopleList } from "./people.ts";

/** Members per page when the whole list is fetched again (at most 100 are online then). */
const REFRESH_LIMIT = 500;

/** What picking someone does, and how requests reach the room. */
export interface PresenceHooks {
  /** Sends a members request; false when not connected. */
  send(frame: MembersRequestFrame): boolean;
  pick(user: User): void;
  pickSelf(): void;
  /** A control of the page's own to put beside a person (moderation), or null. */
  extra(user: ListedUser): HTMLElement | null;
}

/** The online list, its count and the full list. */
export class PresenceView {
  readonly roster = new Roster();
  readonly #people: PeopleList;
  readonly #dialog: MembersDialog;
  readonly #hooks: PresenceHooks;
  /** Who asked for each `members` page still to come (the room answers in order). */
  readonly #waiting: ("dialog" | "refresh")[] = [];
  /** The pages of a refresh of the whole list, while one is under way. */
  #refreshing: ListedUser[] | undefined;
  /** The count at the last refresh: a list that still does not match is not asked for again. */
  #refreshedAt: number | undefined;
  #selfId = "";

  constructor(hooks: PresenceHooks) {
    this.#hooks = hooks;
    const close = () => byId("members-dialog", HTMLDialogElement).close();
    this.#people = new PeopleList(
      {
        list: byId("people-list", HTMLUListElement),
        count: byId("people-count", HTMLElement),
        toggleCount: byId("people-toggle-count", HTMLElement),
        more: byId("people-more", HTMLButtonElement),
      },
      this.roster,
      {
        pick: (user) => {
          close();
          hooks.pick(user);
        },
        pickSelf: () => {
          close();
          hooks.pickSelf();
        },
        openAll: () => this.#dialog.open(),
        extra: (user) => hooks.extra(user),
      },
    );
    this.#dialog = new MembersDialog(
      {
        dialog: byId("members-dialog", HTMLDialogElement),
        list: byId("members-list", HTMLUListElement),
        heading: byId("members-count", HTMLElement),
        status: byId("members-status", HTMLElement),
        page: byId("members-page", HTMLElement),
        prev: byId("members-prev", HTMLButtonElement),
        next: byId("members-next", HTMLButtonElement),
        close: byId("members-close", HTMLButtonElement),
        search: byId("members-search", HTMLInputElement),
      },
      {
        request: (after, limit) => this.#ask("dialog", after, limit),
        row: (user) => this.#people.row(user),
        online: () => this.roster.online,
      },
    );
  }

  /** A welcome: the list and count start over; requests of the old connection are forgotten. */
  welcome(welcome: WelcomeFrame): void {
    this.#selfId = welcome.self.id;
    this.roster.reset(welcome);
    this.#waiting.length = 0;
    this.#refreshing = undefined;
    this.#refreshedAt = undefined;
    this.#changed();
    this.#dialog.reconnected();
  }

  /** A user came online. */
  join(frame: JoinFrame): void {
    this.roster.join(frame.user, frame.online);
    this.#changed();
  }

  /** This person was put out of the room (a kick or a ban): the list no longer says who is online, nor that they are. */
  out(): void {
    this.#people.out();
  }

  /** A user went offline. */
  leave(frame: LeaveFrame): void {
    this.roster.leave(frame.user.id, frame.online);
    this.#changed();
  }

  /** The count changed without a join or leave. */
  occupancy(online: number): void {
    this.roster.occupancy(online);
    this.#changed();
  }

  /** A user changed name. */
  rename(user: User): void {
    this.roster.rename(user);
    this.render();
  }

  /** A page of members arrived: for the dialog, or part of a refresh. */
  members(frame: MembersFrame): void {
    const purpose = this.#waiting.shift();
    this.roster.learn(frame.users);
    if (purpose === "dialog") return this.#dialog.receive(frame);
    if (purpose !== "refresh" || !this.#refreshing) return;
    this.#refreshing.push(...frame.users);
    if (frame.next !== undefined && this.#ask("refresh", frame.next, REFRESH_LIMIT)) return;
    this.roster.replace(this.#refreshing);
    this.#refreshing = undefined;
    this.#refreshedAt = this.roster.online;
    this.render();
  }

  /** The room said "too fast" to a request without an id (members or history). */
  rateLimited(retryAfterMs: number): void {
    this.#dialog.rateLimited(retryAfterMs);
  }

  /** Draws the list again (roles or names changed). */
  render(): void {
    this.#people.render(this.#selfId);
    this.#dialog.update();
  }

  #ask(purpose: "dialog" | "refresh", after: string | undefined, limit: number): boolean {
    const frame: MembersRequestFrame = after === undefined ? { type: "members", limit } : { type: "members", after, limit };
    if (!this.#hooks.send(frame)) return false;
    this.#waiting.push(purpose);
    return true;
  }

  /** The count or the list changed: draw them, and fetch the whole list when it fell behind. */
  #changed(): void {
    this.render();
    if (this.roster.stale && this.#refreshing === undefined && this.#refreshedAt !== this.roster.online) {
      this.#refreshing = [];
      if (!this.#ask("refresh", undefined, REFRESH_LIMIT)) this.#refreshing = undefined;
    }
  }
}

/**
 * Who is online, as PROTOCOL.md's "Presence" asks a client to keep it, without any DOM: the list
 * the welcome gave (at most 100 users), kept up with `join`, `leave` and `rename`, the `online`
 * count from the latest `welcome`, `join`, `leave` or `occupancy`, and the roles the page has
 * learnt (from lists and `grant`s), also for people it does not list.
 */
import type { ListedUser, Role, User, WelcomeFrame } from "@edge-chat/protocol";

/** Up to this many online, a room sends joins and leaves and the list can be complete. */
export const LISTED_MAX = 100;

/** The page's view of the room's people. */
export class Roster {
  readonly #users = new Map<string, ListedUser>();
  readonly #roles = new Map<string, Role>();
  #online = 0;
  #selfId = "";

  /** Starts over from a welcome. */
  reset(welcome: WelcomeFrame): void {
    this.#users.clear();
    this.#selfId = welcome.self.id;
    for (const user of welcome.users) this.#list(user);
    this.#list({ id: welcome.self.id, name: welcome.self.name, ...(welcome.self.role === "member" ? {} : { role: welcome.self.role }) });
    this.#online = welcome.online;
  }

  /** A user came online (`join`). */
  join(user: ListedUser, online: number): void {
    this.#list(user);
    this.#online = online;
  }

  /** A user went offline (`leave`). */
  leave(id: string, online: number): void {
    this.#users.delete(id);
    this.#online = online;
  }

  /** The count changed without a join or leave (`occupancy`). */
  occupancy(online: number): void {
    this.#online = online;
  }

  /** A user changed name; only listed users are shown by name. */
  rename(user: User): void {
    const listed = this.#users.get(user.id);
    if (listed) listed.name = user.name;
  }

  /** Replaces the list with the room's whole list (every `members` page, when at most 100 are online). */
  replace(users: readonly ListedUser[]): void {
    this.#users.clear();
    for (const user of users) this.#list(user);
  }

  /** Learns the roles in a page of members without listing them. */
  learn(users: readonly ListedUser[]): void {
    for (const user of users) this.#roles.set(user.id, user.role ?? "member");
  }

  /** A `grant` changed a user's role. */
  setRole(id: string, role: Role): void {
    this.#roles.set(id, role);
    const listed = this.#users.get(id);
    if (!listed) return;
    if (role === "member") delete listed.role;
    else listed.role = role;
  }

  /** The role the page knows for a user (undefined: not known). */
  roleOf(id: string): Role | undefined {
    return this.#roles.get(id);
  }

  /** How many users are online. */
  get online(): number {
    return this.#online;
  }

  /** The users listed: self first, then by name. */
  listed(): ListedUser[] {
    const collator = new Intl.Collator(undefined, { sensitivity: "base" });
    return [...this.#users.values()].sort((a, b) => {
      if (a.id === this.#selfId) return -1;
      if (b.id === this.#selfId) return 1;
      return collator.compare(a.name, b.name);
    });
  }

  /** A listed user by id. */
  get(id: string): ListedUser | undefined {
    return this.#users.get(id);
  }

  /** How many online users the list does not hold ("and N more"). */
  get unlisted(): number {
    return Math.max(0, this.#online - this.#users.size);
  }

  /** True when the room is small enough to list and the list does not match its count: ask for `members`. */
  get stale(): boolean {
    return this.#online <= LISTED_MAX && this.#users.size !== this.#online;
  }

  /** True while the room drops typing notices and per-user joins and leaves. */
  get crowded(): boolean {
    return this.#online > LISTED_MAX;
  }

  #list(user: ListedUser): void {
    this.#users.set(user.id, { ...user });
    this.#roles.set(user.id, user.role ?? "member");
  }
}

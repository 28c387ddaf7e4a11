/**
 * Who is online, as the room's core sees it: connections (a socket of the room's own or of one
 * of its shards) grouped into users, with the indexes that keep every join O(1)-ish whatever the
 * size of the room: normalized name → user (uniqueness), and ids in ascending order (paging).
 * Nothing here touches a socket; the I/O layers rebuild it from what they hold when they wake.
 */
import { nameKey } from "@edge-chat/protocol/names";
import type { ListedUser, User } from "@edge-chat/protocol";
import { NameSuffixes } from "./names.ts";

/** A connection the room has welcomed. */
export interface Conn {
  /** Unique within the room: `<shard>:<n>`, shard 0 being the room's own object. */
  key: string;
  /** The user's public id. */
  user: string;
  /** This connection presented a valid owner key. */
  owner: boolean;
  /** Order of admission: a frame queued before a conn joined never reaches it. */
  serial: number;
  /** Present when the connection was admitted with a signed token (PROTOCOL.md v3). */
  signed?: SignedConn;
}

/** What a connection admitted with a signed token keeps of it. */
export interface SignedConn {
  /** The token's `exp` (seconds), as last refreshed; the socket's holder closes it after. */
  exp: number;
  /** A `role` claim other than owner (an owner claim makes `owner` true, as a key does). */
  role?: "moderator" | "member";
}

/** A user online, with every one of their connections. */
export interface OnlineUser {
  id: string;
  name: string;
  conns: Set<string>;
  /** How many of the connections presented the owner key (or an owner role claim). */
  ownerConns: number;
  /** How many of the connections carry a `role` claim of moderator, and of member. */
  moderatorClaims: number;
  memberClaims: number;
}

/** The room's presence index. */
export class Presence {
  readonly #conns = new Map<string, Conn>();
  readonly #users = new Map<string, OnlineUser>();
  readonly #names = new Map<string, string>();
  /** Where the suffixes of names asked for while taken stand; told of every name freed. */
  readonly #suffixes = new NameSuffixes();
  /** Online user ids in ascending order (plain string order, as SQLite's BINARY collation). */
  readonly #sorted: string[] = [];

  /** How many users are online. */
  get online(): number {
    return this.#users.size;
  }

  /** Adds a welcomed connection; true when it is its user's first (the user came online). */
  add(conn: Conn, name: string): boolean {
    this.#conns.set(conn.key, conn);
    const existing = this.#users.get(conn.user);
    if (existing) {
      existing.conns.add(conn.key);
      count(existing, conn, 1);
      return false;
    }
    const user: OnlineUser = { id: conn.user, name, conns: new Set([conn.key]), ownerConns: 0, moderatorClaims: 0, memberClaims: 0 };
    count(user, conn, 1);
    this.#users.set(conn.user, user);
    this.#names.set(nameKey(name), conn.user);
    this.#sorted.splice(this.#insertionPoint(conn.user), 0, conn.user);
    return true;
  }

  /** Removes a connection; returns its user and whether that was the user's last connection. */
  remove(key: string): { conn: Conn; user: User; last: boolean } | undefined {
    const conn = this.#conns.get(key);
    if (!conn) return undefined;
    this.#conns.delete(key);
    const entry = this.#users.get(conn.user)!;
    entry.conns.delete(key);
    count(entry, conn, -1);
    const user = { id: entry.id, name: entry.name };
    if (entry.conns.size > 0) return { conn, user, last: false };
    this.#users.delete(conn.user);
    if (this.#names.get(nameKey(entry.name)) === conn.user) {
      this.#names.delete(nameKey(entry.name));
      this.#suffixes.freed(entry.name);
    }
    const at = this.#insertionPoint(conn.user);
    if (this.#sorted[at] === conn.user) this.#sorted.splice(at, 1);
    return { conn, user, last: true };
  }

  /** A welcomed connection by key. */
  conn(key: string): Conn | undefined {
    return this.#conns.get(key);
  }

  /** The user online under `id`. */
  user(id: string): OnlineUser | undefined {
    return this.#users.get(id);
  }

  /** The connection keys of a user (empty when offline). */
  connsOf(id: string): ReadonlySet<string> {
    return this.#users.get(id)?.conns ?? new Set();
  }

  /**
   * The name `self` gets when asking for `wanted`: it, or its first free suffix (names.ts). The
   * user's own current name never counts as taken.
   */
  uniqueName(wanted: string, self: string): string {
    return this.#suffixes.pick(wanted, (name) => this.isTaken(name, self), this.#users.get(self)?.name);
  }

  /** True when a user other than `self` holds `name`, compared as `nameKey` says. */
  isTaken(name: string, self?: string): boolean {
    const holder = this.#names.get(nameKey(name));
    return holder !== undefined && holder !== self;
  }

  /** Renames an online user. */
  rename(id: string, name: string): void {
    const entry = this.#users.get(id);
    if (!entry) return;
    const old = entry.name;
    if (this.#names.get(nameKey(old)) === id) this.#names.delete(nameKey(old));
    entry.name = name;
    this.#names.set(nameKey(name), id);
    if (!this.#names.has(nameKey(old))) this.#suffixes.freed(old);
  }

  /** Up to `max` users for a welcome: `self` first, then others in id order. */
  sample(self: string, max: number, listed: (u: OnlineUser) => ListedUser): ListedUser[] {
    const out = [listed(this.#users.get(self)!)];
    for (const id of this.#sorted) {
      if (out.length >= max) break;
      if (id !== self) out.push(listed(this.#users.get(id)!));
    }
    return out;
  }

  /** One page of users online with ids after `after`, ascending; `next` when more follow. */
  page(after: string | undefined, limit: number, listed: (u: OnlineUser) => ListedUser): { users: ListedUser[]; next?: string } {
    let start = after === undefined ? 0 : this.#insertionPoint(after);
    if (after !== undefined && this.#sorted[start] === after) start++;
    const ids = this.#sorted.slice(start, start + limit);
    const users = ids.map((id) => listed(this.#users.get(id)!));
    return start + limit < this.#sorted.length ? { users, next: ids.at(-1)! } : { users };
  }

  /** Binary search: the index of the first id not below `id`. */
  #insertionPoint(id: string): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#sorted[mid]! < id) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Adds (or takes away) what a connection counts toward its user's role. */
function count(user: OnlineUser, conn: Conn, by: 1 | -1): void {
  if (conn.owner) user.ownerConns += by;
  if (conn.signed?.role === "moderator") user.moderatorClaims += by;
  if (conn.signed?.role === "member") user.memberClaims += by;
}

/**
 * The rules of who is online and what they are called, past the hello (`hello.ts`): leaving,
 * being removed by moderation, `rename`, `typing`, `members`, and the `occupancy` frame that
 * stands in for joins and leaves above 100 online. What they remember (the typing throttle,
 * connections the room closed itself, when occupancy was last sent) is memory only: losing it to
 * an eviction lets at most one more typing or occupancy frame through.
 */
import { LIMITS, TIMINGS } from "@edge-chat/protocol";
import type { MembersRequestFrame, RenameFrame } from "@edge-chat/protocol";
import type { Conn } from "./presence.ts";
import type { RuleContext } from "./rule-context.ts";

/** How many closed connections are remembered, so that their frames still in flight are dropped. */
const REMEMBER_REMOVED = 10_000;

/** Presence rules of one room, with what they remember between frames. */
export class PresenceRules {
  readonly #room: RuleContext;
  /** Per-user time of the last `typing` passed on. */
  readonly #typingAt = new Map<string, number>();
  /** Connections closed by moderation: frames they sent before the close are dropped. */
  readonly #removed = new Set<string>();
  #occupancyDirty = false;
  #occupancySentAt = -Infinity;

  constructor(room: RuleContext) {
    this.#room = room;
  }

  /** True when the room closed this connection itself (its late frames are dropped). */
  isRemoved(key: string): boolean {
    return this.#removed.has(key);
  }

  /** A connection went away: if it was its user's last, the user left. */
  closed(key: string): void {
    const room = this.#room;
    const gone = room.presence.remove(key);
    if (!gone || !gone.last) return;
    this.#typingAt.delete(gone.user.id);
    room.left(gone.user.id);
    const before = room.presence.online + 1;
    if (before <= LIMITS.usersListed) {
      const user = room.userObject(gone.user.id, gone.user.name);
      room.queue.frame({ to: "all", except: gone.user.id }, { type: "leave", user, online: room.presence.online });
    } else {
      this.#occupancyDirty = true;
    }
  }

  /** Closes every connection of a user now, before anything else they sent is handled. */
  removeUser(userId: string, code: number, reason: string): void {
    for (const key of [...this.#room.presence.connsOf(userId)]) {
      this.forget(key);
      this.closed(key);
    }
    this.#room.queue.close({ user: userId }, code, reason);
  }

  /** Takes a connection out now and drops whatever it still sends (the room can no longer reach it). */
  drop(key: string): void {
    this.forget(key);
    this.closed(key);
  }

  /** The number online changed unannounced: an `occupancy` frame is due. */
  occupancyChanged(): void {
    this.#occupancyDirty = true;
  }

  /**
   * Sends the `occupancy` frame when the count changed unannounced and a second has passed since
   * the last one. Returns when to call again if one is still due, so the caller can set a timer.
   */
  tick(): number | undefined {
    if (!this.#occupancyDirty) return undefined;
    const due = this.#occupancySentAt + TIMINGS.occupancyMs;
    const now = this.#room.now();
    if (now < due) return due;
    this.#occupancyDirty = false;
    this.#occupancySentAt = now;
    this.#room.queue.frame({ to: "all" }, { type: "occupancy", online: this.#room.presence.online });
    return undefined;
  }

  /** Refused, or ending on the current name: nothing spent, nothing sent. Else it costs a token. */
  rename(conn: Conn, rename: RenameFrame): void {
    const room = this.#room;
    const mutedUntil = room.users.mutedUntil(conn.user);
    const now = room.now();
    if (mutedUntil > now) return room.error({ to: "conn", conn: conn.key }, "muted", "you are muted", undefined, mutedUntil - now);
    const old = room.presence.user(conn.user)!.name;
    const name = room.presence.uniqueName(rename.name, conn.user);
    if (name === old) return;
    if (!room.charge(conn)) return;
    room.presence.rename(conn.user, name);
    room.users.seen({ id: conn.user, name });
    room.hooks.renamed(conn.user, name);
    room.queue.frame({ to: "all" }, { type: "rename", user: room.userObject(conn.user, name), old });
  }

  /** At most one per user per 2 s, to everyone else; none while more than 100 are online. */
  typing(conn: Conn): void {
    const room = this.#room;
    if (room.presence.online > LIMITS.usersListed) return;
    const now = room.now();
    if (now - (this.#typingAt.get(conn.user) ?? -Infinity) < TIMINGS.typingThrottleMs) return;
    this.#typingAt.set(conn.user, now);
    const user = room.userObject(conn.user, room.presence.user(conn.user)!.name);
    room.queue.frame({ to: "all", except: conn.user }, { type: "typing", user });
  }

  /** One page of the users online, in id order. */
  members(conn: Conn, request: MembersRequestFrame): void {
    const room = this.#room;
    if (!room.charge(conn)) return;
    const page = room.presence.page(request.after, request.limit ?? LIMITS.membersDefault, (u) => room.listed(u));
    room.reply(conn, { type: "members", ...page });
  }

  /** Forgets a connection the room closes itself, so its frames still in flight are dropped. */
  forget(key: string): void {
    this.#removed.add(key);
    if (this.#removed.size > REMEMBER_REMOVED) this.#removed.delete(this.#removed.values().next().value!);
  }
}

/**
 * What a room decides, apart from any socket: every frame is judged against the protocol's rules,
 * ordered, stored and addressed here, and the I/O layers (the room's own sockets, its shards)
 * only carry frames in and out. A test can drive it with a fake outlet and clock.
 *
 * Presence and the rules of hello, leave, rename, typing, history and members live in this file;
 * messages and their changes in `messaging.ts`, moderation in `moderation.ts`.
 */
import { LIMITS, TIMINGS } from "@edge-chat/protocol";
import type {
  ErrorCode,
  ErrorFrame,
  HelloFrame,
  HistoryRequestFrame,
  ListedUser,
  MembersRequestFrame,
  RenameFrame,
  SelfUser,
  SingleServerFrame,
  WelcomeFrame,
} from "@edge-chat/protocol";
import { frameRef, type Decoded } from "@edge-chat/protocol/validate";
import { Buckets } from "../storage/buckets.ts";
import type { RoomConfig } from "../config.ts";
import { EventLog } from "../storage/event-log.ts";
import { Folder } from "./folding.ts";
import { GroupCommit, type Audience, type Outlet, type Transaction } from "./group-commit.ts";
import { userIdFromToken } from "../identity/user-id.ts";
import { MessageStates } from "./message-states.ts";
import { handleMessageFrame } from "./messaging.ts";
import { handleModeration } from "./moderation.ts";
import { guestName, uniqueName } from "./names.ts";
import { hashOwnerKey, keyMatches } from "../identity/owner-keys.ts";
import { Presence, type Conn, type OnlineUser } from "./presence.ts";
import type { Bucket } from "./rate-limit.ts";
import { RoomSettingsStore } from "../storage/room-settings.ts";
import { Users } from "../storage/users.ts";

/** What the I/O layer that holds a connection is told about it. */
export interface ConnHooks {
  /** A hello was accepted on this connection; its welcome lists the log up to `seq`. */
  admitted(conn: Conn, name: string, seq: number): void;
  /** A user was renamed (their connections' records may keep the name). */
  renamed(userId: string, name: string): void;
  /** A token was spent by a frame of this connection; the bucket as it now stands. */
  charged(connKey: string, bucket: Bucket): void;
}

/** Everything a core needs from its object. */
export interface CoreDeps {
  sql: SqlStorage;
  transaction: Transaction;
  config: RoomConfig;
  outlet: Outlet;
  hooks: ConnHooks;
  now?: () => number;
}

/** How many closed connections are remembered, so that their frames still in flight are dropped. */
const REMEMBER_REMOVED = 10_000;

/** One room's rules and state. */
export class RoomCore {
  readonly config: RoomConfig;
  readonly log: EventLog;
  readonly folder: Folder;
  readonly states: MessageStates;
  readonly users: Users;
  readonly settings: RoomSettingsStore;
  readonly buckets: Buckets;
  readonly presence = new Presence();
  readonly queue: GroupCommit;
  readonly hooks: ConnHooks;
  readonly now: () => number;
  /** Per-user time of the last stored say, for slow mode (read from the log when missing). */
  readonly lastSay = new Map<string, number>();
  /** Per-user time of the last `typing` passed on; losing it on eviction only lets one more through. */
  readonly #typingAt = new Map<string, number>();
  /** Connections closed by moderation: frames they sent before the close are dropped. */
  readonly #removed = new Set<string>();
  /** The deployment's ADMIN_KEY, hashed once, as a room's own key is kept. */
  readonly #adminKeyHash: string | undefined;
  #lastSerial = 0;
  #occupancyDirty = false;
  #occupancySentAt = -Infinity;

  constructor(deps: CoreDeps) {
    this.config = deps.config;
    this.now = deps.now ?? Date.now;
    this.hooks = deps.hooks;
    this.#adminKeyHash = this.config.adminKey === undefined ? undefined : hashOwnerKey(this.config.adminKey);
    this.log = new EventLog(deps.sql);
    this.folder = new Folder(this.log);
    this.states = new MessageStates(this.log);
    this.users = new Users(deps.sql, this.now());
    this.settings = new RoomSettingsStore(this.log);
    this.buckets = new Buckets(deps.sql, this.config.burst, this.config.perSecond);
    this.queue = new GroupCommit(this.log, deps.outlet, deps.transaction);
    this.queue.onFailure = () => {
      this.states.reset();
      this.log.changed();
    };
    this.queue.deferred = this.users;
  }

  /** Puts back a connection its I/O layer kept through a hibernation (no frame is sent). */
  restore(conn: Conn, name: string, bucket?: Bucket): void {
    this.#lastSerial = Math.max(this.#lastSerial, conn.serial);
    if (this.presence.conn(conn.key) || this.#removed.has(conn.key)) return;
    const online = this.presence.user(conn.user);
    this.presence.add(conn, online?.name ?? name);
    if (bucket) this.buckets.restore(conn.user, bucket);
  }

  /** Judges one decoded frame from connection `key` and acts on it. */
  receive(key: string, decoded: Decoded): void {
    if (this.#removed.has(key)) return;
    const conn = this.presence.conn(key);
    const reply: Audience = { to: "conn", conn: key };
    if (!conn) {
      if (decoded.type !== undefined && decoded.type !== "hello") {
        const ref = decoded.ok ? frameRef(decoded.frame) : decoded.ref;
        return this.error(reply, "not_ready", "send hello first", ref);
      }
      if (!decoded.ok) return this.error(reply, decoded.code, decoded.message, decoded.ref);
      return this.#hello(key, decoded.frame as HelloFrame);
    }
    if (decoded.type === "hello") return this.error(reply, "bad_message", "hello was already accepted");
    if (!decoded.ok) return this.error(reply, decoded.code, decoded.message, decoded.ref);
    const frame = decoded.frame;
    switch (frame.type) {
      case "hello":
        return;
      case "rename":
        return this.#rename(conn, frame);
      case "typing":
        return this.#typing(conn);
      case "history":
        return this.#history(conn, frame);
      case "members":
        return this.#members(conn, frame);
      case "say":
      case "edit":
      case "delete":
      case "react":
        return handleMessageFrame(this, conn, frame);
      case "grant":
      case "kick":
      case "mute":
      case "ban":
      case "settings":
        return handleModeration(this, conn, frame);
    }
  }

  /** A connection went away: if it was its user's last, the user left. */
  closed(key: string): void {
    const gone = this.presence.remove(key);
    if (!gone || !gone.last) return;
    const now = this.now();
    this.buckets.left(gone.user.id, now);
    this.#typingAt.delete(gone.user.id);
    const before = this.presence.online + 1;
    if (before <= LIMITS.usersListed) {
      this.queue.frame({ to: "all", except: gone.user.id }, { type: "leave", user: gone.user, online: this.presence.online });
    } else {
      this.#occupancyDirty = true;
    }
  }

  /** Closes every connection of a user now, before anything else they sent is handled. */
  removeUser(userId: string, code: number, reason: string): void {
    for (const key of [...this.presence.connsOf(userId)]) {
      this.#forget(key);
      this.closed(key);
    }
    this.queue.close({ user: userId }, code, reason);
  }

  /**
   * Sends the `occupancy` frame when the count changed unannounced and a second has passed since
   * the last one. Returns when to call again if one is still due, so the caller can set a timer.
   */
  tick(): number | undefined {
    if (!this.#occupancyDirty) return undefined;
    const due = this.#occupancySentAt + TIMINGS.occupancyMs;
    const now = this.now();
    if (now < due) return due;
    this.#occupancyDirty = false;
    this.#occupancySentAt = now;
    this.queue.frame({ to: "all" }, { type: "occupancy", online: this.presence.online });
    return undefined;
  }

  /** The role a connection acts with. */
  roleOf(conn: Conn): SelfUser["role"] {
    if (conn.owner) return "owner";
    return this.users.isModerator(conn.user) ? "moderator" : "member";
  }

  /** A user as lists show them: `role` only when not a member. */
  listed(user: OnlineUser): ListedUser {
    if (user.ownerConns > 0) return { id: user.id, name: user.name, role: "owner" };
    if (this.users.isModerator(user.id)) return { id: user.id, name: user.name, role: "moderator" };
    return { id: user.id, name: user.name };
  }

  /** The name a user goes by now: online, or as last seen. */
  nameOf(userId: string): string {
    return this.presence.user(userId)?.name ?? this.users.get(userId)?.name ?? "";
  }

  /** Sends an error frame (after whatever waits for the same socket). */
  error(to: Audience, code: ErrorCode, message: string, ref?: string, retryAfterMs?: number): void {
    const frame: ErrorFrame = { type: "error", code, message };
    if (ref !== undefined) frame.ref = ref;
    if (retryAfterMs !== undefined) frame.retryAfterMs = retryAfterMs;
    this.queue.frame(to, frame);
  }

  /** Takes a token from the user's bucket; answers `rate_limited` and returns false when empty. */
  charge(conn: Conn, ref?: string): boolean {
    const take = this.buckets.take(conn.user, this.now());
    if (!take.ok) {
      this.error({ to: "conn", conn: conn.key }, "rate_limited", "slow down", ref, take.retryAfterMs);
      return false;
    }
    this.buckets.commit(conn.user, take.bucket);
    this.hooks.charged(conn.key, take.bucket);
    return true;
  }

  /** Sends a frame to one connection. */
  reply(conn: Conn, frame: SingleServerFrame): void {
    this.queue.frame({ to: "conn", conn: conn.key }, frame);
  }

  #hello(key: string, hello: HelloFrame): void {
    const reply: Audience = { to: "conn", conn: key };
    const id = userIdFromToken(hello.token);
    const now = this.now();
    let owner = false;
    if (hello.key !== undefined) {
      // Both compared as hashes, in constant time: the time a refusal takes tells nothing of either key.
      owner = keyMatches(hello.key, this.settings.ownerKeyHash) || keyMatches(hello.key, this.#adminKeyHash);
      if (!owner) return this.error(reply, "forbidden", "that is not an owner key of this room");
    }
    const bannedUntil = this.users.bannedUntil(id);
    if (!owner && bannedUntil > now) return this.error(reply, "banned", "you are banned from this room", undefined, bannedUntil - now);

    // A second socket of an online user joins under the user's current name.
    const online = this.presence.user(id);
    const taken = (name: string) => this.presence.isTaken(name, id);
    const name = online?.name ?? (hello.name !== undefined ? uniqueName(hello.name, taken) : guestName(taken));
    const conn: Conn = { key, user: id, owner, serial: this.#nextSerial(now) };
    const first = this.presence.add(conn, name);
    this.users.seen({ id, name });
    // Remembered for good (after `seen`, which makes the user's row): nobody may act on an owner.
    if (owner) this.users.setOwner(id);
    this.hooks.admitted(conn, name, this.log.lastSeq);

    const resume = this.#resume(id, hello);
    const self = { id, name, role: this.roleOf(conn) };
    const welcome: WelcomeFrame = {
      type: "welcome",
      self,
      users: this.presence.sample(id, LIMITS.usersListed, (u) => this.listed(u)),
      online: this.presence.online,
      messages: resume.messages,
      seq: this.log.lastSeq,
      epoch: this.log.epoch,
      resumed: resume.resumed,
      settings: this.settings.current,
      limits: {
        text: LIMITS.text,
        name: LIMITS.name,
        burst: this.config.burst,
        perSecond: this.config.perSecond,
        reactions: LIMITS.reactions,
        usersListed: LIMITS.usersListed,
      },
    };
    // Nothing waiting can reach this connection yet: frames queued before it are for the others,
    // and stored events waiting have seqs after `welcome.seq`, so they follow it.
    this.queue.now(reply, welcome);
    if (!first) return;
    if (this.presence.online <= LIMITS.usersListed) {
      const user = this.listed(this.presence.user(id)!);
      this.queue.frame({ to: "all", except: id, upTo: conn.serial }, { type: "join", user, online: this.presence.online });
    } else {
      this.#occupancyDirty = true;
    }
  }

  /** Every event after `since` the user may see, if the log can prove it complete; else the latest page. */
  #resume(viewer: string, hello: HelloFrame): { resumed: boolean; messages: WelcomeFrame["messages"] } {
    const { since, epoch } = hello;
    if (since !== undefined && epoch === this.log.epoch && since <= this.log.lastSeq && since >= this.log.prunedThrough) {
      const rows = this.log.eventRowsAfter(viewer, since, LIMITS.resumeMax + 1);
      if (rows.length <= LIMITS.resumeMax) return { resumed: true, messages: this.folder.events(rows, viewer) };
    }
    const rows = this.log.messageRows(viewer, LIMITS.pageDefault).reverse();
    return { resumed: false, messages: this.folder.messages(rows, viewer) };
  }

  /** Refused, or ending on the current name: nothing spent, nothing sent. Else it costs a token. */
  #rename(conn: Conn, rename: RenameFrame): void {
    const mutedUntil = this.users.mutedUntil(conn.user);
    const now = this.now();
    if (mutedUntil > now) return this.error({ to: "conn", conn: conn.key }, "muted", "you are muted", undefined, mutedUntil - now);
    const old = this.presence.user(conn.user)!.name;
    const name = uniqueName(rename.name, (n) => this.presence.isTaken(n, conn.user));
    if (name === old) return;
    if (!this.charge(conn)) return;
    this.presence.rename(conn.user, name);
    this.users.seen({ id: conn.user, name });
    this.hooks.renamed(conn.user, name);
    this.queue.frame({ to: "all" }, { type: "rename", user: { id: conn.user, name }, old });
  }

  #typing(conn: Conn): void {
    if (this.presence.online > LIMITS.usersListed) return;
    const now = this.now();
    if (now - (this.#typingAt.get(conn.user) ?? -Infinity) < TIMINGS.typingThrottleMs) return;
    this.#typingAt.set(conn.user, now);
    const user = { id: conn.user, name: this.presence.user(conn.user)!.name };
    this.queue.frame({ to: "all", except: conn.user }, { type: "typing", user });
  }

  #history(conn: Conn, request: HistoryRequestFrame): void {
    if (!this.charge(conn)) return;
    const limit = request.limit ?? LIMITS.pageDefault;
    const rows = this.log.messageRows(conn.user, limit + 1, request.before);
    const hasMore = rows.length > limit;
    const messages = this.folder.messages(rows.slice(0, limit).reverse(), conn.user);
    this.reply(conn, { type: "history", messages, hasMore });
  }

  #members(conn: Conn, request: MembersRequestFrame): void {
    if (!this.charge(conn)) return;
    const page = this.presence.page(request.after, request.limit ?? LIMITS.membersDefault, (u) => this.listed(u));
    this.reply(conn, { type: "members", ...page });
  }

  /** Forgets a connection the room closes itself, so its frames still in flight are dropped. */
  #forget(key: string): void {
    this.#removed.add(key);
    if (this.#removed.size > REMEMBER_REMOVED) this.#removed.delete(this.#removed.values().next().value!);
  }

  /** Serials grow across restarts too: they start from the clock. */
  #nextSerial(now: number): number {
    this.#lastSerial = Math.max(this.#lastSerial + 1, now * 1_000);
    return this.#lastSerial;
  }
}

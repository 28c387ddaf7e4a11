/**
 * One room's parts, put together: the log and its folding, the rules' view of messages, users,
 * settings, buckets, presence and the group commit, wired so that each commit tells whom it must
 * (the cached view of messages lets go of what was stored; a failure drops it). It implements
 * what a rule may read and do (`rule-context.ts`); the core (`room-core.ts`) is its only owner.
 */
import type { ErrorCode, ErrorFrame, ListedUser, SelfUser, SingleServerFrame, User } from "@edge-chat/protocol";
import type { RoomConfig } from "../config.ts";
import { hashOwnerKey } from "../identity/owner-keys.ts";
import { Buckets } from "../storage/buckets.ts";
import { EventLog } from "../storage/event-log.ts";
import { ReadPositions } from "../storage/read-positions.ts";
import { RoomSettingsStore } from "../storage/room-settings.ts";
import { Users } from "../storage/users.ts";
import { Folder } from "./folding.ts";
import { GroupCommit, type Audience, type Outlet, type Transaction } from "./group-commit.ts";
import { MessageStates } from "./message-states.ts";
import { PresenceRules } from "./presence-rules.ts";
import { Presence, type Conn, type OnlineUser } from "./presence.ts";
import type { ConnHooks, RuleContext } from "./rule-context.ts";
import { userObject } from "./user-objects.ts";

/** Everything a core needs from its object. */
export interface CoreDeps {
  sql: SqlStorage;
  transaction: Transaction;
  config: RoomConfig;
  outlet: Outlet;
  hooks: ConnHooks;
  /** True while a batch window is open: broadcasts then wait for its end (batch-window.ts). */
  holding: () => boolean;
  now?: () => number;
  /** The room's name (file URLs name it; tests may leave it out). */
  room?: string;
  /** A commit moved files to `erasing` (v3): their bytes are to be deleted from R2 now. */
  filesErasing?: () => void;
}

/** A room's parts and the shared steps of its rules. */
export class RoomState implements RuleContext {
  readonly config: RoomConfig;
  readonly room: string;
  readonly log: EventLog;
  readonly folder: Folder;
  readonly states: MessageStates;
  readonly users: Users;
  readonly settings: RoomSettingsStore;
  readonly buckets: Buckets;
  readonly presence = new Presence();
  readonly reads: ReadPositions;
  readonly queue: GroupCommit;
  readonly hooks: ConnHooks;
  readonly now: () => number;
  readonly lastSay = new Map<string, number>();
  readonly adminKeyHash: string | undefined;
  readonly presenceRules: PresenceRules;
  readonly #transaction: Transaction;
  #lastSerial = 0;

  constructor(deps: CoreDeps) {
    this.config = deps.config;
    this.room = deps.room ?? "";
    this.now = deps.now ?? Date.now;
    this.hooks = deps.hooks;
    this.adminKeyHash = this.config.adminKey === undefined ? undefined : hashOwnerKey(this.config.adminKey);
    this.log = new EventLog(deps.sql);
    this.users = new Users(deps.sql, this.now());
    const isBot = (id: string) => this.users.isBot(id);
    this.folder = new Folder(this.log, isBot, this.room);
    this.states = new MessageStates(this.log, isBot);
    this.settings = new RoomSettingsStore(this.log);
    this.buckets = new Buckets(deps.sql, this.config.burst, this.config.perSecond);
    this.reads = new ReadPositions(deps.sql);
    this.#transaction = deps.transaction;
    this.queue = new GroupCommit({
      log: this.log,
      outlet: deps.outlet,
      transaction: deps.transaction,
      mayHold: deps.holding,
      flushFirst: [this.users],
      afterCommit: () => {
        this.states.committed();
        this.log.files.settled();
        if (this.log.files.erasingDue) deps.filesErasing?.();
      },
      afterFailure: () => {
        this.states.reset();
        this.log.changed();
        this.log.files.settled();
      },
    });
    this.presenceRules = new PresenceRules(this);
  }

  error(to: Audience, code: ErrorCode, message: string, ref?: string, retryAfterMs?: number): void {
    const frame: ErrorFrame = { type: "error", code, message };
    if (ref !== undefined) frame.ref = ref;
    if (retryAfterMs !== undefined) frame.retryAfterMs = retryAfterMs;
    // Every refusal counts against the socket's answer budget, but the bucket's own (the bucket
    // meters those frames) and `internal` (the room's fault, not the client's).
    const metered = to.to === "conn" && code !== "rate_limited" && code !== "internal";
    this.queue.frame(metered ? { ...to, metered } : to, frame);
  }

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

  reply(conn: Conn, frame: SingleServerFrame): void {
    this.queue.frame({ to: "conn", conn: conn.key }, frame);
  }

  roleOf(conn: Conn): SelfUser["role"] {
    if (conn.owner) return "owner";
    // A role claim of the socket's signed token wins over the room's record (PROTOCOL.md v3).
    if (conn.signed?.role) return conn.signed.role;
    return this.users.isModerator(conn.user) ? "moderator" : "member";
  }

  listed(user: OnlineUser): ListedUser {
    const listed: ListedUser = this.userObject(user.id, user.name);
    const role = this.#listedRole(user);
    if (role) listed.role = role;
    return listed;
  }

  userObject(id: string, name: string): User {
    return userObject(id, name, (user) => this.users.isBot(user));
  }

  actsAsModerator(userId: string): boolean {
    const online = this.presence.user(userId);
    return online ? this.#listedRole(online) !== undefined : this.users.isModerator(userId);
  }

  nameOf(userId: string): string {
    return this.presence.user(userId)?.name ?? this.users.get(userId)?.name ?? "";
  }

  removeUser(userId: string, code: number, reason: string): void {
    this.presenceRules.removeUser(userId, code, reason);
  }

  left(userId: string): void {
    this.buckets.left(userId, this.now());
  }

  occupancyChanged(): void {
    this.presenceRules.occupancyChanged();
  }

  /**
   * The role a user shows in lists: owner with a socket that presented the key or an owner claim;
   * moderator with a moderator claim, or granted while some socket has no member claim.
   */
  #listedRole(user: OnlineUser): ListedUser["role"] {
    if (user.ownerConns > 0) return "owner";
    if (user.moderatorClaims > 0) return "moderator";
    if (this.users.isModerator(user.id) && user.memberClaims < user.conns.size) return "moderator";
    return undefined;
  }

  /** Writes the read positions that moved, in one transaction (v3; a failure keeps them for the next try). */
  flushReads(): void {
    if (this.reads.dirty) this.#transaction(() => this.reads.flush());
  }

  /** Serials grow across restarts too: they start from the clock. */
  nextSerial(now: number): number {
    this.#lastSerial = Math.max(this.#lastSerial + 1, now * 1_000);
    return this.#lastSerial;
  }

  /** A connection kept through a hibernation: serials continue after its own. */
  sawSerial(serial: number): void {
    this.#lastSerial = Math.max(this.#lastSerial, serial);
  }
}

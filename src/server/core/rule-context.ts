/**
 * What a rule may read and do: the narrow view of a room that the rules (`hello.ts`,
 * `presence-rules.ts`, `history.ts`, `messaging.ts`, `moderation.ts`) are written against. The
 * rules import this interface, never the core that calls them, so no rule can reach past it and
 * the core imports the rules without an import cycle. `RoomState` (room-state.ts) implements it.
 */
import type { ErrorCode, ListedUser, SelfUser, SingleServerFrame, User } from "@edge-chat/protocol";
import type { RoomConfig } from "../config.ts";
import type { EventLog } from "../storage/event-log.ts";
import type { ReadPositions } from "../storage/read-positions.ts";
import type { RoomSettingsStore } from "../storage/room-settings.ts";
import type { Users } from "../storage/users.ts";
import type { Folder } from "./folding.ts";
import type { Audience, GroupCommit } from "./group-commit.ts";
import type { MessageStates } from "./message-states.ts";
import type { Conn, OnlineUser, Presence } from "./presence.ts";
import type { Bucket } from "./rate-limit.ts";

/** What the I/O layer that holds a connection is told about it. */
export interface ConnHooks {
  /** A hello was accepted on this connection; its welcome lists the log up to `seq`. */
  admitted(conn: Conn, name: string, seq: number): void;
  /** A user was renamed (their connections' records may keep the name). */
  renamed(userId: string, name: string): void;
  /** A token was spent by a frame of this connection; the bucket as it now stands. */
  charged(connKey: string, bucket: Bucket): void;
  /** A signed connection refreshed its token: its socket now expires at `exp` (seconds). */
  expires(connKey: string, exp: number): void;
  /** Read positions moved and wait to be written, the oldest since `since` (ms): write them soon (v3). */
  readMoved(since: number): void;
}

/** The log as rules read it (writes go through the queue's commit, never from a rule). */
export type RuleLog = Pick<
  EventLog,
  "lastSeq" | "epoch" | "prunedThrough" | "row" | "findByClientId" | "lastSayTs" | "messageRows" | "eventRowsAfter" | "files" | "unreadCount" | "searchRows"
>;

/** The queue as rules use it: events to store, frames and closes in their place. */
export type RuleQueue = Pick<GroupCommit, "nextSeq" | "store" | "waitingSeq" | "eventFrame" | "frame" | "later" | "now" | "close">;

/** One room as its rules see it. */
export interface RuleContext {
  readonly config: RoomConfig;
  /** The room's name (v3: file URLs name it). */
  readonly room: string;
  readonly log: RuleLog;
  readonly folder: Pick<Folder, "messages" | "events">;
  readonly states: Pick<MessageStates, "get" | "added" | "changed" | "hasReacted">;
  readonly users: Pick<Users, "get" | "seen" | "isModerator" | "isBot" | "isOwner" | "bannedUntil" | "mutedUntil" | "setModerator" | "setOwner" | "mute" | "ban">;
  readonly settings: Pick<RoomSettingsStore, "current" | "update" | "ownerKeyHash">;
  readonly presence: Presence;
  /** Read positions (v3): moved by `read`, shown in the user's own welcome. */
  readonly reads: Pick<ReadPositions, "get" | "move" | "unwrittenSince">;
  readonly queue: RuleQueue;
  readonly hooks: ConnHooks;
  /** Per-user time of the last stored say, for slow mode (read from the log when missing). */
  readonly lastSay: Map<string, number>;
  /** The deployment's ADMIN_KEY, hashed as a room's own key is kept (undefined: none). */
  readonly adminKeyHash: string | undefined;
  now(): number;
  /** Sends an error frame (after whatever waits for the same socket). */
  error(to: Audience, code: ErrorCode, message: string, ref?: string, retryAfterMs?: number): void;
  /** Takes a token from the user's bucket; answers `rate_limited` and returns false when empty. */
  charge(conn: Conn, ref?: string): boolean;
  /** Sends a frame to one connection. */
  reply(conn: Conn, frame: SingleServerFrame): void;
  /** The role a connection acts with. */
  roleOf(conn: Conn): SelfUser["role"];
  /** A user as lists show them: `role` only when not a member, `bot` only for bots. */
  listed(user: OnlineUser): ListedUser;
  /** A user as messages and events show them: `bot` only for bots. */
  userObject(id: string, name: string): User;
  /** True when moderators may not act on the user: granted (unless a member claim says otherwise) or a moderator by claim. */
  actsAsModerator(userId: string): boolean;
  /** The name a user goes by now: online, or as last seen. */
  nameOf(userId: string): string;
  /** Closes every connection of a user now, before anything else they sent is handled. */
  removeUser(userId: string, code: number, reason: string): void;
  /** A user's last connection left: their bucket is kept (in SQLite) if it is not full. */
  left(userId: string): void;
  /** The number online changed without a `join` or `leave` that carried it. */
  occupancyChanged(): void;
  /** The next admission serial (they grow across restarts too). */
  nextSerial(now: number): number;
}

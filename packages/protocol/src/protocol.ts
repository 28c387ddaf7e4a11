/**
 * The wire protocol, version 3: frame types, limits and encoding, shared by the room and the page.
 * The contract itself is PROTOCOL.md; this module is its one implementation, so the two sides
 * cannot drift. It uses no DOM and no Workers types. Validation of incoming client frames lives in
 * `validate.ts` beside it, of room frames in `server-frames.ts`.
 */

/** Hard limits of the protocol. Text, name and emoji lengths count Unicode code points. */
export const LIMITS = {
  /** Longest `say` or `edit` text after trimming. */
  text: 2000,
  /** Longest name after trimming. */
  name: 32,
  /** Longest reaction emoji after trimming. */
  emoji: 16,
  /** Distinct reactions a message may hold. */
  reactions: 20,
  /** A reply's quote of its target is cut to this many code points. */
  quote: 200,
  /** Largest frame payload in bytes; a larger one closes the socket with 1009. */
  frameBytes: 65_536,
  /** Client message ids: 1–64 characters. */
  idMax: 64,
  /** Token: 16–128 characters of base64url. */
  tokenMin: 16,
  tokenMax: 128,
  /** History pages: 1–100 messages, 50 when not given. */
  pageMax: 100,
  pageDefault: 50,
  /** Members pages: 1–500 users, 100 when not given. */
  membersMax: 500,
  membersDefault: 100,
  /** `welcome.users` lists at most this many; above it, `occupancy` replaces joins and leaves. */
  usersListed: 100,
  /** A resume returns at most this many events, else the client redraws. */
  resumeMax: 500,
  /** Room names: 1–64 of a-z 0-9 _ -. */
  roomMax: 64,
  /** Longest mute and ban, and the slowest slow mode, in ms. */
  muteMaxMs: 604_800_000,
  banMaxMs: 31_536_000_000,
  slowMaxMs: 3_600_000,
  /** Version 3: a search's `q`, 1–200 code points of at most 10 terms; pages of 1–50, 20 when not given. */
  searchMax: 200,
  searchTerms: 10,
  searchPageMax: 50,
  searchPageDefault: 20,
  /** Version 3: files one message may carry. */
  files: 4,
  /** Version 3: a moderation reason, in code points after trimming. */
  reason: 200,
  /** Version 3: a signed token, in characters. */
  authMax: 8192,
} as const;

/** Timings of the protocol, in milliseconds. */
export const TIMINGS = {
  /** A socket must send an accepted `hello` within this long of opening. */
  helloTimeoutMs: 10_000,
  /** A socket silent this long (no frame, no ping) is closed. */
  idleTimeoutMs: 60_000,
  /** At most one `typing` per user passes in this window. */
  typingThrottleMs: 2_000,
  /** At most one `occupancy` frame in this window. */
  occupancyMs: 1_000,
  /** Clients send `ping` this often (the protocol allows 25–30 s). */
  pingIntervalMs: 25_000,
} as const;

/** The heartbeat: the runtime answers the text `ping` with `pong` without waking the room. */
export const HEARTBEAT = { ping: "ping", pong: "pong" } as const;

/** WebSocket close codes the room uses. */
export const CLOSE = {
  /** No accepted hello in time, or silent for too long. */
  timeout: 4408,
  /** Kicked or banned by a moderator. */
  removed: 4403,
  /** Frame larger than `LIMITS.frameBytes`. */
  tooBig: 1009,
  /** The room cannot take the socket's frames now (a shard whose room stopped answering): reconnect and resume. */
  tryAgain: 1013,
  /** The socket passed its budget of answered errors and duplicates (additive): reconnect later. */
  policy: 1008,
  /** Version 3: the socket's signed token expired without a refresh (reason `token expired`). */
  tokenExpired: 4401,
} as const;

/** Room names as they stand in the URL path (never percent-decoded). */
export const ROOM_NAME = /^[a-z0-9_-]{1,64}$/;

/** Tokens: a client-made secret in base64url. */
export const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** Every error code a room sends. */
export type ErrorCode =
  | "bad_json"
  | "bad_message"
  | "not_ready"
  | "too_long"
  | "name_invalid"
  | "unknown_user"
  | "not_found"
  | "forbidden"
  | "gone"
  | "too_many"
  | "muted"
  | "banned"
  | "slow_mode"
  | "locked"
  | "rate_limited"
  | "internal"
  /** Version 3: a signed credential missing where required, or invalid. */
  | "unauthorized";

/** What a user may do in a room. `owner` holds only for sockets that presented the owner key. */
export type Role = "owner" | "moderator" | "member";

/**
 * A user as others see them in messages and events: the public id and the current name.
 * Version 3: `bot` is present (true) only for bots; a signed user's id may have any shape its
 * `sub` allows (never assume the 16-character shape of anonymous ids).
 */
export interface User {
  id: string;
  name: string;
  bot?: true;
}

/** A user in a list (`welcome.users`, `join`, `members`): `role` present only when not `member`. */
export interface ListedUser extends User {
  role?: "owner" | "moderator";
}

/** The user a welcome is for: `role` always present. */
export interface SelfUser extends User {
  role: Role;
}

/** A room's moderation settings. */
export interface RoomSettings {
  /** Members' stored says are at least this many ms apart (0: off). */
  slowMs: number;
  /** Only moderators and owners may say. */
  locked: boolean;
}

// ---- client → room ----

/** First frame of every connection (an anonymous identity: `token`). */
export interface HelloFrame {
  type: "hello";
  token: string;
  name?: string;
  since?: number;
  epoch?: string;
  /** An owner key of this room (or the deployment's ADMIN_KEY). */
  key?: string;
}

/**
 * Version 3: the first frame of a connection with a signed identity (a JWT the host application
 * issued) in `auth` instead of a `token`; everything else as in `HelloFrame`.
 */
export interface SignedHelloFrame {
  type: "hello";
  auth: string;
  name?: string;
  since?: number;
  epoch?: string;
  key?: string;
}

/**
 * Version 3: the first frame of a connection whose upgrade carried `Cf-Access-Jwt-Assertion`
 * (Cloudflare Access): that header is the signed token, so the hello carries neither `token` nor `auth`.
 */
export interface AccessHelloFrame {
  type: "hello";
  name?: string;
  since?: number;
  epoch?: string;
  key?: string;
}

/**
 * Version 3: a `hello` as a room receives it once validated: exactly one of `token` and `auth`, or
 * neither on a socket whose upgrade carried `Cf-Access-Jwt-Assertion` (that header is then the
 * signed token). A hello without `token` may ask for a name the room must judge only once it knows
 * the token's claims (a `name` claim overrides it, even an invalid one): such a name is left out and
 * `nameError` says what is wrong with it.
 */
export interface ReceivedHelloFrame {
  type: "hello";
  token?: string;
  auth?: string;
  name?: string;
  nameError?: string;
  since?: number;
  epoch?: string;
  key?: string;
}

/** Version 3: refreshes the signed token of a socket admitted with one, before its `exp`. */
export interface AuthFrame {
  type: "auth";
  auth: string;
}

/** Version 3: the user has read up to `seq` (the position only ever moves forward). */
export interface ReadFrame {
  type: "read";
  seq: number;
}

/** Version 3: the messages whose current text holds every term of `q`, newest first. */
export interface SearchRequestFrame {
  type: "search";
  q: string;
  before?: number;
  limit?: number;
}

/**
 * A chat message; `to` (a user id) makes it private, `replyTo` (a seq) answers a message,
 * `files` (version 3: 1–4 ids of files this user uploaded to the room) attaches images.
 */
export interface SayFrame {
  type: "say";
  id: string;
  text: string;
  to?: string;
  replyTo?: number;
  files?: string[];
}

/** Replace the text of one's own message. */
export interface EditFrame {
  type: "edit";
  id: string;
  target: number;
  text: string;
}

/** Delete a message (one's own, or any visible one for moderators and owners). */
export interface DeleteFrame {
  type: "delete";
  id: string;
  target: number;
}

/** Add (`on: true`) or take away one's reaction to a message. */
export interface ReactFrame {
  type: "react";
  id: string;
  target: number;
  emoji: string;
  on: boolean;
}

/** Change the user's name. */
export interface RenameFrame {
  type: "rename";
  name: string;
}

/** "I am typing", passed on at most once per 2 s. */
export interface TypingFrame {
  type: "typing";
}

/** Ask for a page of older messages. */
export interface HistoryRequestFrame {
  type: "history";
  before?: number;
  limit?: number;
}

/** Ask for a page of the users online, in ascending id order. */
export interface MembersRequestFrame {
  type: "members";
  after?: string;
  limit?: number;
}

/** Owners: make a user a moderator, or a member again. */
export interface GrantFrame {
  type: "grant";
  user: string;
  role: "moderator" | "member";
}

/** Moderators and owners: close every socket of a user (they may come back); `reason` (v3): at most 200 code points. */
export interface KickFrame {
  type: "kick";
  user: string;
  reason?: string;
}

/** Moderators and owners: a user may not post for `ms` (0 lifts it). */
export interface MuteFrame {
  type: "mute";
  user: string;
  ms: number;
  reason?: string;
}

/** Moderators and owners: close a user's sockets and refuse their hello for `ms` (0 lifts it). */
export interface BanFrame {
  type: "ban";
  user: string;
  ms: number;
  reason?: string;
}

/** Moderators and owners: change slow mode or the lock (a field left out keeps its value). */
export interface SettingsRequestFrame {
  type: "settings";
  slowMs?: number;
  locked?: boolean;
}

/** The moderation actions, as named in `moderation` frames. */
export type ModerationAction = "grant" | "kick" | "mute" | "ban";

/** Any frame a client may send (after validation). */
export type ClientFrame =
  | HelloFrame
  | SayFrame
  | EditFrame
  | DeleteFrame
  | ReactFrame
  | RenameFrame
  | TypingFrame
  | HistoryRequestFrame
  | MembersRequestFrame
  | GrantFrame
  | KickFrame
  | MuteFrame
  | BanFrame
  | SettingsRequestFrame;

/** Every frame a version-3 client may send: the frames above, and the signed (or Access) hello, `auth`, `read` and `search`. */
export type ClientFrameV3 = ClientFrame | SignedHelloFrame | AccessHelloFrame | AuthFrame | ReadFrame | SearchRequestFrame;

/** A client frame as a room receives it after validation (a hello may be signed; `auth` refreshes it). */
export type ReceivedClientFrame = Exclude<ClientFrame, HelloFrame> | ReceivedHelloFrame | AuthFrame | ReadFrame | SearchRequestFrame;

/** Client frames that store an event, each with a client-chosen `id`. */
export type StoredClientFrame = SayFrame | EditFrame | DeleteFrame | ReactFrame;

// ---- room → client ----

/** The quoted message a reply answers, as it stands (its text cut to 200 code points). */
export interface ReplyQuote {
  seq: number;
  from: User;
  text: string;
  /** The quoted message is deleted; `text` is then "". */
  deleted?: true;
}

/** Version 3: a file attached to a message (`url` is the room's path of its bytes). */
export interface FileRef {
  id: string;
  type: string;
  size: number;
  name?: string;
  url: string;
  /** Additive: the image's size in pixels, read from its header at upload, so a page can reserve its space. */
  width?: number;
  height?: number;
}

/** Version 3: the image types a room takes as files (never SVG, never HTML). */
export const FILE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;

/** Version 3: one of `FILE_TYPES`. */
export type FileType = (typeof FILE_TYPES)[number];

/** Version 3: the answer to an upload (`POST /api/rooms/:room/files`, 201). */
export interface UploadedFile {
  file: FileRef;
}

/** Version 3: the path a file's bytes are served at. */
export function fileUrl(room: string, id: string): string {
  return `/api/rooms/${room}/files/${id}`;
}

/** Version 3: a file id is 22 base64url characters (128 random bits). */
export const FILE_ID = /^[A-Za-z0-9_-]{22}$/;

/** One emoji's reactions to a message, in `welcome`, `history` and the HTTP API. */
export interface ReactionCount {
  emoji: string;
  count: number;
  /** The viewer reacted with it (absent in the HTTP API). */
  me?: boolean;
}

/**
 * A stored chat message. Live it carries what was sent; in `welcome`, `history` and the HTTP API
 * it also shows its current state (`edited`, `deleted`, `reactions`). A deleted message carries
 * only `type`, `seq`, `id`, `from`, `ts`, `to`, `deleted: true` and `text: ""`.
 */
export interface MessageFrame {
  type: "message";
  seq: number;
  id: string;
  from: User;
  text: string;
  ts: number;
  to?: User;
  replyTo?: ReplyQuote;
  /** The `ts` of the message's last edit. */
  edited?: number;
  deleted?: true;
  reactions?: ReactionCount[];
  /** Version 3: the files attached, in the order given. */
  files?: FileRef[];
}

/** A stored edit: the target message's text became `text`. */
export interface EditEventFrame {
  type: "edit";
  seq: number;
  id: string;
  target: number;
  text: string;
  user: User;
  ts: number;
  to?: User;
}

/** A stored delete of the target message. */
export interface DeleteEventFrame {
  type: "delete";
  seq: number;
  id: string;
  target: number;
  user: User;
  ts: number;
  to?: User;
}

/** A stored reaction change; `count` is the emoji's count after it. */
export interface ReactEventFrame {
  type: "react";
  seq: number;
  id: string;
  target: number;
  emoji: string;
  on: boolean;
  count: number;
  user: User;
  ts: number;
  to?: User;
}

/** Any stored event as a frame. */
export type EventFrame = MessageFrame | EditEventFrame | DeleteEventFrame | ReactEventFrame;

/** The bucket and size limits in force, sent in `welcome`. */
export interface WelcomeLimits {
  text: number;
  name: number;
  burst: number;
  perSecond: number;
  reactions: number;
  usersListed: number;
  /** Version 3: files a message may carry, and the largest upload in bytes. */
  files?: number;
  fileBytes?: number;
}

/** The answer to an accepted `hello`. */
export interface WelcomeFrame {
  type: "welcome";
  self: SelfUser;
  /** At most 100 users online, self always among them; all of them when at most 100 are online. */
  users: ListedUser[];
  /** How many users are online. */
  online: number;
  /** A resume lists every event after `since`; otherwise the latest 50 messages. */
  messages: EventFrame[];
  seq: number;
  epoch: string;
  resumed: boolean;
  settings: RoomSettings;
  limits: WelcomeLimits;
  /** Version 3: the user's read position (0 when never sent) and how many visible messages above it are not their own (capped at 1,000). */
  read?: number;
  unread?: number;
}

/** A user's first socket came online (sent while at most 100 are online). */
export interface JoinFrame {
  type: "join";
  user: ListedUser;
  online: number;
}

/** A user's last socket went away (sent while at most 100 were online before). */
export interface LeaveFrame {
  type: "leave";
  user: User;
  online: number;
}

/** The number online changed without a `join` or `leave` that carried it (at most once a second). */
export interface OccupancyFrame {
  type: "occupancy";
  online: number;
}

/** A user changed name; `user.name` is the new one. */
export interface RenamedFrame {
  type: "rename";
  user: User;
  old: string;
}

/** Someone is typing. */
export interface TypingNoticeFrame {
  type: "typing";
  user: User;
}

/** A page of messages, ascending by seq. */
export interface HistoryFrame {
  type: "history";
  messages: MessageFrame[];
  hasMore: boolean;
}

/** A page of the users online, ascending by id; `next` is the `after` of the next page. */
export interface MembersFrame {
  type: "members";
  users: ListedUser[];
  next?: string;
}

/** A moderator or owner acted on a user; sent to everyone online. */
export interface ModerationFrame {
  type: "moderation";
  action: ModerationAction;
  user: User;
  by: User;
  /** With `grant`. */
  role?: "moderator" | "member";
  /** With `mute` and `ban`: when it ends (ms); absent when lifted. */
  until?: number;
  /** Version 3: the reason given with `kick`, `mute` or `ban`. */
  reason?: string;
}

/** The room's settings changed. */
export interface SettingsFrame extends RoomSettings {
  type: "settings";
  by: User;
}

/** Something a client sent was refused; nothing changed. */
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  ref?: string;
  retryAfterMs?: number;
}

/** Version 3: the user's read position moved (sent to the user's other sockets). */
export interface ReadNoticeFrame {
  type: "read";
  seq: number;
}

/** Version 3: the answer to `search`; `next` is the `before` of the next page, absent on the last. */
export interface SearchFrame {
  type: "search";
  q: string;
  messages: MessageFrame[];
  next?: number;
}

/** Version 3: an `auth` refresh was accepted; the socket now expires at `exp` (seconds). */
export interface AuthAcceptedFrame {
  type: "auth";
  exp: number;
}

/** Version-3 frames a room sends beyond the single frames below. */
export type ServerFrameV3 = ReadNoticeFrame | SearchFrame | AuthAcceptedFrame;

/** Any single frame a room sends. */
export type SingleServerFrame =
  | WelcomeFrame
  | MessageFrame
  | EditEventFrame
  | DeleteEventFrame
  | ReactEventFrame
  | JoinFrame
  | LeaveFrame
  | OccupancyFrame
  | RenamedFrame
  | TypingNoticeFrame
  | HistoryFrame
  | MembersFrame
  | ModerationFrame
  | SettingsFrame
  | AuthAcceptedFrame
  | ReadNoticeFrame
  | SearchFrame
  | ErrorFrame;

/** Several frames packed into one, in order; never nested. */
export interface BatchFrame {
  type: "batch";
  frames: SingleServerFrame[];
}

/** Any frame a room sends. */
export type ServerFrame = SingleServerFrame | BatchFrame;

// ---- HTTP ----

/** Body of `GET /api/rooms/:room/messages`. */
export interface MessagesPage {
  messages: MessageFrame[];
  hasMore: boolean;
}

/** Body of `POST /api/rooms` (201). */
export interface CreatedRoom {
  room: string;
  ownerKey: string;
}

/**
 * Body of `GET /api/config`: how the page signs its user in on this deployment (docs/AUTH.md,
 * "The page"). Not part of the room protocol: the deployment's own page reads it.
 */
export interface PageConfig {
  /** AUTH_TOKEN_URL, absolute: the host application's endpoint answering its user's signed token; null without one. */
  authTokenUrl: string | null;
  /** AUTH_REQUIRED: only signed identities may enter rooms. */
  authRequired: boolean;
  /** This request came through Cloudflare Access (it carried `Cf-Access-Jwt-Assertion`): sockets get their identity from it. */
  access: boolean;
  /** ALLOWED_ORIGINS: the origins that may frame the page and hand it tokens. */
  allowedOrigins: string[];
}

/** Body of `GET /api/rooms/:room`. */
export interface RoomInfo {
  room: string;
  online: number;
  seq: number;
  owned: boolean;
  settings: RoomSettings;
  /** Version 3, with the user's credential: their read position and unread count, as in `welcome`. */
  read?: number;
  unread?: number;
}

/** Body of every HTTP error. */
export interface HttpErrorBody {
  error: { code: string; message: string };
}

/** Serializes a frame for the wire. */
export function encode(frame: ServerFrame | ClientFrameV3 | ReceivedClientFrame): string {
  return JSON.stringify(frame);
}

/** Counts Unicode code points (what the text and name limits measure). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Cuts a string to at most `max` code points, never splitting a surrogate pair. */
export function truncateCodePoints(text: string, max: number): string {
  let out = "";
  let count = 0;
  for (const ch of text) {
    if (count++ === max) break;
    out += ch;
  }
  return out;
}

/**
 * The quote a reply carries of the message it answers, as that message stands: its text cut to
 * `LIMITS.quote` code points, or `""` and `deleted: true` once it is deleted. The room builds its
 * quotes with this and the page folds edits and deletes into them with it, so they never differ.
 */
export function replyQuote(message: { seq: number; from: User; text: string; deleted?: boolean }): ReplyQuote {
  const { seq, from } = message;
  return message.deleted ? { seq, from, text: "", deleted: true } : { seq, from, text: truncateCodePoints(message.text, LIMITS.quote) };
}

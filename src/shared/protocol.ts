/**
 * The wire protocol, version 1: frame types, limits and encoding, shared by the room and the page.
 * The contract itself is PROTOCOL.md; this module is its one implementation, so the two sides
 * cannot drift. It uses no DOM and no Workers types. Validation of incoming client frames lives in
 * `validate.ts` beside it.
 */

/** Hard limits of protocol v1. Text and name lengths count Unicode code points. */
export const LIMITS = {
  /** Longest `say` text after trimming. */
  text: 2000,
  /** Longest name after trimming. */
  name: 32,
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
  /** A resume returns at most this many messages, else the client redraws. */
  resumeMax: 500,
  /** Room names: 1–64 of a-z 0-9 _ -. */
  roomMax: 64,
} as const;

/** Timings of protocol v1, in milliseconds. */
export const TIMINGS = {
  /** A socket must send an accepted `hello` within this long of opening. */
  helloTimeoutMs: 10_000,
  /** A socket silent this long (no frame, no ping) is closed. */
  idleTimeoutMs: 60_000,
  /** At most one `typing` per user passes in this window. */
  typingThrottleMs: 2_000,
  /** Clients send `ping` this often (the protocol allows 25–30 s). */
  pingIntervalMs: 25_000,
} as const;

/** The heartbeat: the runtime answers the text `ping` with `pong` without waking the room. */
export const HEARTBEAT = { ping: "ping", pong: "pong" } as const;

/** WebSocket close codes the room uses. */
export const CLOSE = {
  /** No accepted hello in time, or silent for too long. */
  timeout: 4408,
  /** Frame larger than `LIMITS.frameBytes`. */
  tooBig: 1009,
} as const;

/** Room names as they stand in the URL path (never percent-decoded). */
export const ROOM_NAME = /^[a-z0-9_-]{1,64}$/;

/** Tokens: a client-made secret in base64url. */
export const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** Every error code a room or the Worker sends. */
export type ErrorCode =
  | "bad_json"
  | "bad_message"
  | "not_ready"
  | "too_long"
  | "name_invalid"
  | "unknown_user"
  | "rate_limited"
  | "internal";

/** A user as others see them: the public id (derived from the token) and the current name. */
export interface User {
  id: string;
  name: string;
}

// ---- client → room ----

/** First frame of every connection. */
export interface HelloFrame {
  type: "hello";
  token: string;
  name?: string;
  since?: number;
  epoch?: string;
}

/** A chat message; `to` (a user id) makes it private. */
export interface SayFrame {
  type: "say";
  id: string;
  text: string;
  to?: string;
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

/** Any frame a client may send (after validation). */
export type ClientFrame = HelloFrame | SayFrame | RenameFrame | TypingFrame | HistoryRequestFrame;

// ---- room → client ----

/** A stored chat message; `to` is present when it is private. */
export interface MessageFrame {
  type: "message";
  seq: number;
  id: string;
  from: User;
  text: string;
  ts: number;
  to?: User;
}

/** The bucket and size limits in force, sent in `welcome`. */
export interface WelcomeLimits {
  text: number;
  name: number;
  burst: number;
  perSecond: number;
}

/** The answer to an accepted `hello`. */
export interface WelcomeFrame {
  type: "welcome";
  self: User;
  users: User[];
  messages: MessageFrame[];
  seq: number;
  epoch: string;
  resumed: boolean;
  limits: WelcomeLimits;
}

/** A user's first socket came online. */
export interface JoinFrame {
  type: "join";
  user: User;
}

/** A user's last socket went away. */
export interface LeaveFrame {
  type: "leave";
  user: User;
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

/** Something a client sent was refused; nothing changed. */
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  ref?: string;
  retryAfterMs?: number;
}

/** Any single frame a room sends. */
export type SingleServerFrame =
  | WelcomeFrame
  | MessageFrame
  | JoinFrame
  | LeaveFrame
  | RenamedFrame
  | TypingNoticeFrame
  | HistoryFrame
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

/** Body of every HTTP error. */
export interface HttpErrorBody {
  error: { code: string; message: string };
}

/** Serializes a frame for the wire. */
export function encode(frame: ServerFrame | ClientFrame): string {
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

/** How a room object is made: what `connect()` and `openRoom()` take. */
import type { AuthSource } from "./auth-refresh.ts";
import type { ReconnectPolicy } from "./reconnect-policy.ts";
import type { WebSocketConstructor } from "./socket.ts";
import type { OutboxStorage } from "./storage.ts";

/** Signals from the environment: the network came back or went away, the app became visible. */
export type NetworkSignal = "online" | "offline" | "visible";

/** Where the environment reports them (the page passes the browser's events). */
export interface NetworkSignals {
  /** False when the environment knows it is offline now: the room waits for `online` before connecting. */
  online?(): boolean;
  /** Calls `listener` on each signal; returns the way to stop. */
  subscribe(listener: (signal: NetworkSignal) => void): () => void;
}

/** What `connect()` takes. */
export interface ConnectOptions {
  /** The server: `http(s)://host[:port]` (or `ws(s)://`). */
  url: string;
  /** The room's name. */
  room: string;
  /** An anonymous identity (16–128 base64url characters); made and kept in `storage` if absent. */
  token?: string;
  /** A signed token, or a provider the client calls for a fresh one at each connect and before expiry. */
  auth?: AuthSource;
  /**
   * The server is behind Cloudflare Access: the WebSocket upgrade carries the user's identity
   * (`Cf-Access-Jwt-Assertion`, added by Access), so the hello carries neither `token` nor `auth`
   * (either would be refused). A browser page only; ignored when `auth` is given.
   */
  access?: boolean;
  /**
   * The name to ask for (the room gives a guest name without one, and a free variant of a taken
   * one); a function is read again at each connect.
   */
  name?: string | (() => string | undefined);
  /** An owner key of the room (or the deployment's admin key), or a function read at each connect; a refused key is dropped (`keyRefused`). */
  key?: string | (() => string | undefined);
  /** The WebSocket constructor (default: the runtime's global `WebSocket`). */
  WebSocket?: WebSocketConstructor;
  /** Keeps the token and the outbox across restarts (default: memory). */
  storage?: OutboxStorage;
  /** Gives up `connect()` and closes the room when aborted. */
  signal?: AbortSignalLike;
  /** Network and visibility signals (the page passes the browser's). */
  network?: NetworkSignals;
  /** Overrides of the reconnect and heartbeat timings. */
  policy?: Partial<ReconnectPolicy>;
  /** How many messages `room.messages` holds at most (default 1,000; the oldest go first). */
  maxMessages?: number;
}

/** The part of an `AbortSignal` the client uses. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
}

/**
 * A light protocol client for the crowd of a soak or flood run: hello with `since` and `epoch`,
 * heartbeat, reconnect with the page's backoff, and a view of what it was sent. Every frame is
 * read with `decodeServerText`, never cast. It also sends raw `say`s for the flooder.
 */
import { HEARTBEAT, TIMINGS, encode } from "../../src/shared/protocol.ts";
import type { HelloFrame, MessageFrame, SayFrame, WelcomeLimits } from "../../src/shared/protocol.ts";
import { decodeServerText, type RoomError } from "../../src/shared/server-frames.ts";
import { newToken } from "../../src/client/ids.ts";
import { RECONNECT_DEFAULTS, backoffDelay, type ReconnectPolicy } from "../../src/client/reconnect-policy.ts";
import type { SocketHandle } from "../../src/client/socket.ts";
import { NodeSockets } from "./node-socket.ts";
import { ClientView } from "./view.ts";

/** What a light client reports as it goes. */
export interface LightClientEvents {
  /** A message arrived live (not in a welcome), at `at` (performance.now()). */
  live?(message: MessageFrame, at: number): void;
  /** The room sent an `error`. */
  error?(error: RoomError, at: number): void;
}

/** How a client is made to lose its connection. */
export type LightDrop = "cut" | "close" | "reload";

type Timer = ReturnType<typeof setTimeout>;

/** One light client; it reconnects by itself until `stop()`. */
export class LightClient {
  readonly name: string;
  readonly view = new ClientView();
  /** Frames that failed validation, and `error` frames received. */
  invalidFrames = 0;
  errors = 0;
  readonly #url: string;
  readonly #token = newToken();
  readonly #sockets = new NodeSockets();
  readonly #events: LightClientEvents;
  readonly #policy: ReconnectPolicy;
  #socket: SocketHandle | undefined;
  #selfId: string | undefined;
  #epoch: string | undefined;
  #welcomed = false;
  #stopped = false;
  #attempt = 0;
  /** The next hello leaves out `since` (a reload: the page starts over). */
  #forget = false;
  #pausedUntil = 0;
  #limits: WelcomeLimits | undefined;
  /** The `since` of the last hello sent. */
  #since: number | undefined;
  #retryTimer: Timer | undefined;
  #helloTimer: Timer | undefined;
  #pingTimer: Timer | undefined;

  constructor(url: string, name: string, events: LightClientEvents = {}, policy: Partial<ReconnectPolicy> = {}) {
    this.#url = url;
    this.name = name;
    this.#events = events;
    this.#policy = { ...RECONNECT_DEFAULTS, ...policy };
  }

  /** True between a welcome and the socket's close. */
  get welcomed(): boolean {
    return this.#welcomed;
  }

  /** The user id the room gave this client (once welcomed). */
  get selfId(): string | undefined {
    return this.#selfId;
  }

  /** The limits the room announced in its last welcome. */
  get limits(): WelcomeLimits | undefined {
    return this.#limits;
  }

  /** Opens the connection (again). */
  connect(): void {
    this.#clearTimers();
    if (this.#stopped) return;
    let socket: SocketHandle | undefined;
    const current = () => socket !== undefined && socket === this.#socket;
    socket = this.#sockets.open(this.#url, {
      open: () => current() && this.#hello(),
      text: (data) => current() && this.#received(data),
      closed: () => current() && this.#closed(),
    });
    this.#socket = socket;
    // A connection that does not reach welcome in time is given up, as the page does.
    this.#helloTimer = setTimeout(() => this.#sockets.cut(), this.#policy.connectTimeoutMs);
  }

  /** Sends a `say` now; false when not connected. */
  say(frame: SayFrame): boolean {
    if (!this.#welcomed || !this.#socket) return false;
    this.#socket.send(encode(frame));
    return true;
  }

  /**
   * Loses the connection and comes back no earlier than `pauseMs` from now: `cut` as a network
   * failure, `close` with a clean close, `reload` closing cleanly and starting over without `since`.
   */
  drop(kind: LightDrop, pauseMs: number): void {
    this.#pausedUntil = Date.now() + pauseMs;
    if (kind === "reload") this.#forget = true;
    const socket = this.#socket;
    if (kind === "cut") this.#sockets.cut();
    // Like the page, stop listening to the old socket at once: its TCP end may come much later.
    this.#closed();
    if (kind !== "cut") socket?.close(1000, "soak drop");
  }

  /** Ends a pause early: reconnects now if the client is waiting. */
  comeBack(): void {
    this.#pausedUntil = 0;
    if (!this.#stopped && this.#socket === undefined) this.connect();
  }

  /** Closes for good. */
  stop(): void {
    this.#stopped = true;
    this.#clearTimers();
    this.#welcomed = false;
    this.#socket?.close(1000, "soak over");
    this.#socket = undefined;
  }

  #hello(): void {
    const hello: HelloFrame = { type: "hello", token: this.#token, name: this.name };
    this.#since = undefined;
    if (this.#epoch !== undefined && !this.#forget) {
      hello.since = this.#since = this.view.lastSeq;
      hello.epoch = this.#epoch;
    }
    this.#socket?.send(encode(hello));
    this.#pingTimer = setInterval(() => this.#socket?.send(HEARTBEAT.ping), TIMINGS.pingIntervalMs);
  }

  #received(data: string): void {
    const incoming = decodeServerText(data);
    if (incoming.kind === "invalid") this.invalidFrames++;
    if (incoming.kind !== "frames") return;
    const at = performance.now();
    for (const frame of incoming.frames) {
      if (frame.type === "welcome") {
        clearTimeout(this.#helloTimer);
        this.#welcomed = true;
        this.#attempt = 0;
        this.#forget = false;
        this.#epoch = frame.epoch;
        this.#selfId = frame.self.id;
        this.#limits = frame.limits;
        this.view.welcome(frame, this.#since);
      } else if (frame.type === "message") {
        this.view.message(frame);
        this.#events.live?.(frame, at);
      } else if (frame.type === "error") {
        this.errors++;
        this.#events.error?.(frame, at);
      }
    }
  }

  #closed(): void {
    this.#clearTimers();
    this.#welcomed = false;
    this.#socket = undefined;
    if (this.#stopped) return;
    const delay = Math.max(backoffDelay(this.#attempt++, this.#policy, Math.random), this.#pausedUntil - Date.now());
    this.#retryTimer = setTimeout(() => this.connect(), delay);
  }

  #clearTimers(): void {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#helloTimer);
    clearInterval(this.#pingTimer);
  }
}

/**
 * A reader for the crowd of a soak or flood run: the light client (bench/light) made to behave
 * like a page that stays open: it resumes with `since` and `epoch`, reconnects with the page's
 * backoff, can be made to lose its connection, and keeps a view of what it was sent (messages
 * with their edits, deletes and reactions folded in). It also sends raw `say`s for the flooder.
 */
import type { MessageFrame, SayFrame, WelcomeFrame, WelcomeLimits } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import { newToken } from "@edge-chat/client";
import { RECONNECT_DEFAULTS, backoffDelay, type ReconnectPolicy } from "@edge-chat/client";
import { LightClient } from "../light/light-client.ts";
import { ClientView } from "./view.ts";

/** What a reader reports as it goes. */
export interface ResumingClientEvents {
  /** A message arrived live (not in a welcome), at `at` (performance.now()). */
  live?(message: MessageFrame, at: number): void;
  /** The room sent an `error`. */
  error?(error: RoomError, at: number): void;
}

/** How a reader is set up. */
export interface ResumingClientOptions {
  events?: ResumingClientEvents;
  policy?: Partial<ReconnectPolicy>;
  /** This reader's own seeded stream, for its backoff jitter. */
  random: () => number;
}

/** How a reader is made to lose its connection. */
export type LightDrop = "cut" | "close" | "reload";

/** One reader; it reconnects by itself until `stop()`. */
export class ResumingClient {
  readonly name: string;
  readonly view = new ClientView();
  /** Frames that broke the protocol, `error` frames received, and frames of types the decoder does not know. */
  invalidFrames = 0;
  errors = 0;
  unknownFrames = 0;
  readonly #url: string;
  readonly #token = newToken();
  readonly #events: ResumingClientEvents;
  readonly #policy: ReconnectPolicy;
  readonly #random: () => number;
  #client: LightClient | undefined;
  #selfId: string | undefined;
  #epoch: string | undefined;
  #limits: WelcomeLimits | undefined;
  #welcomed = false;
  #stopped = false;
  #attempt = 0;
  /** The next hello leaves out `since` (a reload: the page starts over). */
  #forget = false;
  #pausedUntil = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string, name: string, options: ResumingClientOptions) {
    this.#url = url;
    this.name = name;
    this.#events = options.events ?? {};
    this.#policy = { ...RECONNECT_DEFAULTS, ...options.policy };
    this.#random = options.random;
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
    clearTimeout(this.#retryTimer);
    if (this.#stopped) return;
    const resume = this.#epoch !== undefined && !this.#forget;
    const since = resume ? this.view.lastSeq : undefined;
    // Events of a connection this reader has already let go of are ignored.
    const current = () => client === this.#client;
    const client: LightClient = new LightClient({
      url: this.#url,
      token: this.#token,
      name: this.name,
      ...(resume ? { since, epoch: this.#epoch } : {}),
      events: {
        welcome: (welcome) => current() && this.#welcome(welcome, since),
        message: (message, at) => {
          if (!current()) return;
          this.view.message(message);
          this.#events.live?.(message, at);
        },
        error: (error, at) => {
          if (!current()) return;
          this.errors++;
          this.#events.error?.(error, at);
        },
        other: (frame) => {
          // Edits, deletes and reactions are folded into the messages they are about, as the page does.
          if (current() && (frame.type === "edit" || frame.type === "delete" || frame.type === "react")) this.view.change(frame);
        },
        malformed: () => current() && this.invalidFrames++,
        unknown: () => current() && this.unknownFrames++,
        closed: () => current() && this.#closed(),
      },
    });
    this.#client = client;
    // A connection that does not reach welcome in time is cut, as the page does; its close retries.
    client.connect(this.#policy.connectTimeoutMs).catch(() => {});
  }

  /** Sends a `say` now; false when not connected. */
  say(frame: SayFrame): boolean {
    return this.#welcomed && this.#client !== undefined && this.#client.send(frame);
  }

  /**
   * Loses the connection and comes back no earlier than `pauseMs` from now: `cut` as a network
   * failure, `close` with a clean close, `reload` closing cleanly and starting over without `since`.
   */
  drop(kind: LightDrop, pauseMs: number): void {
    this.#pausedUntil = Date.now() + pauseMs;
    if (kind === "reload") this.#forget = true;
    const client = this.#client;
    if (kind === "cut") client?.cut();
    // Like the page, stop listening to the old socket at once: its TCP end may come much later.
    this.#closed();
    if (kind !== "cut") void client?.close("soak drop");
  }

  /** Ends a pause early: reconnects now if the client is waiting. */
  comeBack(): void {
    this.#pausedUntil = 0;
    if (!this.#stopped && this.#client === undefined) this.connect();
  }

  /** Closes for good. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#welcomed = false;
    void this.#client?.close("soak over");
    this.#client = undefined;
  }

  #welcome(welcome: WelcomeFrame, since: number | undefined): void {
    this.#welcomed = true;
    this.#attempt = 0;
    this.#forget = false;
    this.#epoch = welcome.epoch;
    this.#selfId = welcome.self.id;
    this.#limits = welcome.limits;
    this.view.welcome(welcome, since);
  }

  #closed(): void {
    clearTimeout(this.#retryTimer);
    this.#welcomed = false;
    this.#client = undefined;
    if (this.#stopped) return;
    const delay = Math.max(backoffDelay(this.#attempt++, this.#policy, this.#random), this.#pausedUntil - Date.now());
    this.#retryTimer = setTimeout(() => this.connect(), delay);
  }
}

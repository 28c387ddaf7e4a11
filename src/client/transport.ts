/**
 * The connection to one room, without any DOM: hello, heartbeat, reconnect with exponential backoff
 * and full jitter, gap-free resume from the last seq, and an outbox of `say`s that are resent after
 * every reconnect until their echo arrives (the room dedupes by client id, so resending is safe).
 * A say the room refuses as `rate_limited` stays queued: sending pauses for `retryAfterMs`, then
 * the queue goes out one say at a time (each after the previous one's echo), so it keeps its order
 * and the room is not asked again for what its bucket cannot take.
 * The page gives it a socket factory; the tests give it a fake one.
 */
import { HEARTBEAT, encode } from "../shared/protocol.ts";
import type {
  HelloFrame,
  HistoryRequestFrame,
  MessageFrame,
  RenameFrame,
  SayFrame,
  TypingFrame,
  User,
  WelcomeFrame,
} from "../shared/protocol.ts";
import { newMessageId } from "./ids.ts";
import { RECONNECT_DEFAULTS, backoffDelay, type ReconnectPolicy } from "./reconnect-policy.ts";
import { decodeServerText, type RoomError, type RoomFrame } from "../shared/server-frames.ts";
import type { OpenSocket, SocketHandle } from "./socket.ts";

export type { OpenSocket, SocketEvents, SocketHandle } from "./socket.ts";
export { RECONNECT_DEFAULTS, type ReconnectPolicy } from "./reconnect-policy.ts";

/** Where the connection stands, for the banner. */
export type ConnectionStatus =
  | { state: "connecting"; attempt: number }
  | { state: "open" }
  | { state: "waiting"; retryAt: number; attempt: number }
  | { state: "offline" }
  | { state: "stopped" };

/** A `say` the room has not echoed yet. */
export interface PendingSay {
  id: string;
  text: string;
  /** The recipient of a private message. */
  to?: User;
}

/** What the transport tells the page. Every callback is optional. */
export interface TransportEvents {
  status(status: ConnectionStatus): void;
  /** An accepted hello; on `resumed: false` the page clears and redraws from `welcome.messages`. */
  welcome(welcome: WelcomeFrame): void;
  /** Every later frame, `batch`es unpacked, duplicate echoes of resent `say`s left out. */
  frame(frame: RoomFrame): void;
  /** The outbox changed (a say queued, echoed or refused). */
  outbox(pending: readonly PendingSay[]): void;
  /** The room refused a say; it has left the outbox. */
  refused(say: PendingSay, error: RoomError): void;
}

/** Everything a transport needs. */
export interface TransportOptions {
  /** The room's WebSocket URL. */
  url: string;
  token: string;
  /** The name to ask for in `hello` (read at each connect, so a rename made offline is used). */
  name(): string | undefined;
  openSocket: OpenSocket;
  events?: Partial<TransportEvents>;
  policy?: Partial<ReconnectPolicy>;
  /** Source of jitter, [0, 1). */
  random?: () => number;
  /** Says left unechoed by an earlier page (kept across reloads); sent after the first welcome. */
  outbox?: readonly PendingSay[];
}

type Timer = ReturnType<typeof setTimeout>;

/** One room connection that keeps itself alive until `stop()`. */
export class Transport {
  readonly #options: TransportOptions;
  readonly #policy: ReconnectPolicy;
  readonly #random: () => number;
  #status: ConnectionStatus = { state: "stopped" };
  #socket: SocketHandle | null = null;
  #welcomed = false;
  /** Set when the room refused our name in hello: retry as a guest on this socket. */
  #helloWithoutName = false;
  #attempt = 0;
  #retryTimer: Timer | undefined;
  #connectTimer: Timer | undefined;
  #pingTimer: Timer | undefined;
  #missedPongs = 0;
  #awaitingPong = false;
  #epoch: string | undefined;
  #lastSeq = 0;
  #self: User | undefined;
  #outbox: PendingSay[] = [];
  /** Set after a `rate_limited` say: nothing is sent until then. */
  #holdUntil = 0;
  #holdTimer: Timer | undefined;
  /** After a `rate_limited` say, until the outbox is empty: one say in flight at a time. */
  #paced = false;
  /** The say sent in paced mode whose answer we wait for. */
  #inFlight: string | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#policy = { ...RECONNECT_DEFAULTS, ...options.policy };
    this.#random = options.random ?? Math.random;
    this.#outbox = [...(options.outbox ?? [])];
  }

  /** Where the connection stands. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** The user this page is, once welcomed. */
  get self(): User | undefined {
    return this.#self;
  }

  /** The last seq seen; the next hello resumes after it. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** While the room's bucket refills after a `rate_limited` say: the time sending goes on (ms). */
  get heldUntil(): number | undefined {
    return this.#held() ? this.#holdUntil : undefined;
  }

  /** Says not echoed yet, oldest first. */
  get outbox(): readonly PendingSay[] {
    return this.#outbox;
  }

  /** Connects now (also after `stop()`). */
  start(): void {
    this.#clearTimers();
    this.#connect();
  }

  /** Closes the connection for good, until `start()`. */
  stop(): void {
    this.#drop(1000, "page closed");
    this.#setStatus({ state: "stopped" });
  }

  /** The network is gone: close now instead of waiting for the heartbeat, and wait for `reconnectNow`. */
  goOffline(): void {
    this.#drop(1000, "offline");
    this.#setStatus({ state: "offline" });
  }

  /** Skips the backoff wait (the network came back, or the page became visible). */
  reconnectNow(): void {
    const state = this.#status.state;
    if (state === "waiting" || state === "offline") this.start();
  }

  /** Queues a message; it is sent now when connected, else after the next welcome. */
  say(text: string, to?: User): PendingSay {
    const pending: PendingSay = to ? { id: newMessageId(), text, to } : { id: newMessageId(), text };
    this.#outbox.push(pending);
    this.#emitOutbox();
    if (this.#welcomed && !this.#paced && !this.#held()) this.#sendSay(pending);
    return pending;
  }

  /** Sends a frame that is only worth sending now; false when not connected. */
  send(frame: RenameFrame | TypingFrame | HistoryRequestFrame): boolean {
    if (!this.#welcomed || !this.#socket) return false;
    this.#socket.send(encode(frame));
    return true;
  }

  // ---- the steps of a connection ----

  #connect(): void {
    this.#drop(1000, "reconnecting");
    this.#setStatus({ state: "connecting", attempt: this.#attempt });
    this.#helloWithoutName = false;
    let socket: SocketHandle | null = null;
    // Events of a socket we have since dropped are ignored: only the current one counts.
    const current = () => socket !== null && socket === this.#socket;
    socket = this.#options.openSocket(this.#options.url, {
      open: () => current() && this.#opened(),
      text: (data) => current() && this.#received(data),
      closed: () => current() && this.#lost(),
    });
    this.#socket = socket;
    this.#connectTimer = setTimeout(() => this.#lost(), this.#policy.connectTimeoutMs);
  }

  #opened(): void {
    this.#sendHello();
    this.#missedPongs = 0;
    this.#awaitingPong = false;
    this.#pingTimer = setInterval(() => this.#heartbeat(), this.#policy.pingIntervalMs);
  }

  #sendHello(): void {
    const name = this.#helloWithoutName ? undefined : this.#options.name();
    const hello: HelloFrame = { type: "hello", token: this.#options.token };
    if (name) hello.name = name;
    if (this.#epoch !== undefined) {
      hello.since = this.#lastSeq;
      hello.epoch = this.#epoch;
    }
    this.#socket?.send(encode(hello));
  }

  #heartbeat(): void {
    if (this.#awaitingPong && ++this.#missedPongs >= this.#policy.maxMissedPongs) return this.#lost();
    this.#awaitingPong = true;
    this.#socket?.send(HEARTBEAT.ping);
  }

  #received(data: string): void {
    // Anything that arrives proves the connection alive, not only a pong.
    this.#awaitingPong = false;
    this.#missedPongs = 0;
    const incoming = decodeServerText(data);
    if (incoming.kind !== "frames") return;
    for (const frame of incoming.frames) this.#handle(frame);
  }

  #handle(frame: RoomFrame): void {
    if (frame.type === "welcome") return this.#welcome(frame);
    if (!this.#welcomed) {
      if (frame.type === "error" && frame.code === "name_invalid" && !this.#helloWithoutName) {
        // The stored name is not acceptable: join as a guest rather than not at all.
        this.#helloWithoutName = true;
        this.#sendHello();
      }
      this.#options.events?.frame?.(frame);
      return;
    }
    if (frame.type === "message") {
      if (this.#acknowledge(frame)) {
        this.#emitOutbox();
        this.#settled(frame.id);
      }
      // A seq at or below the last one seen is the room answering a resent duplicate: shown already.
      if (frame.seq <= this.#lastSeq) return;
      this.#lastSeq = frame.seq;
    } else if (frame.type === "error" && frame.ref !== undefined) {
      const index = this.#outbox.findIndex((say) => say.id === frame.ref);
      if (index >= 0 && frame.code === "rate_limited") return this.#hold(frame.ref, frame.retryAfterMs ?? 1_000);
      if (index >= 0) {
        const [say] = this.#outbox.splice(index, 1);
        this.#emitOutbox();
        this.#options.events?.refused?.(say!, frame);
        this.#settled(say!.id);
        return;
      }
    }
    this.#options.events?.frame?.(frame);
  }

  #welcome(welcome: WelcomeFrame): void {
    clearTimeout(this.#connectTimer);
    this.#welcomed = true;
    this.#attempt = 0;
    this.#self = welcome.self;
    this.#epoch = welcome.epoch;
    // The room's seq, not the last visible message: private messages between others take seqs too.
    this.#lastSeq = welcome.seq;
    let echoed = false;
    for (const event of welcome.messages) if (event.type === "message") echoed = this.#acknowledge(event) || echoed;
    this.#setStatus({ state: "open" });
    this.#options.events?.welcome?.(welcome);
    if (echoed) this.#emitOutbox();
    this.#flushOutbox();
  }

  /** Removes an own message from the outbox when its echo arrives; true if it was there. */
  #acknowledge(message: MessageFrame): boolean {
    if (message.from.id !== this.#self?.id) return false;
    const index = this.#outbox.findIndex((say) => say.id === message.id);
    if (index < 0) return false;
    this.#outbox.splice(index, 1);
    return true;
  }

  #flushOutbox(): void {
    if (this.#held()) return;
    if (this.#paced) return this.#sendNextPaced();
    for (const say of this.#outbox) this.#sendSay(say);
  }

  /** The room's bucket is empty: keep the say, pause all sending, then go on one at a time. */
  #hold(id: string, retryAfterMs: number): void {
    this.#paced = true;
    if (this.#inFlight === id) this.#inFlight = undefined;
    const until = Date.now() + retryAfterMs;
    if (until <= this.#holdUntil) return;
    this.#holdUntil = until;
    clearTimeout(this.#holdTimer);
    this.#holdTimer = setTimeout(() => {
      this.#holdUntil = 0;
      this.#emitOutbox();
      if (this.#welcomed) this.#sendNextPaced();
    }, retryAfterMs);
    this.#emitOutbox();
  }

  #held(): boolean {
    return this.#holdUntil > Date.now();
  }

  /** A say got its answer (echo or refusal): in paced mode the next one may go. */
  #settled(id: string): void {
    if (!this.#paced || this.#inFlight !== id) return;
    this.#inFlight = undefined;
    if (this.#welcomed && !this.#held()) this.#sendNextPaced();
  }

  #sendNextPaced(): void {
    const next = this.#outbox[0];
    if (!next) {
      this.#paced = false;
      return;
    }
    if (this.#inFlight !== undefined) return;
    this.#inFlight = next.id;
    this.#sendSay(next);
  }

  #sendSay(say: PendingSay): void {
    const frame: SayFrame = { type: "say", id: say.id, text: say.text };
    if (say.to) frame.to = say.to.id;
    this.#socket?.send(encode(frame));
  }

  /** The connection failed, closed, timed out or stopped answering: try again after a delay. */
  #lost(): void {
    this.#drop(4000, "connection lost");
    const delay = this.#nextDelay();
    this.#setStatus({ state: "waiting", retryAt: Date.now() + delay, attempt: this.#attempt });
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  /** Full jitter: anywhere between 0 and a cap that grows with each failed attempt. */
  #nextDelay(): number {
    return backoffDelay(this.#attempt++, this.#policy, this.#random);
  }

  /** Forgets the current socket (closing it) and every timer. */
  #drop(code: number, reason: string): void {
    this.#clearTimers();
    const socket = this.#socket;
    this.#socket = null;
    this.#welcomed = false;
    // Whatever was in flight on the old socket is sent again after the next welcome.
    this.#inFlight = undefined;
    try {
      socket?.close(code, reason);
    } catch {
      // Closing a socket that never opened can throw; it is gone either way.
    }
  }

  #clearTimers(): void {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#connectTimer);
    clearInterval(this.#pingTimer);
  }

  #setStatus(status: ConnectionStatus): void {
    this.#status = status;
    this.#options.events?.status?.(status);
  }

  #emitOutbox(): void {
    this.#options.events?.outbox?.(this.#outbox.slice());
  }
}

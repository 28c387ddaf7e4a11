/**
 * The connection to one room: hello (with an owner key when one is held, with a signed token
 * when one is given), heartbeat, reconnect with exponential backoff and full jitter, gap-free
 * resume from the last seq, the outbox (`outbox-queue.ts`) of every `say`, `edit`, `delete` and
 * `react` the room has not answered yet, and the requests (`requests.ts`) it answers without an
 * id. A socket closed by a moderator (4403) is not reopened by itself, and a banned user's hello
 * is tried again once, when the ban ends, never in a loop. A signed token is refreshed with an
 * `auth` frame before it expires (`auth-refresh.ts`).
 * Its owner gives it a socket factory; the tests give it a fake one.
 */
import { CLOSE, encode } from "@edge-chat/protocol";
import type { ReplyQuote, User, WelcomeFrame } from "@edge-chat/protocol";
import { AuthRefresh, AUTH_CLOSE } from "./auth-refresh.ts";
import { Heartbeat } from "./heartbeat.ts";
import { HelloSender } from "./hello.ts";
import { newMessageId } from "./ids.ts";
import { OutboxQueue } from "./outbox-queue.ts";
import { actionFrame, ownEventId, type NewChange, type PendingAction, type PendingChange, type PendingSay } from "./pending.ts";
import { RequestQueue, localError, type RequestSpec } from "./requests.ts";
import type { CloseReason, ConnectionStatus, EphemeralFrame, TransportOptions } from "./transport-types.ts";
import { RECONNECT_DEFAULTS, backoffDelay, type ReconnectPolicy } from "./reconnect-policy.ts";
import { decodeServerText, type RoomFrame } from "@edge-chat/protocol/server-frames";
import type { SocketHandle } from "./socket.ts";

export type { OpenSocket, SocketEvents, SocketHandle } from "./socket.ts";
export type { NewChange, PendingAction, PendingChange, PendingSay } from "./pending.ts";
export { RECONNECT_DEFAULTS, type ReconnectPolicy } from "./reconnect-policy.ts";
export type { CloseReason, ConnectionStatus, EphemeralFrame, TransportEvents, TransportOptions } from "./transport-types.ts";

type Timer = ReturnType<typeof setTimeout>;

/** One room connection that keeps itself alive until `stop()`. */
export class Transport {
  readonly #options: TransportOptions;
  readonly #policy: ReconnectPolicy;
  readonly #random: () => number;
  readonly #queue: OutboxQueue;
  readonly #requests: RequestQueue;
  readonly #auth: AuthRefresh | undefined;
  readonly #hello: HelloSender;
  #status: ConnectionStatus = { state: "closed", reason: "closed" };
  #socket: SocketHandle | null = null;
  #welcomed = false;
  #attempt = 0;
  #retryTimer: Timer | undefined;
  #connectTimer: Timer | undefined;
  readonly #heartbeat: Heartbeat;
  #epoch: string | undefined;
  #lastSeq = 0;
  #self: User | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#policy = { ...RECONNECT_DEFAULTS, ...options.policy };
    this.#random = options.random ?? Math.random;
    this.#heartbeat = new Heartbeat(this.#policy.pingIntervalMs, this.#policy.maxMissedPongs);
    this.#queue = new OutboxQueue(options.outbox ?? [], {
      send: (action) => this.#socket?.send(encode(actionFrame(action))),
      ready: () => this.#welcomed,
      changed: () => this.#options.events?.outbox?.(this.#queue.items.slice()),
      // An open connection that does not answer what we sent is as good as dead: start over.
      stalled: () => this.#lost(),
    }, this.#policy.answerTimeoutMs);
    this.#requests = new RequestQueue({
      send: (frame) => this.#socket?.send(encode(frame)),
      ready: () => this.#welcomed,
    });
    if (options.auth) {
      this.#auth = new AuthRefresh(options.auth, {
        refresh: (auth) =>
          this.#requests.add({ frame: { type: "auth", auth }, read: false, answer: (f) => (f.type === "auth" ? f : undefined) }),
        // A refresh the room refused, or a provider that failed: start over with a fresh token.
        failed: () => this.#lost(),
      });
    }
    this.#hello = new HelloSender(
      { token: options.token, auth: this.#auth, access: options.access === true, name: options.name, key: options.key },
      {
        send: (text) => this.#socket?.send(text),
        resume: () => (this.#epoch === undefined ? undefined : { since: this.#lastSeq, epoch: this.#epoch }),
        failed: () => this.#lost(),
        socket: () => this.#socket,
      },
    );
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

  /** While the room's bucket refills after a `rate_limited` action: the time sending goes on (ms). */
  get heldUntil(): number | undefined {
    return this.#queue.heldUntil;
  }

  /** Actions not answered yet, oldest first. */
  get outbox(): readonly PendingAction[] {
    return this.#queue.items;
  }

  /** Connects now (also after `stop()`, a removal or a ban). */
  start(): void {
    this.#clearTimers();
    this.#connect();
  }

  /** Closes the connection for good, until `start()`; requests still waiting fail. */
  stop(): void {
    this.#close("closed");
  }

  /** The network is gone: close now instead of waiting for the heartbeat, and wait for `reconnectNow`. */
  goOffline(): void {
    const status = this.#status;
    // A removal or a refusal stays as it is: going offline and back must not undo it.
    if ((status.state === "closed" && status.reason !== "closed") || status.state === "banned") return;
    this.#drop(1000, "offline");
    this.#setStatus({ state: "offline" });
  }

  /** Skips the backoff wait (the network came back, or the page became visible). */
  reconnectNow(): void {
    const state = this.#status.state;
    if (state === "reconnecting" || state === "offline") this.start();
  }

  /** Sends a request the room answers without an id; it waits for a connection, and settles with its answer. */
  request<T>(spec: RequestSpec<T>): Promise<T> {
    if (this.#status.state === "closed") return Promise.reject(localError("closed", "the room connection is closed"));
    return this.#requests.add(spec);
  }

  /** Queues a message; it is sent now when connected, else after the next welcome. */
  say(text: string, to?: User, replyTo?: ReplyQuote, files?: string[]): PendingSay {
    const pending: PendingSay = { id: newMessageId(), text };
    if (to) pending.to = to;
    if (replyTo) pending.replyTo = replyTo;
    if (files) pending.files = [...files];
    this.#queue.add(pending);
    return pending;
  }

  /** Queues an edit, delete or reaction, kept and resent like a say until the room answers it. */
  change(change: NewChange): PendingChange {
    const pending = { ...change, id: newMessageId() } as PendingChange;
    this.#queue.add(pending);
    return pending;
  }

  /** Sends a frame that is only worth sending now; false when not connected. */
  send(frame: EphemeralFrame): boolean {
    if (!this.#welcomed || !this.#socket) return false;
    this.#socket.send(encode(frame));
    return true;
  }

  // ---- the steps of a connection ----

  #connect(): void {
    this.#drop(1000, "reconnecting");
    this.#setStatus({ state: "connecting", attempt: this.#attempt });
    this.#hello.reset();
    let socket: SocketHandle | null = null;
    // Events of a socket we have since dropped are ignored: only the current one counts.
    const current = () => socket !== null && socket === this.#socket;
    socket = this.#options.openSocket(this.#options.url, {
      open: () => current() && this.#opened(),
      text: (data) => current() && this.#received(data),
      closed: (code) => current() && this.#closed(code),
    });
    this.#socket = socket;
    this.#connectTimer = setTimeout(() => this.#lost(), this.#policy.connectTimeoutMs);
  }

  #opened(): void {
    this.#hello.send();
    this.#heartbeat.start((ping) => this.#socket?.send(ping), () => this.#lost());
  }

  #received(data: string): void {
    this.#heartbeat.alive();
    const incoming = decodeServerText(data);
    if (incoming.kind !== "frames") return;
    for (const frame of incoming.frames) {
      // A frame handled may have closed or replaced this socket: the rest are of no use then.
      if (!this.#socket) return;
      this.#handle(frame);
    }
  }

  #handle(frame: RoomFrame): void {
    if (frame.type === "welcome") return this.#welcome(frame);
    if (!this.#welcomed) return this.#beforeWelcome(frame);
    switch (frame.type) {
      case "message":
      case "edit":
      case "delete":
      case "react": {
        const own = ownEventId(frame, this.#self?.id);
        const action = own === undefined ? undefined : this.#queue.answered(own);
        // A seq at or below the last one seen is the room answering a resent duplicate: shown already.
        const fresh = frame.seq > this.#lastSeq;
        if (fresh) this.#lastSeq = frame.seq;
        if (action) this.#options.events?.stored?.(action, frame);
        if (!fresh) return;
        break;
      }
      case "error": {
        if (frame.ref === undefined || !this.#queue.has(frame.ref)) break;
        if (frame.code === "rate_limited") return this.#queue.hold(frame.ref, frame.retryAfterMs ?? 1_000);
        const action = this.#queue.answered(frame.ref)!;
        this.#options.events?.refused?.(action, frame);
        return;
      }
    }
    this.#requests.take(frame);
    this.#options.events?.frame?.(frame);
  }

  /** A refused hello leaves the socket open: hello.ts mends what it can; a ban waits for its end. */
  #beforeWelcome(frame: RoomFrame): void {
    const verdict = frame.type === "error" ? this.#hello.judge(frame) : undefined;
    if (verdict && "close" in verdict) {
      this.#options.events?.frame?.(frame);
      return this.#close(verdict.close);
    }
    if (verdict?.keyRefused && frame.type === "error") this.#options.events?.keyRefused?.(frame);
    if (!verdict && frame.type === "error" && frame.code === "banned") {
      const until = Date.now() + (frame.retryAfterMs ?? 60_000);
      this.#options.events?.frame?.(frame);
      this.#drop(1000, "banned");
      this.#setStatus({ state: "banned", until });
      this.#retryTimer = setTimeout(() => this.start(), until - Date.now());
      return;
    }
    this.#options.events?.frame?.(frame);
  }

  #welcome(welcome: WelcomeFrame): void {
    clearTimeout(this.#connectTimer);
    this.#attempt = 0;
    this.#self = welcome.self;
    this.#epoch = welcome.epoch;
    // The room's seq, not the last visible event: private events between others take seqs too.
    this.#lastSeq = welcome.seq;
    // Answers inside a resume count before anything is resent (not yet welcomed: nothing goes out).
    for (const event of welcome.messages) {
      const own = ownEventId(event, welcome.self.id);
      const action = own === undefined ? undefined : this.#queue.answered(own);
      if (action) this.#options.events?.stored?.(action, event);
    }
    this.#welcomed = true;
    this.#setStatus({ state: "open" });
    this.#options.events?.welcome?.(welcome);
    if (!this.#welcomed) return;
    this.#queue.flush();
    this.#requests.flush();
    this.#auth?.welcomed();
  }

  /** The socket closed: by a moderator (stay closed), for an expired token, or lost. */
  #closed(code: number): void {
    if (code === CLOSE.removed) return this.#close("removed");
    // The token ran out before a refresh: a provider gives a fresh one, a fixed token cannot.
    if (code === AUTH_CLOSE && !this.#auth?.renewable) return this.#close("unauthorized");
    this.#lost();
  }

  /** Closed for good until `start()`: what waits for an answer fails; the outbox keeps its actions. */
  #close(reason: CloseReason): void {
    this.#drop(1000, reason);
    this.#requests.close(localError("closed", `the room connection is closed (${reason})`));
    this.#setStatus({ state: "closed", reason });
  }

  /** The connection failed, closed, timed out or stopped answering: try again after a delay. */
  #lost(): void {
    this.#drop(4000, "connection lost");
    const delay = this.#nextDelay();
    this.#setStatus({ state: "reconnecting", delayMs: delay, retryAt: Date.now() + delay, attempt: this.#attempt });
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
    this.#queue.disconnected();
    this.#requests.disconnected();
    this.#auth?.disconnected();
    try {
      socket?.close(code, reason);
    } catch {
      // Closing a socket that never opened can throw; it is gone either way.
    }
  }

  #clearTimers(): void {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#connectTimer);
    this.#heartbeat.stop();
  }

  #setStatus(status: ConnectionStatus): void {
    this.#status = status;
    this.#options.events?.status?.(status);
  }
}

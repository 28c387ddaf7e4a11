/**
 * The Room Durable Object: one per chat room, the one place its truth lives. It holds the sockets
 * with the Hibernation API, orders and stores every message in SQLite before anyone sees it, and
 * broadcasts. Nothing that matters lives only in instance fields: presence is rebuilt from the
 * runtime's sockets and their attachments whenever the room wakes.
 */
import { DurableObject } from "cloudflare:workers";
import { CLOSE, HEARTBEAT, LIMITS, TIMINGS, encode } from "../shared/protocol.ts";
import type { Bucket } from "./rate-limit.ts";
import type {
  ClientFrame,
  ErrorCode,
  HelloFrame,
  HistoryRequestFrame,
  RenameFrame,
  SayFrame,
  SingleServerFrame,
  User,
} from "../shared/protocol.ts";
import { decodeClientFrame } from "../shared/validate.ts";
import { readConfig, type RoomConfig } from "./config.ts";
import { jsonError } from "./http.ts";
import { userIdFromToken } from "./identity.ts";
import { guestName, uniqueName } from "./names.ts";
import { Presence } from "./presence.ts";
import { Buckets } from "./buckets.ts";
import type { SocketState } from "./presence.ts";
import { Outbox } from "./outbox.ts";
import { MessageStore, type Page } from "./store.ts";

/** Frames due faster than one per this many ms are held this long and packed into batches. */
const BATCH_WINDOW_MS = 10;

const encoder = new TextEncoder();

/** One chat room. */
export class Room extends DurableObject<Env> {
  readonly #config: RoomConfig;
  readonly #store: MessageStore;
  readonly #presence: Presence;
  readonly #outbox = new Outbox<WebSocket>(BATCH_WINDOW_MS);
  readonly #buckets: Buckets;
  /** Per-user time of the last `typing` passed on; losing it on eviction only lets one more through. */
  readonly #typingAt = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = readConfig(env);
    this.#store = new MessageStore(ctx.storage.sql);
    this.#presence = new Presence(ctx.getWebSockets());
    this.#buckets = new Buckets(ctx.storage.sql, this.#config.burst, this.#config.perSecond);
    // The runtime answers heartbeats itself, so a ping never wakes a hibernated room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT.ping, HEARTBEAT.pong));
  }

  /** Accepts a WebSocket upgrade (the Worker has checked the room name and the Origin). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(426, "upgrade_required", "this endpoint speaks WebSocket");
    }
    const { 0: client, 1: server } = new WebSocketPair();
    const now = Date.now();
    this.ctx.acceptWebSocket(server);
    this.#presence.open(server, now);
    await this.#wakeAtLatest(now + TIMINGS.helloTimeoutMs);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Public messages for the HTTP history API (never private ones). */
  publicPage(limit: number, before?: number): Page {
    return this.#store.page(null, limit, before);
  }

  /**
   * Handles one frame. Synchronous on purpose: a frame is handled in one uninterrupted turn. The
   * frame is decoded before it is handled, so even an `internal` error names the frame (`ref`)
   * and the client's outbox can settle it.
   */
  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    let ref: string | undefined;
    try {
      const state = this.#presence.state(ws);
      state.lastSeen = Date.now();
      const frame = this.#decode(ws, data);
      if (frame) {
        ref = frame.type === "say" ? frame.id : undefined;
        this.#handle(ws, frame);
      }
      if (ws.readyState === WebSocket.OPEN) this.#presence.save(ws);
    } catch (err) {
      this.#log("frame failed", err);
      this.#error(ws, "internal", "the room could not handle that frame", ref);
    }
    this.#outbox.settle();
  }

  /** A socket closed: if it was its user's last, everyone else sees them leave. */
  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      // Complete the closing handshake ourselves: web_socket_auto_reply_to_close covers sockets
      // accepted with accept(), not hibernatable ones (rechecked on workerd 1.20261117; the test
      // "the closing handshake" fails without this). Where the runtime replied, this is ignored.
      this.#close(ws, echoableCloseCode(code), "");
    } catch (err) {
      this.#log(`close ${code} ${reason} failed`, err);
    }
    this.#outbox.settle();
  }

  /** A socket failed: treated as closed. */
  override webSocketError(ws: WebSocket, error: unknown): void {
    try {
      this.#log("socket error", error);
      this.#left(ws);
    } catch (err) {
      this.#log("socket error handling failed", err);
    }
    this.#outbox.settle();
  }

  /** The sweep: closes sockets that never said hello or went silent, prunes the log, re-arms. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const [ws, state] of this.#presence.entries()) {
      if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) {
        this.#left(ws);
      } else if (!state.user && now >= state.openedAt + TIMINGS.helloTimeoutMs) {
        this.#close(ws, CLOSE.timeout, "no hello within 10 s");
      } else if (state.user && now >= this.#lastHeard(ws, state.lastSeen) + TIMINGS.idleTimeoutMs) {
        this.#close(ws, CLOSE.timeout, "nothing received for 60 s");
      }
    }
    this.#outbox.settle();
    this.#store.prune(this.#config.historyLimit);
    this.#buckets.prune(now);
    await this.#rearm(now);
  }

  /** Checks a frame against the protocol; answers what is wrong with it, or returns it to handle. */
  #decode(ws: WebSocket, data: string | ArrayBuffer): ClientFrame | undefined {
    const bytes = typeof data === "string" ? utf8Length(data) : data.byteLength;
    if (bytes > LIMITS.frameBytes) return void this.#close(ws, CLOSE.tooBig, "frame over 65536 bytes");
    if (typeof data !== "string") return void this.#error(ws, "bad_message", "binary frames are not accepted");

    const decoded = decodeClientFrame(data);
    const user = this.#presence.state(ws).user;
    if (!user && decoded.type !== undefined && decoded.type !== "hello") {
      const ref = decoded.ok ? (decoded.frame.type === "say" ? decoded.frame.id : undefined) : decoded.ref;
      return void this.#error(ws, "not_ready", "send hello first", ref);
    }
    if (user && decoded.type === "hello") return void this.#error(ws, "bad_message", "hello was already accepted");
    if (!decoded.ok) return void this.#error(ws, decoded.code, decoded.message, decoded.ref);
    return decoded.frame;
  }

  /** Handles a valid frame. */
  #handle(ws: WebSocket, frame: ClientFrame): void {
    if (frame.type === "hello") return this.#hello(ws, frame);
    const user = this.#presence.state(ws).user;
    if (!user) return this.#error(ws, "not_ready", "send hello first");
    switch (frame.type) {
      case "say":
        return this.#say(ws, user, frame);
      case "rename":
        return this.#rename(ws, user, frame);
      case "typing":
        return this.#typing(user);
      case "history":
        return this.#history(ws, user, frame);
    }
  }

  #hello(ws: WebSocket, hello: HelloFrame): void {
    const id = userIdFromToken(hello.token);
    // A second socket of an online user joins under the user's current name.
    const online = this.#presence.user(id);
    const taken = (name: string) => this.#presence.isTaken(name, id);
    const name = online?.name ?? (hello.name !== undefined ? uniqueName(hello.name, taken) : guestName(taken));
    const self: User = { id, name };
    const first = this.#presence.admit(ws, self);
    const { resumed, messages } = this.#store.resume(id, hello.since, hello.epoch, LIMITS.resumeMax, LIMITS.pageDefault);
    this.#send(ws, {
      type: "welcome",
      self,
      users: this.#presence.users(),
      messages,
      seq: this.#store.lastSeq,
      epoch: this.#store.epoch,
      resumed,
      limits: { text: LIMITS.text, name: LIMITS.name, burst: this.#config.burst, perSecond: this.#config.perSecond },
    });
    if (first) this.#broadcast({ type: "join", user: self }, id);
  }

  /**
   * The protocol checks a say's duplicate id before its `to` and its bucket. The common case is
   * a new message that passes both, so the duplicate check rides on the INSERT itself
   * (`append` refuses a stored id); only a say about to be refused looks the id up first, so a
   * stored duplicate still wins over `unknown_user` and `rate_limited`. Nothing is spent on a
   * duplicate: the bucket is charged only after the INSERT.
   */
  #say(ws: WebSocket, user: User, say: SayFrame): void {
    const now = Date.now();
    const to = say.to === undefined ? undefined : this.#presence.user(say.to);
    const take = this.#buckets.take(user.id, now, this.#presence.savedBucket(user.id));

    if ((say.to !== undefined && !to) || !take.ok) {
      const stored = this.#store.findByClientId(user.id, say.id);
      if (stored) return this.#send(ws, stored);
      if (!take.ok && (say.to === undefined || to)) {
        return this.#send(ws, {
          type: "error",
          code: "rate_limited",
          message: "slow down",
          ref: say.id,
          retryAfterMs: take.retryAfterMs,
        });
      }
      return this.#error(ws, "unknown_user", "nobody online has that id", say.id);
    }

    const message = this.#store.append(user, say.id, say.text, now, to);
    if (!message) return this.#send(ws, this.#store.findByClientId(user.id, say.id)!);
    this.#spend(ws, user, take.bucket);

    if (!to) return this.#broadcast(message);
    const both = new Set([...this.#presence.socketsOf(user.id), ...this.#presence.socketsOf(to.id)]);
    this.#outbox.pushAll(both, encode(message));
  }

  /** Refused, or ending on the current name: nothing spent, nothing sent. Else it costs a token. */
  #rename(ws: WebSocket, user: User, rename: RenameFrame): void {
    const name = uniqueName(rename.name, (n) => this.#presence.isTaken(n, user.id));
    if (name === user.name) return;
    if (!this.#charge(ws, user)) return;
    this.#presence.rename(user.id, name);
    this.#broadcast({ type: "rename", user: { id: user.id, name }, old: user.name });
  }

  #typing(user: User): void {
    const now = Date.now();
    if (now - (this.#typingAt.get(user.id) ?? 0) < TIMINGS.typingThrottleMs) return;
    this.#typingAt.set(user.id, now);
    this.#broadcast({ type: "typing", user }, user.id);
  }

  #history(ws: WebSocket, user: User, request: HistoryRequestFrame): void {
    if (!this.#charge(ws, user)) return;
    const page = this.#store.page(user.id, request.limit ?? LIMITS.pageDefault, request.before);
    this.#send(ws, { type: "history", ...page });
  }

  /** Takes a token for an action that is not a stored message; answers rate_limited when empty. */
  #charge(ws: WebSocket, user: User): boolean {
    const take = this.#buckets.take(user.id, Date.now(), this.#presence.savedBucket(user.id));
    if (!take.ok) {
      this.#send(ws, { type: "error", code: "rate_limited", message: "slow down", retryAfterMs: take.retryAfterMs });
      return false;
    }
    this.#spend(ws, user, take.bucket);
    return true;
  }

  /** Records a spent token in memory and in the charging socket's attachment. */
  #spend(ws: WebSocket, user: User, bucket: Bucket): void {
    this.#buckets.commit(user.id, bucket);
    this.#presence.state(ws).bucket = bucket;
  }

  /** Drops a socket from presence; if its user has no socket left, the others see a leave. */
  #left(ws: WebSocket): void {
    const saved = (ws.deserializeAttachment() as SocketState | null)?.bucket;
    const gone = this.#presence.drop(ws);
    if (gone) this.#buckets.left(gone.id, Date.now(), saved);
    if (gone) this.#broadcast({ type: "leave", user: gone }, gone.id);
    // Close frames may arrive for sockets the sweep already dropped: nothing to do then.
  }

  #close(ws: WebSocket, code: number, reason: string): void {
    this.#outbox.flushSocket(ws);
    try {
      ws.close(code, reason);
    } catch (err) {
      this.#log("close failed", err);
    }
    this.#left(ws);
  }

  /** Serializes once and queues for every joined socket, except those of `exceptUser`. */
  #broadcast(frame: SingleServerFrame, exceptUser?: string): void {
    this.#outbox.pushAll(this.#recipients(exceptUser), encode(frame));
  }

  *#recipients(exceptUser?: string): Generator<WebSocket> {
    for (const [id, ws] of this.#presence.joinedSockets()) if (id !== exceptUser) yield ws;
  }

  #send(ws: WebSocket, frame: SingleServerFrame): void {
    this.#outbox.push(ws, encode(frame));
  }

  #error(ws: WebSocket, code: ErrorCode, message: string, ref?: string): void {
    this.#send(ws, ref === undefined ? { type: "error", code, message } : { type: "error", code, message, ref });
  }

  /** The last time anything arrived on a socket: a frame, or a ping the runtime answered. */
  #lastHeard(ws: WebSocket, lastFrame: number): number {
    const pinged = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
    return Math.max(lastFrame, pinged);
  }

  /** Makes sure the sweep runs no later than `deadline`. */
  async #wakeAtLatest(deadline: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > deadline) await this.ctx.storage.setAlarm(deadline);
  }

  /** Arms the sweep for the earliest deadline of any socket, or not at all when none is left. */
  async #rearm(now: number): Promise<void> {
    let next = Infinity;
    for (const [ws, state] of this.#presence.entries()) {
      const deadline = state.user
        ? this.#lastHeard(ws, state.lastSeen) + TIMINGS.idleTimeoutMs
        : state.openedAt + TIMINGS.helloTimeoutMs;
      next = Math.min(next, deadline);
    }
    if (next === Infinity) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(next, now + 1_000));
  }

  #log(what: string, err: unknown): void {
    console.error(`room ${this.ctx.id.name ?? this.ctx.id.toString()}: ${what}:`, err);
  }
}

/** The code to answer a peer's close with: its own, unless it is one that may never be sent. */
function echoableCloseCode(code: number): number {
  const sendable = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  return sendable ? code : 1000;
}

/** UTF-8 size of a string, without encoding it when it is clearly small. */
function utf8Length(text: string): number {
  return text.length * 3 <= LIMITS.frameBytes ? text.length : encoder.encode(text).byteLength;
}

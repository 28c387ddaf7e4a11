/**
 * The Room Durable Object: one per chat room, the one place its truth lives. It carries frames
 * between its sockets (held with the Hibernation API) and the room's core (`room-core.ts`), which
 * decides everything; it runs the batch window, the sweep alarm and the HTTP calls. Nothing that
 * matters lives only in instance fields: the core is rebuilt from SQLite and the sockets'
 * attachments whenever the room wakes.
 */
import { DurableObject } from "cloudflare:workers";
import { CLOSE, HEARTBEAT, LIMITS, TIMINGS } from "../shared/protocol.ts";
import type { MessagesPage, RoomInfo, SingleServerFrame } from "../shared/protocol.ts";
import { decodeClientFrame } from "../shared/validate.ts";
import { BatchWindow } from "./batch-window.ts";
import { readConfig, type RoomConfig } from "./config.ts";
import type { Audience, CloseTarget, Outlet } from "./group-commit.ts";
import { jsonError } from "./http.ts";
import { LocalSockets } from "./local-sockets.ts";
import { RoomCore } from "./room-core.ts";

/** Broadcasts due faster than one per this many ms are held this long and packed into batches. */
const BATCH_WINDOW_MS = 10;

const encoder = new TextEncoder();

/** What `claim` answers. */
export type ClaimResult = { ok: true } | { ok: false; reason: "taken" };

/** One chat room. */
export class Room extends DurableObject<Env> {
  readonly #config: RoomConfig;
  readonly #sockets: LocalSockets;
  readonly #core: RoomCore;
  readonly #window = new BatchWindow(BATCH_WINDOW_MS);
  #occupancyTimer = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = readConfig(env);
    this.#sockets = new LocalSockets("0", ctx.getWebSockets());
    const outlet: Outlet = {
      frame: (audience, frame) => this.#deliver(audience, frame),
      close: (target, code, reason) => this.#closeTarget(target, code, reason),
    };
    this.#core = new RoomCore({
      sql: ctx.storage.sql,
      transaction: (fn) => ctx.storage.transactionSync(fn),
      config: this.#config,
      outlet,
      hooks: {
        admitted: (conn, name) => this.#sockets.admitted(conn, name),
        renamed: (user, name) => this.#sockets.renamed(user, name),
        charged: (key, bucket) => this.#sockets.charged(key, bucket),
      },
    });
    this.#core.queue.holding = () => this.#window.open;
    for (const { conn, name, bucket } of this.#sockets.conns()) this.#core.restore(conn, name, bucket);
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
    this.#sockets.open(server, now);
    await this.#wakeAtLatest(now + TIMINGS.helloTimeoutMs);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Public messages for the HTTP history API, in their current state (never private ones). */
  publicPage(limit: number, before?: number): MessagesPage {
    const rows = this.#core.log.messageRows(null, limit + 1, before);
    return { messages: this.#core.folder.messages(rows.slice(0, limit).reverse(), null), hasMore: rows.length > limit };
  }

  /** What a lobby shows before joining. */
  info(room: string): RoomInfo {
    return {
      room,
      online: this.#core.presence.online,
      seq: this.#core.log.lastSeq,
      owned: this.#core.settings.ownerKeyHash !== undefined,
      settings: this.#core.settings.current,
    };
  }

  /** Gives the room an owner key (by its hash); a named room only if it was never used. */
  claim(ownerKeyHash: string, named: boolean): ClaimResult {
    const used = this.#core.log.lastSeq > 0 || this.#core.settings.ownerKeyHash !== undefined;
    if (named && used) return { ok: false, reason: "taken" };
    this.#core.settings.setOwnerKeyHash(ownerKeyHash);
    return { ok: true };
  }

  /** Handles one frame. Synchronous on purpose: a frame is handled in one uninterrupted turn. */
  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    try {
      const state = this.#sockets.state(ws);
      if (!state || ws.readyState !== WebSocket.OPEN) return;
      this.#sockets.heard(ws, Date.now());
      const bytes = typeof data === "string" ? utf8Length(data) : data.byteLength;
      if (bytes > LIMITS.frameBytes) {
        this.#sockets.closeSocket(ws, CLOSE.tooBig, "frame over 65536 bytes");
        this.#gone(ws);
      } else if (typeof data !== "string") {
        this.#core.error({ to: "conn", conn: state.key }, "bad_message", "binary frames are not accepted");
      } else {
        this.#receive(state.key, data);
      }
    } catch (err) {
      this.#log("frame failed", err);
    }
    this.#settle();
  }

  /** A socket closed: if it was its user's last, everyone else sees them leave. */
  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      // Complete the closing handshake ourselves: web_socket_auto_reply_to_close covers sockets
      // accepted with accept(), not hibernatable ones (rechecked on workerd 1.20261117; the test
      // "the closing handshake" fails without this). Where the runtime replied, this is ignored.
      this.#sockets.closeSocket(ws, echoableCloseCode(code), "");
      this.#gone(ws);
    } catch (err) {
      this.#log(`close ${code} ${reason} failed`, err);
    }
    this.#settle();
  }

  /** A socket failed: treated as closed. */
  override webSocketError(ws: WebSocket, error: unknown): void {
    try {
      this.#log("socket error", error);
      this.#gone(ws);
    } catch (err) {
      this.#log("socket error handling failed", err);
    }
    this.#settle();
  }

  /** The sweep: closes sockets that never said hello or went silent, prunes, re-arms. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const [ws, state] of [...this.#sockets.entries()]) {
      if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) {
        this.#gone(ws);
      } else if (!state.conn && now >= state.openedAt + TIMINGS.helloTimeoutMs) {
        this.#sockets.closeSocket(ws, CLOSE.timeout, "no hello within 10 s");
        this.#gone(ws);
      } else if (state.conn && now >= this.#lastHeard(ws, state.lastSeen) + TIMINGS.idleTimeoutMs) {
        this.#sockets.closeSocket(ws, CLOSE.timeout, "nothing received for 60 s");
        this.#gone(ws);
      }
    }
    this.#settle();
    this.#core.log.prune(this.#config.historyLimit);
    this.#core.buckets.prune(now);
    await this.#rearm(now);
  }

  /** Decodes a text frame and hands it to the core; a failure answers `internal`, with `ref`. */
  #receive(key: string, data: string): void {
    const decoded = decodeClientFrame(data);
    try {
      this.#core.receive(key, decoded);
    } catch (err) {
      this.#log("frame failed", err);
      const ref = decoded.ok && "id" in decoded.frame ? decoded.frame.id : undefined;
      this.#core.error({ to: "conn", conn: key }, "internal", "the room could not handle that frame", ref);
    }
  }

  /** A socket is gone: forget it; if the core knew it, its user may have left. */
  #gone(ws: WebSocket): void {
    const state = this.#sockets.drop(ws);
    if (!state?.conn) return;
    // A socket whose close woke the room was never restored: put it back to take it out properly.
    this.#core.restore({ key: state.key, ...state.conn }, state.conn.name, state.bucket);
    this.#core.closed(state.key);
  }

  /** End of a turn: let out what is due, now or at the batch window's end; keep occupancy ticking. */
  #settle(): void {
    try {
      this.#scheduleOccupancy(this.#core.tick());
      if (!this.#core.queue.idle) this.#window.settle(() => this.#release());
    } catch (err) {
      this.#log("settle failed", err);
    }
    this.#sockets.outbox.flush();
  }

  #release(): void {
    try {
      this.#core.queue.commit();
    } catch (err) {
      this.#log("commit failed", err);
    }
    this.#sockets.outbox.flush();
  }

  /** At most one `occupancy` a second: a short timer while the count keeps changing. */
  #scheduleOccupancy(due: number | undefined): void {
    if (due === undefined || this.#occupancyTimer) return;
    this.#occupancyTimer = true;
    setTimeout(() => {
      this.#occupancyTimer = false;
      this.#settle();
    }, Math.max(0, due - Date.now()));
  }

  #deliver(audience: Audience, frame: SingleServerFrame): void {
    if (audience.to !== "conn") this.#window.broadcast();
    this.#sockets.deliver(audience, frame, (user) => this.#core.presence.connsOf(user));
  }

  #closeTarget(target: CloseTarget, code: number, reason: string): void {
    this.#sockets.close(target, code, reason);
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
    for (const [ws, state] of this.#sockets.entries()) {
      const deadline = state.conn ? this.#lastHeard(ws, state.lastSeen) + TIMINGS.idleTimeoutMs : state.openedAt + TIMINGS.helloTimeoutMs;
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

/**
 * The Room Durable Object: one per chat room, the one place its truth lives. It carries frames
 * between its sockets (held with the Hibernation API) and the room's core (`room-core.ts`), which
 * decides everything; it runs the batch window, the sweep alarm and the HTTP calls. Nothing that
 * matters lives only in instance fields: the core is rebuilt from SQLite and the sockets'
 * attachments whenever the room wakes.
 */
import { DurableObject } from "cloudflare:workers";
import { HEARTBEAT, TIMINGS, encode } from "@edge-chat/protocol";
import type { MessagesPage, RoomInfo, SingleServerFrame } from "@edge-chat/protocol";
import type { Decoded } from "@edge-chat/protocol/validate";
import { BatchWindow } from "./batch-window.ts";
import { readConfig, type RoomConfig } from "../config.ts";
import type { Audience, CloseTarget, Outlet } from "../core/group-commit.ts";
import { jsonError } from "../worker/http.ts";
import { LocalSockets } from "./local-sockets.ts";
import { RoomCore } from "../core/room-core.ts";
import { FOLLOW_HEADER, PLACES_HEADER, ROOM_OBJECT, SHARD_HEADER, isRemote, shardName, shardOf } from "../shards/addressing.ts";
import { ShardLinks } from "../shards/shard-links.ts";
import type { MissedEvent, UplinkBatch } from "../shards/shard-wire.ts";
import { newStats, type ObjectStats } from "./object-stats.ts";
import { SweepAlarm, echoableCloseCode, nextDeadline, sweepSockets, type SweepClock } from "./socket-sweep.ts";

/** Broadcasts due faster than one per this many ms are held this long and packed into batches. */
const BATCH_WINDOW_MS = 10;


/** One chat room. */
export class Room extends DurableObject<Env> {
  readonly #config: RoomConfig;
  readonly #sockets: LocalSockets;
  readonly #core: RoomCore;
  readonly #window = new BatchWindow(BATCH_WINDOW_MS);
  readonly #links: ShardLinks;
  /** The last uplink batch handled per shard, so a retried one is not handled twice. */
  readonly #uplinks = new Map<number, { instance: string; n: number }>();
  #occupancyTimer = false;
  readonly #stats: ObjectStats;
  readonly #alarm: SweepAlarm;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = readConfig(env);
    this.#stats = newStats(ctx.id.name ?? ctx.id.toString());
    this.#alarm = new SweepAlarm(ctx.storage);
    this.#sockets = new LocalSockets(ROOM_OBJECT, ctx.getWebSockets());
    const outlet: Outlet = {
      frame: (audience, frame, seq) => this.#deliver(audience, frame, seq),
      close: (target, code, reason) => this.#closeTarget(target, code, reason),
    };
    this.#core = new RoomCore({
      sql: ctx.storage.sql,
      transaction: (fn) => {
        this.#stats.commits++;
        ctx.storage.transactionSync(fn);
      },
      config: this.#config,
      outlet,
      holding: () => this.#window.open,
      hooks: {
        admitted: (conn, name, seq) =>
          isRemote(conn.key) ? this.#links.admitted(conn, seq) : this.#sockets.admitted(conn, name, seq),
        renamed: (user, name) => this.#sockets.renamed(user, name),
        charged: (key, bucket) => (isRemote(key) ? this.#links.charged(key, bucket) : this.#sockets.charged(key, bucket)),
      },
    });
    this.#links = new ShardLinks(
      ctx.storage.sql,
      this.#core.lastSeq,
      (index) => {
        this.#stats.callsOut++;
        return env.ROOM_SHARDS.getByName(shardName(this.#name, index));
      },
      (what, err) => this.#log(what, err),
    );
    for (const { conn, name, bucket } of this.#sockets.conns()) this.#core.restore(conn, name, bucket);
    for (const conn of this.#links.restore()) this.#core.restore(conn, this.#core.nameOf(conn.user) || "guest");
    // The runtime answers heartbeats itself, so a ping never wakes a hibernated room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT.ping, HEARTBEAT.pong));
  }

  /**
   * Accepts a WebSocket upgrade (the Worker has checked the room name and the Origin). Once this
   * object holds SHARD_CAPACITY sockets, an upgrade the Worker will follow (FOLLOW_HEADER) gets
   * 307 naming the shard the socket goes to. Each 101 tells the Worker how many places are left
   * (PLACES_HEADER), so it sends upgrades directly only while there are. A direct upgrade that
   * finds the object full (another isolate's, knowing less) is taken still: over the capacity by
   * a few, never a failed connect.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(426, "upgrade_required", "this endpoint speaks WebSocket");
    }
    const capacity = this.#config.shardCapacity;
    if (this.#sockets.size >= capacity && request.headers.get(FOLLOW_HEADER) === "follow") {
      const shard = this.#links.place(this.#sockets.size, capacity)!;
      return new Response(null, { status: 307, headers: { [SHARD_HEADER]: String(shard) } });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    const now = Date.now();
    this.ctx.acceptWebSocket(server);
    this.#sockets.open(server, now);
    await this.#alarm.wakeAtLatest(now + TIMINGS.helloTimeoutMs);
    const headers = { [PLACES_HEADER]: String(Math.max(0, capacity - this.#sockets.size)) };
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /** Public messages for the HTTP history API, in their current state (never private ones). */
  publicPage(limit: number, before?: number): MessagesPage {
    return this.#core.publicPage(limit, before);
  }

  /** What a lobby shows before joining. */
  info(room: string): RoomInfo {
    return this.#core.info(room);
  }

  /** Gives the room an owner key (by its hash); a named room only if it was never used. False: taken. */
  claim(ownerKeyHash: string, named: boolean): boolean {
    return this.#core.claim(ownerKeyHash, named);
  }

  /** What a shard sends up: its sockets' frames and closes, handled in order, in one turn. */
  uplink(batch: UplinkBatch): void {
    this.#stats.callsIn++;
    const last = this.#uplinks.get(batch.shard);
    if (last && last.instance === batch.instance && batch.n <= last.n) return;
    this.#uplinks.set(batch.shard, { instance: batch.instance, n: batch.n });
    try {
      for (const key of this.#links.report(batch.shard, batch.open, batch.roster)) this.#remoteClosed(key);
      for (const item of batch.items) {
        // A shard speaks only for its own connections.
        if (shardOf(item.conn) !== batch.shard) continue;
        if (item.kind === "closed") {
          this.#remoteClosed(item.conn);
        } else {
          if (item.bucket) this.#core.restoreBucket(item.conn, item.bucket);
          this.#receive(item.conn, item.decoded);
        }
      }
    } catch (err) {
      this.#log("uplink failed", err);
    }
    this.#settle();
  }

  /** The stored events in `(after, through]`, for a shard that missed them (as they stand now). */
  missed(after: number, through: number): MissedEvent[] {
    this.#stats.callsIn++;
    return this.#core.eventsBetween(after, through).map(({ row, frame }) => ({
      seq: row.seq,
      text: encode(frame),
      audience: row.to_id === null ? { to: "all" } : { to: "users", ids: [row.author_id, row.to_id] },
    }));
  }

  /** The indexes of the shards this room knows (for tests and the bench). */
  shardIndexes(): number[] {
    return this.#links.indexes;
  }

  /** Work counters of the Room and of every shard it knows (one call per shard). */
  async stats(): Promise<ObjectStats[]> {
    const own: ObjectStats = { ...this.#stats, sockets: this.#sockets.size, sends: this.#sockets.outbox.sends, events: this.#core.counters().stored };
    const shards: ObjectStats[] = [];
    for (const k of this.#links.indexes) {
      try {
        const { name, since, sockets, framesIn, sends, callsOut, callsIn, commits, events } = await this.env.ROOM_SHARDS.getByName(shardName(this.#name, k)).stats();
        shards.push({ name, since, sockets, framesIn, sends, callsOut, callsIn, commits, events });
      } catch (err) {
        this.#log(`stats of shard ${k} failed`, err);
      }
    }
    return [own, ...shards];
  }

  /** Handles one frame. Synchronous on purpose: a frame is handled in one uninterrupted turn. */
  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    try {
      const got = this.#sockets.receive(ws, data, Date.now());
      if (!got) return;
      const { state, admission } = got;
      this.#stats.framesIn++;
      if (admission.kind === "close") {
        this.#gone(ws);
      } else if (admission.kind === "error") {
        this.#core.answer(state.key, admission.frame);
      } else {
        this.#receive(state.key, admission.decoded);
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
    this.#alarm.fired();
    const clock = this.#clock();
    for (const ws of sweepSockets(this.#sockets, clock)) this.#gone(ws);
    this.#settle();
    this.#core.prune(clock.now);
    await this.#alarm.rearm(nextDeadline(this.#sockets), clock.now);
  }

  /** Hands a decoded frame to the core; a failure answers `internal`, with `ref`. */
  #receive(key: string, decoded: Decoded): void {
    try {
      this.#core.receive(key, decoded);
    } catch (err) {
      this.#log("frame failed", err);
      this.#core.failed(key, decoded);
    }
  }

  /** A shard's connection is gone. */
  #remoteClosed(key: string): void {
    this.#links.closed(key);
    this.#core.closed(key);
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
      if (!this.#core.idle) this.#window.settle(() => this.#release());
      else if (this.#core.writesDue) this.#window.later(() => this.#release());
    } catch (err) {
      this.#log("settle failed", err);
    }
    this.#flush();
  }

  #release(): void {
    try {
      this.#core.commit();
    } catch (err) {
      this.#log("commit failed", err);
    }
    this.#flush();
  }

  /** Sends what this turn made: to our sockets, and one call per shard that has anything. */
  #flush(): void {
    this.#sockets.outbox.flush();
    this.#links.flush(this.#core.lastSeq);
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

  /** Serializes a frame once, for our own sockets and for every shard that may hold a recipient. */
  #deliver(audience: Audience, frame: SingleServerFrame, seq?: number): void {
    if (audience.to !== "conn") this.#window.broadcast();
    const text = encode(frame);
    this.#sockets.deliver(audience, text, seq);
    this.#links.deliver(audience, text, seq);
  }

  #closeTarget(target: CloseTarget, code: number, reason: string): void {
    this.#sockets.close(target, code, reason);
    this.#links.close(target, code, reason);
  }

  /** The time now, and when the runtime last answered a socket's ping. */
  #clock(): SweepClock {
    return { now: Date.now(), pinged: (ws) => this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0 };
  }

  get #name(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }


  #log(what: string, err: unknown): void {
    console.error(`room ${this.#name}: ${what}:`, err);
  }
}

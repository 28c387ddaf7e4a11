/**
 * A shard of a room (`RoomShard`, named `<room>#<k>`): it holds sockets the room's own object has
 * no place for, with the Hibernation API, judges alone what needs no room state (the frame checks
 * in `edge.ts`), sends everything else up to the room (`uplink.ts`), and delivers what the room
 * hands down to its own sockets, in seq order, once each. It decides nothing: docs/SHARDS.md.
 */
import { DurableObject } from "cloudflare:workers";
import { HEARTBEAT, TIMINGS } from "@edge-chat/protocol";
import { localAnswer } from "./edge.ts";
import { jsonError } from "../worker/http.ts";
import { LocalSockets } from "./local-sockets.ts";
import { newStats, type ObjectStats } from "./object-stats.ts";
import { SweepAlarm, echoableCloseCode, nextDeadline, sweepSockets, type SweepClock } from "./socket-sweep.ts";
import type { DownlinkBatch, UplinkItem } from "../shards/shard-wire.ts";
import { parseShardName } from "../shards/addressing.ts";
import { Uplink } from "../shards/uplink.ts";

/** One shard of one room. */
export class RoomShard extends DurableObject<Env> {
  readonly #room: string;
  readonly #sockets: LocalSockets;
  readonly #uplink: Uplink;
  /** The room instance whose items we apply, and the last item of it we applied. */
  #instance: string | undefined;
  #lastItem = 0;
  /** The log's seq through which we delivered everything (unknown after a restart). */
  #lastSeq: number | undefined;
  #maxSeqSent = 0;
  readonly #stats: ObjectStats;
  readonly #alarm: SweepAlarm;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const name = ctx.id.name ?? "";
    this.#stats = newStats(name);
    this.#alarm = new SweepAlarm(ctx.storage);
    const { room: roomName, index } = parseShardName(name);
    this.#room = roomName;
    this.#sockets = new LocalSockets(index, ctx.getWebSockets());
    const room = () => {
      this.#stats.callsOut++;
      return env.ROOMS.getByName(this.#room);
    };
    this.#uplink = new Uplink(index, room, () => this.#sockets.size, (what, err) => this.#log(what, err));
    // The runtime answers heartbeats itself, so a ping never wakes a hibernated shard.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT.ping, HEARTBEAT.pong));
  }

  /** Accepts a socket the room placed here. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(426, "upgrade_required", "this endpoint speaks WebSocket");
    }
    const { 0: client, 1: server } = new WebSocketPair();
    const now = Date.now();
    this.ctx.acceptWebSocket(server);
    this.#sockets.open(server, now);
    await this.#alarm.wakeAtLatest(now + TIMINGS.helloTimeoutMs);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** What the room hands down: applied in order, each item once, stored events after each socket's welcome. */
  async downlink(batch: DownlinkBatch): Promise<void> {
    this.#stats.callsIn++;
    if (batch.instance !== this.#instance) {
      this.#instance = batch.instance;
      this.#lastItem = 0;
    }
    // The room lost what it had queued for us (it restarted): fetch those events first.
    if (this.#lastSeq !== undefined && batch.from > this.#lastSeq) await this.#catchUp(this.#lastSeq, batch.from);
    for (const item of batch.items) {
      if (item.id <= this.#lastItem) continue;
      this.#lastItem = item.id;
      if (item.kind === "admitted") {
        this.#sockets.admitted({ key: item.conn, user: item.user, owner: item.owner, serial: item.serial }, "", item.seq);
      } else if (item.kind === "charged") {
        this.#sockets.charged(item.conn, item.bucket);
      } else if (item.kind === "close") {
        for (const ws of this.#sockets.close(item.target, item.code, item.reason)) this.#gone(ws);
      } else if (item.seq === undefined || item.seq > this.#maxSeqSent) {
        this.#sockets.deliver(item.audience, item.text, item.seq);
        if (item.seq !== undefined) this.#maxSeqSent = item.seq;
      }
    }
    this.#lastSeq = Math.max(this.#lastSeq ?? 0, batch.through);
    this.#sockets.outbox.flush();
    this.#uplink.flush();
  }

  /** This shard's work counters. */
  stats(): ObjectStats {
    this.#stats.callsIn++;
    return { ...this.#stats, sockets: this.#sockets.size, sends: this.#sockets.outbox.sends };
  }

  /** Handles one frame: answered here when no room state is needed, else sent up in order. */
  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    try {
      const got = this.#sockets.receive(ws, data, Date.now());
      if (!got) return;
      const { state, admission } = got;
      this.#stats.framesIn++;
      if (admission.kind === "close") {
        this.#gone(ws);
      } else if (admission.kind === "error") {
        this.#sockets.deliver({ to: "conn", conn: state.key }, JSON.stringify(admission.frame));
      } else {
        const answer = localAnswer(admission.decoded, state.conn !== undefined, state.helloSent === true);
        if (answer) this.#sockets.deliver({ to: "conn", conn: state.key }, JSON.stringify(answer));
        else {
          if (admission.decoded.type === "hello") this.#sockets.helloSent(ws);
          const frame: UplinkItem = { kind: "frame", conn: state.key, decoded: admission.decoded };
          if (state.bucket) frame.bucket = state.bucket;
          this.#uplink.push(frame);
        }
      }
    } catch (err) {
      this.#log("frame failed", err);
    }
    this.#sockets.outbox.flush();
    this.#uplink.flush();
  }

  /** A socket closed: complete the handshake (see Room.webSocketClose) and tell the room. */
  override webSocketClose(ws: WebSocket, code: number): void {
    try {
      this.#sockets.closeSocket(ws, echoableCloseCode(code), "");
      this.#gone(ws);
    } catch (err) {
      this.#log(`close ${code} failed`, err);
    }
    this.#uplink.flush();
  }

  /** A socket failed: treated as closed. */
  override webSocketError(ws: WebSocket, error: unknown): void {
    this.#log("socket error", error);
    this.#gone(ws);
    this.#uplink.flush();
  }

  /** The sweep of this shard's sockets, and now and then its roster for the room. */
  override async alarm(): Promise<void> {
    this.#alarm.fired();
    const clock: SweepClock = { now: Date.now(), pinged: (ws) => this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0 };
    for (const ws of sweepSockets(this.#sockets, clock)) this.#gone(ws);
    this.#sockets.outbox.flush();
    // Every socket held, not only the welcomed ones: a welcome may still be on its way down.
    this.#uplink.roster(this.#sockets.keys());
    this.#uplink.flush();
    await this.#alarm.rearm(nextDeadline(this.#sockets), clock.now);
  }

  /** A socket is gone: forget it, and tell the room if the room knew of it. */
  #gone(ws: WebSocket): void {
    const state = this.#sockets.drop(ws);
    if (state && (state.conn || state.helloSent)) this.#uplink.push({ kind: "closed", conn: state.key });
  }

  async #catchUp(after: number, through: number): Promise<void> {
    this.#stats.callsOut++;
    const missed = await this.env.ROOMS.getByName(this.#room).missed(after, through);
    for (const event of missed) {
      if (event.seq <= this.#maxSeqSent) continue;
      this.#sockets.deliver(event.audience, event.text, event.seq);
      this.#maxSeqSent = event.seq;
    }
    this.#lastSeq = through;
  }

  #log(what: string, err: unknown): void {
    console.error(`shard ${this.ctx.id.name ?? "?"}: ${what}:`, err);
  }
}

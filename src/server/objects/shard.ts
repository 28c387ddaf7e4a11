/**
 * A shard of a room (`RoomShard`, named `<room>#<k>`): it holds sockets the room's own object has
 * no place for, judges alone what needs no room state (the frame checks in `edge.ts`), sends
 * everything else up to the room (`uplink.ts`), and delivers what the room hands down to its own
 * sockets, in seq order, once each. It decides nothing: docs/SHARDS.md. The socket lifecycle and
 * the alarm are the base's (`socket-object.ts`).
 */
import { CLOSE } from "@edge-chat/protocol";
import type { ErrorFrame } from "@edge-chat/protocol";
import type { Decoded } from "@edge-chat/protocol/validate";
import type { Credential } from "../core/credential.ts";
import type { Conn } from "../core/presence.ts";
import { parseShardName } from "../shards/addressing.ts";
import type { DownlinkBatch, UplinkItem } from "../shards/shard-wire.ts";
import { Uplink } from "../shards/uplink.ts";
import { localAnswer } from "./edge.ts";
import type { SocketState } from "./local-sockets.ts";
import type { ObjectStats } from "./object-stats.ts";
import { SocketObject } from "./socket-object.ts";

/** How often a shard sends the room every connection it holds, so a close the room lost heals. */
const ROSTER_EVERY_MS = 60_000;

/** One shard of one room. */
export class RoomShard extends SocketObject {
  readonly #room: string;
  readonly #uplink: Uplink;
  /** The room instance whose items we apply, and the last item of it we applied. */
  #instance: string | undefined;
  #lastItem = 0;
  /** The log's seq through which we delivered everything (unknown after a restart). */
  #lastSeq: number | undefined;
  #maxSeqSent = 0;
  #rosterSentAt = Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    const { room, index } = parseShardName(ctx.id.name ?? "");
    super(ctx, env, index, "shard", room);
    this.#room = room;
    const stub = () => {
      this.counts.callsOut++;
      return env.ROOMS.getByName(this.#room);
    };
    this.#uplink = new Uplink(index, stub, () => this.sockets.size, (what, err) => this.log(what, err));
    this.addDuty({
      name: "roster",
      next: () => (this.sockets.size > 0 ? this.#rosterSentAt + ROSTER_EVERY_MS : undefined),
      run: (now) => {
        // Every socket held, not only the welcomed ones: a welcome may still be on its way down.
        this.#uplink.roster(this.sockets.keys());
        this.#uplink.flush();
        this.#rosterSentAt = now;
      },
    });
  }

  /** What the room hands down: applied in order, each item once, stored events after each socket's welcome. */
  async downlink(batch: DownlinkBatch): Promise<void> {
    this.counts.callsIn++;
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
        const conn: Conn = { key: item.conn, user: item.user, owner: item.owner, serial: item.serial };
        if (item.signed) conn.signed = item.signed;
        this.sockets.admitted(conn, "", item.seq);
        this.expiresAt(conn);
      } else if (item.kind === "expires") {
        this.sockets.expires(item.conn, item.exp);
        this.expiresAt({ signed: { exp: item.exp } });
      } else if (item.kind === "charged") {
        this.sockets.charged(item.conn, item.bucket);
      } else if (item.kind === "reset") {
        for (const key of this.sockets.keys()) for (const ws of this.sockets.close({ conn: key }, item.code, item.reason)) this.gone(ws);
      } else if (item.kind === "close") {
        for (const ws of this.sockets.close(item.target, item.code, item.reason)) this.gone(ws);
      } else if (item.seq === undefined || item.seq > this.#maxSeqSent) {
        this.sockets.deliver(item.audience, item.text, item.seq);
        if (item.seq !== undefined) this.#maxSeqSent = item.seq;
      }
    }
    this.#lastSeq = Math.max(this.#lastSeq ?? 0, batch.through);
    this.endTurn();
  }

  /** This shard's work counters. */
  stats(): ObjectStats {
    this.counts.callsIn++;
    return { ...this.counts, sockets: this.sockets.size, sends: this.sockets.outbox.sends };
  }

  /** Answered here when no room state is needed, else sent up in order. */
  protected override onFrame(state: SocketState, decoded: Decoded, size: number, credential?: Credential): void {
    const answer = localAnswer(decoded, state.conn !== undefined, state.helloSent === true);
    if (answer) return this.answerHere(state.key, answer);
    const frame: UplinkItem & { kind: "frame" } = { kind: "frame", conn: state.key, decoded };
    if (state.bucket) frame.bucket = state.bucket;
    if (credential) frame.credential = credential;
    // Past the bound the room has not answered for a while: the client reconnects and resumes later.
    if (!this.#uplink.frame(frame, size)) {
      for (const ws of this.sockets.close({ conn: state.key }, CLOSE.tryAgain, "the room is not answering")) this.gone(ws);
      return;
    }
    if (decoded.type === "hello") this.sockets.helloSentBy(state.key);
  }

  /** Errors a shard answers itself count against the socket's answer budget, as the Room's do. */
  protected override answerHere(key: string, frame: ErrorFrame): void {
    this.sockets.deliver({ to: "conn", conn: key, metered: true }, JSON.stringify(frame));
  }

  /** A socket is gone: tell the room if the room knew of it. */
  protected override onGone(state: SocketState): void {
    if (state.conn || state.helloSent) this.#uplink.closed(state.key);
  }

  protected override endTurn(): void {
    this.sockets.outbox.flush();
    for (const ws of this.sockets.closeOverBudget()) this.gone(ws);
    this.#uplink.flush();
  }

  async #catchUp(after: number, through: number): Promise<void> {
    this.counts.callsOut++;
    const missed = await this.env.ROOMS.getByName(this.#room).missed(after, through);
    for (const event of missed) {
      if (event.seq <= this.#maxSeqSent) continue;
      this.sockets.deliver(event.audience, event.text, event.seq);
      this.#maxSeqSent = event.seq;
    }
    this.#lastSeq = through;
  }
}

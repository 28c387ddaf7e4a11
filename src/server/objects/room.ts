/**
 * The Room Durable Object: one per chat room, the one place its truth lives. It carries frames
 * between its sockets (and its shards' calls) and the room's core (`room-core.ts`), which decides
 * everything; when what the core queued goes out is `send-schedule.ts`'s business, the socket
 * lifecycle and the alarm are the base's (`socket-object.ts`). Nothing that matters lives only in
 * instance fields: the core is rebuilt from SQLite and the sockets' attachments whenever the room
 * wakes.
 */
import { encode } from "@edge-chat/protocol";
import type { ErrorFrame, MessagesPage, RoomInfo, SingleServerFrame } from "@edge-chat/protocol";
import type { Decoded } from "@edge-chat/protocol/validate";
import { readConfig, type RoomConfig } from "../config.ts";
import type { Credential } from "../core/credential.ts";
import type { Audience, CloseTarget } from "../core/group-commit.ts";
import { RoomCore } from "../core/room-core.ts";
import type { SearchPage } from "../core/search.ts";
import { FOLLOW_HEADER, PLACES_HEADER, ROOM_OBJECT, SHARD_HEADER, isRemote, shardName, shardOf } from "../shards/addressing.ts";
import { ShardLinks } from "../shards/shard-links.ts";
import type { MissedEvent, UplinkBatch } from "../shards/shard-wire.ts";
import { BatchWindow } from "./batch-window.ts";
import type { SocketState } from "./local-sockets.ts";
import type { ObjectStats } from "./object-stats.ts";
import { SendSchedule } from "./send-schedule.ts";
import { SocketObject } from "./socket-object.ts";

/** Broadcasts due faster than one per this many ms are held this long and packed into batches. */
const BATCH_WINDOW_MS = 10;

/**
 * Read positions that moved are written this long after the first of them, together (v3: durable
 * within 2 s; the alarm may fire a little late). A fast reader costs a row write per this, not per frame.
 */
const READ_FLUSH_MS = 1_000;

/** Retention and refilled buckets are pruned at most this often, and only after something was stored. */
const PRUNE_EVERY_MS = 60_000;

/** One chat room. */
export class Room extends SocketObject {
  readonly #config: RoomConfig;
  readonly #core: RoomCore;
  readonly #window = new BatchWindow(BATCH_WINDOW_MS);
  readonly #sending: SendSchedule;
  readonly #links: ShardLinks;
  /** The last uplink batch handled per shard, so a retried one is not handled twice. */
  readonly #uplinks = new Map<number, { instance: string; n: number }>();
  /** When retention was last pruned, and the seq the log stood at then. */
  #pruned = { at: -Infinity, seq: -1 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, ROOM_OBJECT, "room", ctx.id.name ?? "");
    this.#config = readConfig(env);
    this.#core = new RoomCore({
      sql: ctx.storage.sql,
      transaction: (fn) => {
        this.counts.commits++;
        ctx.storage.transactionSync(fn);
      },
      config: this.#config,
      outlet: {
        frame: (audience, frame, seq) => this.#deliver(audience, frame, seq),
        close: (target, code, reason) => this.#closeTarget(target, code, reason),
      },
      holding: () => this.#window.open,
      hooks: {
        admitted: (conn, name, seq) => {
          if (isRemote(conn.key)) return this.#links.admitted(conn, seq);
          this.sockets.admitted(conn, name, seq);
          this.expiresAt(conn);
        },
        renamed: (user, name) => this.sockets.renamed(user, name),
        charged: (key, bucket) => (isRemote(key) ? this.#links.charged(key, bucket) : this.sockets.charged(key, bucket)),
        expires: (key, exp) => {
          if (isRemote(key)) return this.#links.expires(key, exp);
          this.sockets.expires(key, exp);
          this.expiresAt({ signed: { exp } });
        },
        readMoved: (since) => this.alarmBy(since + READ_FLUSH_MS),
      },
    });
    this.#sending = new SendSchedule(this.#window, this.#core, () => this.#flush(), (what, err) => this.log(what, err));
    this.#links = new ShardLinks(
      ctx.storage.sql,
      this.#core.lastSeq,
      (index) => {
        this.counts.callsOut++;
        return env.ROOM_SHARDS.getByName(shardName(this.#name, index));
      },
      (what, err) => this.log(what, err),
      // Told in the middle of a delivery (maybe inside a commit): their leaves go once this turn is done.
      (keys) =>
        queueMicrotask(() => {
          for (const key of keys) this.#core.drop(key);
          this.#sending.settle();
        }),
    );
    for (const { conn, name, bucket } of this.sockets.conns()) this.#core.restore(conn, name, bucket);
    for (const conn of this.#links.restore()) this.#core.restore(conn, this.#core.nameOf(conn.user) || "guest");
    this.addDuty({
      name: "read positions",
      next: () => {
        const since = this.#core.readsUnwrittenSince;
        return since === undefined ? undefined : since + READ_FLUSH_MS;
      },
      run: () => this.#core.flushReads(),
    });
    this.addDuty({
      name: "prune",
      next: () => (this.#core.lastSeq > this.#pruned.seq ? this.#pruned.at + PRUNE_EVERY_MS : undefined),
      run: (now) => {
        this.#core.prune(now);
        this.#pruned = { at: now, seq: this.#core.lastSeq };
      },
    });
  }

  /**
   * Once this object holds SHARD_CAPACITY sockets, an upgrade the Worker will follow
   * (FOLLOW_HEADER) gets 307 naming the shard the socket goes to. A direct upgrade that finds the
   * object full (another isolate's, knowing less) is taken still: over the capacity by a few,
   * never a failed connect.
   */
  protected override elsewhere(request: Request): Response | undefined {
    const capacity = this.#config.shardCapacity;
    if (this.sockets.size < capacity || request.headers.get(FOLLOW_HEADER) !== "follow") return undefined;
    const shard = this.#links.place(this.sockets.size, capacity)!;
    return new Response(null, { status: 307, headers: { [SHARD_HEADER]: String(shard) } });
  }

  /** Each 101 tells the Worker how many places are left, so it sends upgrades directly only while there are. */
  protected override acceptedHeaders(): Record<string, string> {
    return { [PLACES_HEADER]: String(Math.max(0, this.#config.shardCapacity - this.sockets.size)) };
  }

  /**
   * A page of the HTTP messages API: public messages (viewer null), or what the credential's user
   * may see (the Worker verified the credential: credentials.ts).
   */
  messagesPage(viewer: string | null, limit: number, before?: number): MessagesPage {
    return this.#core.messagesPage(viewer, limit, before);
  }

  /** A page of the HTTP search API (v3): public matches (viewer null), or what the credential's user may see. */
  searchPage(viewer: string | null, terms: readonly string[], limit: number, before?: number): SearchPage {
    return this.#core.searchPage(viewer, terms, limit, before);
  }

  /** What a lobby shows before joining; with a credential's user, their read position too. */
  info(room: string, viewer?: string): RoomInfo {
    return this.#core.info(room, viewer);
  }

  /** Gives the room an owner key (by its hash); a named room only if it was never used. False: taken. */
  claim(ownerKeyHash: string, named: boolean): boolean {
    return this.#core.claim(ownerKeyHash, named);
  }

  /** What a shard sends up: its sockets' frames and closes, handled in order, in one turn. */
  uplink(batch: UplinkBatch): void {
    this.counts.callsIn++;
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
          this.#receive(item.conn, item.decoded, item.credential);
        }
      }
    } catch (err) {
      this.log("uplink failed", err);
    }
    this.#sending.settle();
  }

  /** The stored events in `(after, through]`, for a shard that missed them (as they stand now). */
  missed(after: number, through: number): MissedEvent[] {
    this.counts.callsIn++;
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
    const counters = this.#core.counters();
    const own: ObjectStats = { ...this.counts, sockets: this.sockets.size, sends: this.sockets.outbox.sends, events: counters.stored, cachedMessages: counters.cachedMessages, readRows: counters.readRows, storageBytes: this.ctx.storage.sql.databaseSize };
    const shards: ObjectStats[] = [];
    for (const k of this.#links.indexes) {
      try {
        const { name, since, sockets, framesIn, sends, callsOut, callsIn, commits, events } = await this.env.ROOM_SHARDS.getByName(shardName(this.#name, k)).stats();
        shards.push({ name, since, sockets, framesIn, sends, callsOut, callsIn, commits, events });
      } catch (err) {
        this.log(`stats of shard ${k} failed`, err);
      }
    }
    return [own, ...shards];
  }

  protected override onFrame(state: SocketState, decoded: Decoded, _size: number, credential?: Credential): void {
    this.#receive(state.key, decoded, credential);
  }

  protected override answerHere(key: string, frame: ErrorFrame): void {
    this.#core.answer(key, frame);
  }

  /** A socket is gone: if the core knew it, its user may have left. */
  protected override onGone(state: SocketState): void {
    if (!state.conn) return;
    // A socket whose close woke the room was never restored: put it back to take it out properly.
    this.#core.restore({ key: state.key, ...state.conn }, state.conn.name, state.bucket);
    this.#core.closed(state.key);
    // A closing tab is often the last moment of reading: its position is written now, not at the alarm.
    this.#flushReads();
  }

  protected override endTurn(): void {
    this.#sending.settle();
  }

  /** Hands a decoded frame (with its verified credential) to the core; a failure answers `internal`, with `ref`. */
  #receive(key: string, decoded: Decoded, credential?: Credential): void {
    try {
      this.#core.receive(key, decoded, credential);
    } catch (err) {
      this.log("frame failed", err);
      this.#core.failed(key, decoded);
    }
  }

  /** A shard's connection is gone. */
  #remoteClosed(key: string): void {
    this.#links.closed(key);
    this.#core.closed(key);
    this.#flushReads();
  }

  #flushReads(): void {
    try {
      this.#core.flushReads();
    } catch (err) {
      this.log("writing read positions failed", err);
    }
  }

  /** Sends what this turn made: to our sockets, and one call per shard that has anything. */
  #flush(): void {
    this.sockets.outbox.flush();
    this.#links.flush(this.#core.lastSeq);
  }

  /** Serializes a frame once, for our own sockets and for every shard that may hold a recipient. */
  #deliver(audience: Audience, frame: SingleServerFrame, seq?: number): void {
    if (audience.to !== "conn") this.#window.broadcast();
    const text = encode(frame);
    this.sockets.deliver(audience, text, seq);
    this.#links.deliver(audience, text, seq);
  }

  #closeTarget(target: CloseTarget, code: number, reason: string): void {
    this.sockets.close(target, code, reason);
    this.#links.close(target, code, reason);
  }

  get #name(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }
}

/**
 * The Room Durable Object: one per chat room, the one place its truth lives. It carries frames
 * between its sockets (and its shards' calls) and the room's core (`room-core.ts`), which decides
 * everything; when what the core queued goes out is `send-schedule.ts`'s business, the socket
 * lifecycle and the alarm are the base's (`socket-object.ts`). Nothing that matters lives only in
 * instance fields: the core is rebuilt from SQLite and the sockets' attachments whenever the room
 * wakes.
 */
import { encode } from "@edge-chat/protocol";
import type { ErrorFrame, FileRef, MessagesPage, RoomInfo, SingleServerFrame } from "@edge-chat/protocol";
import type { HookPost, WebhookRequest } from "@edge-chat/protocol/integrations";
import type { Decoded } from "@edge-chat/protocol/validate";
import { readConfig, type RoomConfig } from "../config.ts";
import type { Credential } from "../core/credential.ts";
import type { Reservation, ServedFile, UploadRequest, Uploader } from "../core/file-rules.ts";
import type { Audience, CloseTarget } from "../core/group-commit.ts";
import { BANNED_CLOSE, RoomCore } from "../core/room-core.ts";
import type { SearchPage } from "../core/search.ts";
import { FOLLOW_HEADER, PLACES_HEADER, ROOM_OBJECT, SHARD_HEADER, isRemote, shardName, shardOf } from "../shards/addressing.ts";
import { ShardLinks } from "../shards/shard-links.ts";
import { DEFAULT_SETTINGS } from "../storage/room-settings.ts";
import type { MissedEvent, UplinkBatch } from "../shards/shard-wire.ts";
import { BatchWindow } from "./batch-window.ts";
import { type ErasingCore, FileEraser } from "./file-eraser.ts";
import type { SocketState } from "./local-sockets.ts";
import { RoomIntegrations, type IntegrationAnswer } from "./room-integrations.ts";
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

/** What a room that is used is made of (see `#room`). */
interface Parts {
  core: RoomCore;
  sending: SendSchedule;
  links: ShardLinks;
  /** Hooks and webhooks (PROTOCOL.md v3): deliveries run from the Room only, also when sharded. */
  integrations: RoomIntegrations;
}

/** One chat room. */
export class Room extends SocketObject {
  readonly #config: RoomConfig;
  readonly #window = new BatchWindow(BATCH_WINDOW_MS);
  #parts: Parts | undefined;
  /** Set once the room was seen to have tables of its own (it was used). */
  #stored = false;
  /** The last uplink batch handled per shard, so a retried one is not handled twice. */
  readonly #uplinks = new Map<number, { instance: string; n: number }>();
  /** When retention was last pruned, and the seq the log stood at then. */
  #pruned = { at: -Infinity, seq: -1 };
  /** v3: deletes erased files' bytes from R2 (file-eraser.ts). */
  readonly #eraser: FileEraser;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, ROOM_OBJECT, "room", ctx.id.name ?? "");
    this.#config = readConfig(env);
    this.addDuty({
      name: "prune",
      next: () => {
        const parts = this.#parts;
        return parts && parts.core.lastSeq > this.#pruned.seq ? this.#pruned.at + PRUNE_EVERY_MS : undefined;
      },
      run: (now) => {
        this.#room.core.prune(now);
        this.#pruned = { at: now, seq: this.#room.core.lastSeq };
      },
    });
    // The eraser sees the core only once the room was used: a room with no tables has no files.
    const erasing: ErasingCore = {
      get nextFileExpiry() {
        return used() ? core().nextFileExpiry : undefined;
      },
      get filesErasingDue() {
        return used() ? core().filesErasingDue : false;
      },
      expireFiles: (now) => core().expireFiles(now),
      erasingFiles: (limit) => core().erasingFiles(limit),
      forgetFiles: (ids) => core().forgetFiles(ids),
    };
    const used = () => this.#used();
    const core = () => this.#room.core;
    this.#eraser = new FileEraser(erasing, env.FILES, this.#name, (what, err) => this.log(what, err), (at) => this.wakeBy(at));
    this.addDuty(this.#eraser.duty());
    // Read positions moved in memory are written within READ_FLUSH_MS (one statement for them all).
    this.addDuty({
      name: "read positions",
      next: () => {
        const since = this.#parts?.core.readsUnwrittenSince;
        return since === undefined ? undefined : since + READ_FLUSH_MS;
      },
      run: () => this.#room.core.flushReads(),
    });
    // Webhook deliveries (a room never used has none, and is not built to find that out).
    const deliveries = () => this.#room.integrations.deliveries;
    this.addDuty({ name: "webhooks", next: (now) => (used() ? deliveries().next(now) : undefined), run: (now) => deliveries().pump(now) });
    // Sockets kept through a hibernation: presence comes back from them now.
    if (this.sockets.size > 0) this.#parts = this.#build();
    // A woken room re-arms what it still owes (a local runtime forgets its alarms when it restarts).
    const owed = used() ? deliveries().next(Date.now()) : undefined;
    if (owed !== undefined) this.rearmAlarm(owed);
  }

  /**
   * The room's core, sending and shard links, built on first use: a socket, an owner, a shard's
   * call. Building them writes the room's tables and its epoch, so a room that only ever had
   * anonymous reads (`info`, `publicPage`) never gets them (issue 19, item 7).
   */
  get #room(): Parts {
    this.#parts ??= this.#build();
    return this.#parts;
  }

  #build(): Parts {
    const { ctx, env } = this;
    const core = new RoomCore({
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
      room: ctx.id.name ?? "",
      filesErasing: () => this.#eraser.start(),
      hooks: {
        admitted: (conn, name, seq) => {
          if (isRemote(conn.key)) return links.admitted(conn, seq);
          this.sockets.admitted(conn, name, seq);
          this.expiresAt(conn);
        },
        renamed: (user, name) => this.sockets.renamed(user, name),
        charged: (key, bucket) => (isRemote(key) ? links.charged(key, bucket) : this.sockets.charged(key, bucket)),
        expires: (key, exp) => {
          if (isRemote(key)) return links.expires(key, exp);
          this.sockets.expires(key, exp);
          this.expiresAt({ signed: { exp } });
        },
        readMoved: (since) => this.wakeBy(since + READ_FLUSH_MS),
      },
    });
    const sending = new SendSchedule(this.#window, core, () => this.#flush(), (what, err) => this.log(what, err));
    const links = new ShardLinks(
      ctx.storage.sql,
      core.lastSeq,
      (index) => {
        this.counts.callsOut++;
        return env.ROOM_SHARDS.getByName(shardName(this.#name, index));
      },
      (what, err) => this.log(what, err),
      // Told in the middle of a delivery (maybe inside a commit): their leaves go once this turn is done.
      (keys) =>
        queueMicrotask(() => {
          for (const key of keys) core.drop(key);
          sending.settle();
        }),
    );
    // Bans are checked here too: a ban's close may have been lost with the instance that made it.
    for (const { conn, name, bucket } of this.sockets.conns()) {
      if (core.restore(conn, name, bucket)) continue;
      for (const ws of this.sockets.close({ conn: conn.key }, BANNED_CLOSE.code, BANNED_CLOSE.reason)) this.sockets.drop(ws);
    }
    for (const conn of links.restore()) {
      if (!core.restore(conn, core.nameOf(conn.user) || "guest")) links.close({ conn: conn.key }, BANNED_CLOSE.code, BANNED_CLOSE.reason);
    }
    // Closes owed from before this wake go now, whatever woke the room.
    links.flush(core.lastSeq);
    const integrations = new RoomIntegrations(ctx.storage.sql, this.#name, core, (at) => this.wakeBy(at), (what, err) => this.log(what, err));
    return { core, sending, links, integrations };
  }

  /** True once the room has anything stored (a table of ours exists): read only while it looks unused. */
  #used(): boolean {
    if (this.#parts || this.#stored) return true;
    const tables = this.ctx.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' LIMIT 1");
    this.#stored = tables.toArray().length > 0;
    return this.#stored;
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
    const shard = this.#room.links.place(this.sockets.size, capacity)!;
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
    if (!this.#used()) return { messages: [], hasMore: false };
    return this.#room.core.messagesPage(viewer, limit, before);
  }

  /** A page of the HTTP search API (v3): public matches (viewer null), or what the credential's user may see. */
  searchPage(viewer: string | null, terms: readonly string[], limit: number, before?: number): SearchPage {
    if (!this.#used()) return { messages: [] };
    return this.#room.core.searchPage(viewer, terms, limit, before);
  }

  /** What a lobby shows before joining; with a credential's user, their read position too. */
  info(room: string, viewer?: string): RoomInfo {
    if (!this.#used()) {
      const info: RoomInfo = { room, online: 0, seq: 0, owned: false, settings: { ...DEFAULT_SETTINGS } };
      return viewer === undefined ? info : { ...info, read: 0, unread: 0 };
    }
    return this.#room.core.info(room, viewer);
  }

  /** Gives the room an owner key (by its hash); a named room only if it was never used. False: taken. */
  claim(ownerKeyHash: string, named: boolean): boolean {
    return this.#room.core.claim(ownerKeyHash, named);
  }

  /** v3: judges an upload before its bytes move (docs/FILES.md); a reservation's file expires unattached in an hour. */
  reserveFile(uploader: Uploader, upload: UploadRequest): Reservation {
    const reservation = this.#room.core.reserveFile(uploader, upload);
    if (reservation.ok) this.#eraser.expiresBy(this.#room.core.nextFileExpiry);
    return reservation;
  }

  /** v3: the Worker stored a reserved file's bytes in R2; its file object (undefined: the reservation expired). */
  fileStored(id: string, size: number, width: number, height: number): FileRef | undefined {
    return this.#room.core.fileStored(id, size, width, height);
  }

  /** v3: the record of a file the Worker may serve now, or undefined (unknown, expired, erased). */
  servedFile(id: string): ServedFile | undefined {
    if (!this.#used()) return undefined;
    return this.#room.core.servedFile(id);
  }

  /** The hash of the room's owner key, for the Worker's check of an owner's credential (credentials.ts). */
  ownerKeyHash(): string | undefined {
    if (!this.#used()) return undefined;
    return this.#room.core.ownerKeyHash;
  }

  /** `POST /hooks` (the Worker checked the owner's credential and read the body). */
  createHook(name: string): IntegrationAnswer {
    return this.#room.integrations.createHook(name);
  }

  /** `GET /hooks`. */
  listHooks(): IntegrationAnswer {
    return this.#room.integrations.listHooks();
  }

  /** `DELETE /hooks/:id`. */
  deleteHook(id: string): IntegrationAnswer {
    return this.#room.integrations.deleteHook(id);
  }

  /** A hook's post, answered once its message is stored (or refused). */
  async postFromHook(id: string, secret: string, body: { ok: true; value: HookPost } | { ok: false; code: string; message: string }, key?: string): Promise<IntegrationAnswer> {
    const answer = this.#room.integrations.post(id, secret, body, key);
    this.#room.sending.settle();
    return answer;
  }

  /** `POST /webhooks`. */
  createWebhook(request: WebhookRequest): IntegrationAnswer {
    return this.#room.integrations.createWebhook(request);
  }

  /** `GET /webhooks`. */
  listWebhooks(): IntegrationAnswer {
    return this.#room.integrations.listWebhooks();
  }

  /** `DELETE /webhooks/:id`. */
  deleteWebhook(id: string): IntegrationAnswer {
    return this.#room.integrations.deleteWebhook(id);
  }

  /** What a shard sends up: its sockets' frames and closes, handled in order, in one turn. */
  uplink(batch: UplinkBatch): void {
    this.counts.callsIn++;
    const last = this.#uplinks.get(batch.shard);
    if (last && last.instance === batch.instance && batch.n <= last.n) return;
    this.#uplinks.set(batch.shard, { instance: batch.instance, n: batch.n });
    try {
      for (const key of this.#room.links.report(batch.shard, batch.open, batch.roster)) this.#remoteClosed(key);
      for (const item of batch.items) {
        // A shard speaks only for its own connections.
        if (shardOf(item.conn) !== batch.shard) continue;
        if (item.kind === "closed") {
          this.#remoteClosed(item.conn);
        } else {
          if (item.bucket) this.#room.core.restoreBucket(item.conn, item.bucket);
          this.#receive(item.conn, item.decoded, item.credential);
        }
      }
    } catch (err) {
      this.log("uplink failed", err);
    }
    this.#room.sending.settle();
  }

  /** The stored events in `(after, through]`, for a shard that missed them (as they stand now). */
  missed(after: number, through: number): MissedEvent[] {
    this.counts.callsIn++;
    return this.#room.core.eventsBetween(after, through).map(({ row, frame }) => ({
      seq: row.seq,
      text: encode(frame),
      audience: row.to_id === null ? { to: "all" } : { to: "users", ids: [row.author_id, row.to_id] },
    }));
  }

  /** The indexes of the shards this room knows (for tests and the bench). */
  shardIndexes(): number[] {
    return this.#room.links.indexes;
  }

  /** Work counters of the Room and of every shard it knows (one call per shard). */
  async stats(): Promise<ObjectStats[]> {
    const counters = this.#parts?.core.counters() ?? { stored: 0, cachedMessages: 0, readRows: 0 };
    const own: ObjectStats = { ...this.counts, sockets: this.sockets.size, sends: this.sockets.outbox.sends, events: counters.stored, cachedMessages: counters.cachedMessages, readRows: counters.readRows, webhookRows: this.#parts?.integrations.webhookRows ?? 0, storageBytes: this.ctx.storage.sql.databaseSize };
    const shards: ObjectStats[] = [];
    for (const k of this.#parts?.links.indexes ?? []) {
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
    this.#room.core.answer(key, frame);
  }

  /** A socket is gone: if the core knew it, its user may have left. */
  protected override onGone(state: SocketState): void {
    if (!state.conn) return;
    // A socket whose close woke the room was never restored: put it back to take it out properly.
    this.#room.core.restore({ key: state.key, ...state.conn }, state.conn.name, state.bucket);
    this.#room.core.closed(state.key);
    // A closing tab is often the last moment of reading: its position is written now, not at the alarm.
    this.#flushReads();
  }

  protected override endTurn(): void {
    // A room never built has nothing to send.
    this.#parts?.sending.settle();
  }

  /** Hands a decoded frame (with its verified credential) to the core; a failure answers `internal`, with `ref`. */
  #receive(key: string, decoded: Decoded, credential?: Credential): void {
    try {
      this.#room.core.receive(key, decoded, credential);
    } catch (err) {
      this.log("frame failed", err);
      this.#room.core.failed(key, decoded);
    }
  }

  /** A shard's connection is gone. */
  #remoteClosed(key: string): void {
    this.#room.links.closed(key);
    this.#room.core.closed(key);
    this.#flushReads();
  }

  #flushReads(): void {
    try {
      this.#parts?.core.flushReads();
    } catch (err) {
      this.log("writing read positions failed", err);
    }
  }

  /** Sends what this turn made: to our sockets, and one call per shard that has anything. */
  #flush(): void {
    this.sockets.outbox.flush();
    this.#room.links.flush(this.#room.core.lastSeq);
    // Sockets past their answer budget leave now; their users' leaves go out with a settle.
    const over = this.sockets.closeOverBudget();
    for (const ws of over) this.gone(ws);
    if (over.length > 0) this.#room.sending.settle();
    this.#room.integrations.afterFlush();
  }

  /** Serializes a frame once, for our own sockets and for every shard that may hold a recipient. */
  #deliver(audience: Audience, frame: SingleServerFrame, seq?: number): void {
    if (audience.to !== "conn") this.#window.broadcast();
    const text = encode(frame);
    this.sockets.deliver(audience, text, seq);
    this.#room.links.deliver(audience, text, seq);
  }

  #closeTarget(target: CloseTarget, code: number, reason: string): void {
    this.sockets.close(target, code, reason);
    this.#room.links.close(target, code, reason);
  }

  get #name(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }
}

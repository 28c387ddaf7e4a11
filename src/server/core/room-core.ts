/**
 * What a room decides, apart from any socket: every frame is judged against the protocol's rules,
 * ordered, stored and addressed here, and the I/O layers (the room's own sockets, its shards)
 * only carry frames in and out. A test can drive it with a fake outlet and clock.
 *
 * This is the core's facade, all its objects see of it: frames in (`receive`, `closed`,
 * `restore`), the commit and its timing (`idle`, `writesDue`, `commit`, `tick`), and the reads
 * of the Room's HTTP and shard calls. Where a frame is judged: `hello.ts`, `presence-rules.ts`,
 * `history.ts`, `messaging.ts`, `moderation.ts`, each against `rule-context.ts`.
 */
import type { ErrorFrame, EventFrame, FileRef, MessagesPage, RoomInfo, SingleServerFrame } from "@edge-chat/protocol";
import type { HookPost, WebhookEventKind } from "@edge-chat/protocol/integrations";
import { frameRef, type Decoded } from "@edge-chat/protocol/validate";
import type { EventRow } from "../storage/event-log.ts";
import type { Credential } from "./credential.ts";
import { fileStored, reserveFile, servedFile, type Reservation, type ServedFile, type UploadRequest, type Uploader } from "./file-rules.ts";
import type { Audience } from "./group-commit.ts";
import { handleHello } from "./hello.ts";
import { handleHistory } from "./history.ts";
import { hookUserId, postFromHook, type HookPostOutcome } from "./hook-posts.ts";
import { handleMessageFrame } from "./messaging.ts";
import { handleModeration } from "./moderation.ts";
import { handleRead, readStateOf } from "./read-state.ts";
import { handleSearch, searchPage, type SearchPage } from "./search.ts";
import type { Conn } from "./presence.ts";
import type { Bucket } from "./rate-limit.ts";
import { RoomState, type CoreDeps } from "./room-state.ts";
import { handleAuth } from "./token-refresh.ts";

export type { CoreDeps } from "./room-state.ts";
export { BANNED_CLOSE } from "./moderation.ts";
export type { Credential } from "./credential.ts";
export type { ConnHooks } from "./rule-context.ts";

/** One room's rules and state, behind the calls its objects make. */
export class RoomCore {
  readonly #room: RoomState;

  /** `room` is given only by tests that look at the parts behind the facade (test/support/core-harness.ts). */
  constructor(deps: CoreDeps, room: RoomState = new RoomState(deps)) {
    this.#room = room;
  }

  /**
   * Puts back a connection its I/O layer kept through a hibernation (no frame is sent). False when
   * its user is banned now (a ban whose close the restart lost): the caller closes it with
   * `BANNED_CLOSE`, and whatever it still sends is dropped.
   */
  restore(conn: Conn, name: string, bucket?: Bucket): boolean {
    const room = this.#room;
    room.sawSerial(conn.serial);
    if (room.presenceRules.isRemoved(conn.key)) return false;
    if (room.presence.conn(conn.key)) return true;
    if (!conn.owner && room.users.bannedUntil(conn.user) > room.now()) {
      room.presenceRules.forget(conn.key);
      return false;
    }
    const online = room.presence.user(conn.user);
    room.presence.add(conn, online?.name ?? name);
    if (bucket) room.buckets.restore(conn.user, bucket);
    return true;
  }

  /** A bucket a connection's holder kept for it (a shard's socket): the newest one the room knows wins. */
  restoreBucket(key: string, bucket: Bucket): void {
    const conn = this.#room.presence.conn(key);
    if (conn) this.#room.buckets.restore(conn.user, bucket);
  }

  /**
   * Judges one decoded frame from connection `key` and acts on it. A `hello` or `auth` with a signed
   * token comes with `credential`, the holder's verification of it (credential.ts).
   */
  receive(key: string, decoded: Decoded, credential?: Credential): void {
    const room = this.#room;
    if (room.presenceRules.isRemoved(key)) return;
    const conn = room.presence.conn(key);
    const reply: Audience = { to: "conn", conn: key };
    if (!conn) {
      if (decoded.type !== undefined && decoded.type !== "hello") {
        const ref = decoded.ok ? frameRef(decoded.frame) : decoded.ref;
        return room.error(reply, "not_ready", "send hello first", ref);
      }
      if (!decoded.ok) return room.error(reply, decoded.code, decoded.message, decoded.ref);
      if (decoded.frame.type === "hello") handleHello(room, key, decoded.frame, credential);
      return;
    }
    if (decoded.type === "hello") return room.error(reply, "bad_message", "hello was already accepted");
    if (!decoded.ok) return room.error(reply, decoded.code, decoded.message, decoded.ref);
    const frame = decoded.frame;
    switch (frame.type) {
      case "hello":
        return;
      case "auth":
        return handleAuth(room, conn, credential);
      case "rename":
        return room.presenceRules.rename(conn, frame);
      case "typing":
        return room.presenceRules.typing(conn);
      case "members":
        return room.presenceRules.members(conn, frame);
      case "history":
        return handleHistory(room, conn, frame);
      case "read":
        return handleRead(room, conn, frame);
      case "search":
        return handleSearch(room, conn, frame);
      case "say":
      case "edit":
      case "delete":
      case "react":
        return handleMessageFrame(room, conn, frame);
      case "grant":
      case "kick":
      case "mute":
      case "ban":
      case "settings":
        return handleModeration(room, conn, frame);
    }
  }

  /** Answers a connection with a frame judged before the core (an edge check), in its place. */
  answer(key: string, frame: ErrorFrame): void {
    this.#room.queue.frame({ to: "conn", conn: key, metered: true }, frame);
  }

  /** A frame's handling threw: the sender gets `internal`, with `ref` when the frame had one. */
  failed(key: string, decoded: Decoded): void {
    const ref = decoded.ok ? frameRef(decoded.frame) : undefined;
    this.#room.error({ to: "conn", conn: key }, "internal", "the room could not handle that frame", ref);
  }

  /** A connection went away: if it was its user's last, the user left. */
  closed(key: string): void {
    this.#room.presenceRules.closed(key);
  }

  /** A connection the room can no longer reach (its shard was given up): it leaves now, its late frames are dropped. */
  drop(key: string): void {
    this.#room.presenceRules.drop(key);
  }

  /** Sends `occupancy` when due; returns when to call again if one is still due. */
  tick(): number | undefined {
    return this.#room.presenceRules.tick();
  }

  /** Nothing waits for the commit: frames go straight out. */
  get idle(): boolean {
    return this.#room.queue.idle;
  }

  /** Writes no frame waits for are due (names seen): they go with the next commit. */
  get writesDue(): boolean {
    return this.#room.queue.writesDue;
  }

  /** Events waiting for the commit. */
  get waiting(): number {
    return this.#room.queue.waiting;
  }

  /** Stores what waits in one transaction, then lets its frames out. */
  commit(): void {
    this.#room.queue.commit();
  }

  /** The room's latest seq. */
  get lastSeq(): number {
    return this.#room.log.lastSeq;
  }

  /** The name a user goes by now: online, or as last seen. */
  nameOf(userId: string): string {
    return this.#room.nameOf(userId);
  }

  /** Work and memory counters: events stored since waking, messages the rules keep cached, read position rows written. */
  counters(): { stored: number; cachedMessages: number; readRows: number } {
    return { stored: this.#room.queue.stored, cachedMessages: this.#room.states.size, readRows: this.#room.reads.rowsWritten };
  }

  /**
   * A page of the HTTP messages API, in their current state: public messages only (null), or, for a
   * credential's user (v3), every message that user may see, `me` shown in reactions as in `history`.
   */
  messagesPage(viewer: string | null, limit: number, before?: number): MessagesPage {
    const room = this.#room;
    const rows = room.log.messageRows(viewer, limit + 1, before);
    return { messages: room.folder.messages(rows.slice(0, limit).reverse(), viewer), hasMore: rows.length > limit };
  }

  /**
   * A page of the HTTP search API (v3): matches among public messages (null), or among what a
   * credential's user may see; `terms` as `searchTerms` made them.
   */
  searchPage(viewer: string | null, terms: readonly string[], limit: number, before?: number): SearchPage {
    return searchPage(this.#room, viewer, terms, limit, before);
  }

  /**
   * What a lobby shows before joining; for a credential's user (v3) also their `read` position and
   * `unread` (visible messages above it, not deleted, not their own, up to 1,000).
   */
  info(name: string, viewer?: string): RoomInfo {
    const room = this.#room;
    const info: RoomInfo = { room: name, online: room.presence.online, seq: room.log.lastSeq, owned: room.settings.ownerKeyHash !== undefined, settings: room.settings.current };
    return viewer === undefined ? info : { ...info, ...readStateOf(room, viewer) };
  }

  /** When the oldest read position that moved and is not written yet moved (ms), or undefined. */
  get readsUnwrittenSince(): number | undefined {
    return this.#room.reads.unwrittenSince;
  }

  /** Writes the read positions that moved (from the alarm, or as a socket closes). */
  flushReads(): void {
    this.#room.flushReads();
  }

  /** The hash of the room's owner key, when it has one. */
  get ownerKeyHash(): string | undefined {
    return this.#room.settings.ownerKeyHash;
  }

  /** Gives the room an owner key (by its hash); a named room only if it was never used. False: taken. */
  claim(ownerKeyHash: string, named: boolean): boolean {
    const room = this.#room;
    const used = room.log.lastSeq > 0 || room.settings.ownerKeyHash !== undefined;
    if (named && used) return false;
    room.settings.setOwnerKeyHash(ownerKeyHash);
    return true;
  }

  /** The stored events in `(after, through]`, each with the frame everyone who may see it gets now. */
  eventsBetween(after: number, through: number): { row: EventRow; frame: SingleServerFrame }[] {
    const room = this.#room;
    return room.log.rowsBetween(after, through).map((row) => ({ row, frame: room.folder.delivered(row) }));
  }

  /** v3: judges an upload before its bytes move (ban, mute, bucket) and reserves its id. */
  reserveFile(uploader: Uploader, upload: UploadRequest): Reservation {
    return reserveFile(this.#room, uploader, upload);
  }

  /** v3: R2 holds a reserved file's bytes; its file object, or undefined when the reservation expired. */
  fileStored(id: string, size: number, width: number, height: number): FileRef | undefined {
    return fileStored(this.#room, id, size, width, height);
  }

  /** v3: the record of a file that may be served now. */
  servedFile(id: string): ServedFile | undefined {
    return servedFile(this.#room, id);
  }

  /** v3: files unattached for an hour go to erasing; returns when the next one expires. */
  expireFiles(now: number): void {
    this.#room.log.files.expire(now);
  }

  /** v3: when the oldest unattached file expires (undefined: none). */
  get nextFileExpiry(): number | undefined {
    return this.#room.log.files.nextExpiry();
  }

  /** v3: true when files wait for their bytes to be deleted. */
  get filesErasingDue(): boolean {
    return this.#room.log.files.erasingDue;
  }

  /** v3: up to `limit` files whose bytes must be deleted from R2. */
  erasingFiles(limit: number): string[] {
    return this.#room.log.files.erasing(limit);
  }

  /** v3: R2 deleted these files' bytes; their records go. */
  forgetFiles(ids: readonly string[]): void {
    this.#room.log.files.forget(ids);
  }

  /** A hook was made: its user (a bot, never online) is seen from now on, under the hook's name. */
  hookCreated(hookId: string, name: string): void {
    const users = this.#room.users;
    users.seen({ id: hookUserId(hookId), name, bot: true }, true);
    users.flush();
  }

  /** Judges and queues a hook's post (hook-posts.ts); a seq to answer once stored, or the refusal. */
  postFromHook(hook: { id: string; name: string }, post: HookPost, key: string | undefined): HookPostOutcome {
    return postFromHook(this.#room, hook, post, key);
  }

  /**
   * Where webhook deliveries read the log: the next public event of a subscribed kind (found by
   * `store`), framed as a member sees it live, with the message's state as it stands now: erased
   * when deleted since (text "", deleted: true; a reaction's emoji "" and count 0), an edit with
   * the current text (a message keeps one text), and no `edited` or `reactions`, which a live
   * `message` frame never carries (later changes go as their own events).
   */
  deliverySource(store: { nextPublicEvent(after: number, events: readonly WebhookEventKind[]): EventRow | undefined }): {
    next(after: number, events: readonly WebhookEventKind[]): { seq: number; event: EventFrame } | undefined;
    readonly lastSeq: number;
  } {
    const room = this.#room;
    return {
      next: (after, events) => {
        const row = store.nextPublicEvent(after, events);
        if (!row) return undefined;
        const event = room.folder.delivered(row);
        if (event.type === "message") {
          delete event.edited;
          delete event.reactions;
        }
        return { seq: row.seq, event };
      },
      get lastSeq() {
        return room.log.lastSeq;
      },
    };
  }

  /** Retention and buckets that refilled: run from the alarm. */
  prune(now: number): void {
    this.#room.log.prune(this.#room.config.historyLimit);
    this.#room.buckets.prune(now);
  }
}

/**
 * The room's one ordered queue of what it stores and sends. Stored events wait here for the next
 * commit, which writes all of them in one transaction (one commit per batch window, not one per
 * message), and only then lets their frames out: nothing is sent before it is stored. Every other
 * frame goes out at once while nothing waits, and behind what waits otherwise, so each socket
 * gets its frames in the order the room made them. A failed commit sends nothing of what it held
 * but an `internal` error, with `ref`, to each event's sender.
 */
import type { ErrorFrame, SingleServerFrame } from "@edge-chat/protocol";
import type { EventLog, NewEvent } from "../storage/event-log.ts";

/**
 * Who gets a frame. `upTo`: only connections admitted at or before that serial. `metered`: an
 * answer no bucket charges (an error, a duplicate's stored event), counted against the receiving
 * socket's answer budget by the object that holds it (`objects/answer-budget.ts`).
 */
export type Audience =
  | { to: "conn"; conn: string; metered?: true }
  | { to: "all"; except?: string; upTo?: number }
  | { to: "users"; ids: readonly string[] };

/** What closing targets: one connection, or every connection of a user. */
export type CloseTarget = { conn: string } | { user: string };

/** Where the room's frames and closes go: the I/O layer, which knows the sockets. */
export interface Outlet {
  /** Delivers a frame; `seq` when it is a stored event (shards deliver those in seq order). */
  frame(audience: Audience, frame: SingleServerFrame, seq?: number): void;
  close(target: CloseTarget, code: number, reason: string): void;
}

type Item =
  | { kind: "frame"; audience: Audience; frame: SingleServerFrame | (() => SingleServerFrame); seq?: number; after?: number }
  | { kind: "close"; target: CloseTarget; code: number; reason: string };

/** A stored event waiting for the commit, and the connection that sent it. */
interface Waiting {
  event: NewEvent;
  origin: string;
  ref: string;
}

/** Runs `fn` as one transaction: all of its writes, or none. */
export type Transaction = (fn: () => void) => void;

/** What the queue needs of the log. */
export type Log = Pick<EventLog, "lastSeq" | "append">;

/** Writes that no frame waits for (users' names), run in a transaction of their own before each commit. */
export interface DeferredWrites {
  readonly dirty: boolean;
  flush(): void;
}

/**
 * Who the queue works with, all given when it is made (a hook left out does not compile): when it
 * may hold broadcasts, what it writes first, and whom it tells how a commit went.
 */
export interface CommitCollaborators {
  log: Log;
  /** Where frames and closes go once they may leave. */
  outlet: Outlet;
  transaction: Transaction;
  /**
   * True while a batch window is open (a broadcast went out moments ago): broadcasts then wait
   * for the window's end, so that those due meanwhile go out together as batches.
   */
  mayHold(): boolean;
  /** Written before each commit's events. */
  flushFirst: readonly DeferredWrites[];
  /** A commit stored its events (the rules' cached view of them may now be let go). */
  afterCommit(): void;
  /** A commit failed and stored nothing: whatever was computed from its events is wrong now. */
  afterFailure(): void;
}

/** The queue, and the commit that empties it. */
export class GroupCommit {
  readonly #log: Log;
  readonly #outlet: Outlet;
  readonly #transaction: Transaction;
  readonly #with: CommitCollaborators;
  #waiting: Waiting[] = [];
  /** Seqs of the waiting events by user and client id, for duplicates sent before the commit. */
  #waitingIds = new Map<string, number>();
  #items: Item[] = [];
  #stored = 0;

  constructor(collaborators: CommitCollaborators) {
    this.#log = collaborators.log;
    this.#outlet = collaborators.outlet;
    this.#transaction = collaborators.transaction;
    this.#with = collaborators;
  }

  /** Nothing waits: frames go straight out. */
  get idle(): boolean {
    return this.#waiting.length === 0 && this.#items.length === 0;
  }

  /** True when writes that no frame waits for are due (they go with the next commit). */
  get writesDue(): boolean {
    return this.#with.flushFirst.some((w) => w.dirty);
  }

  /** Events waiting for the commit. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Events stored by this queue's commits so far. */
  get stored(): number {
    return this.#stored;
  }

  /** The seq the next stored event gets. */
  get nextSeq(): number {
    return this.#log.lastSeq + this.#waiting.length + 1;
  }

  /** Queues an event for the commit; `origin` and `ref` name who to tell if the commit fails. */
  store(event: NewEvent, origin: string, ref: string): void {
    if (event.seq !== this.nextSeq) throw new Error(`event seq ${event.seq}, expected ${this.nextSeq}`);
    this.#waiting.push({ event, origin, ref });
    this.#waitingIds.set(`${event.user.id}\n${event.clientId}`, event.seq);
  }

  /** The seq of a waiting event a user sent under a client id, if any. */
  waitingSeq(userId: string, clientId: string): number | undefined {
    return this.#waitingIds.get(`${userId}\n${clientId}`);
  }

  /** Sends a frame now when nothing waits (and no window holds broadcasts), else in its place after what waits. */
  frame(audience: Audience, frame: SingleServerFrame, seq?: number): void {
    if (this.idle && (audience.to === "conn" || !this.#with.mayHold())) this.#outlet.frame(audience, frame, seq);
    else this.#items.push(seq === undefined ? { kind: "frame", audience, frame } : { kind: "frame", audience, frame, seq });
  }

  /** A frame of a stored event that waits for the commit: dropped if the commit fails. */
  eventFrame(audience: Audience, frame: SingleServerFrame, seq: number): void {
    this.#items.push({ kind: "frame", audience, frame, seq, after: seq });
  }

  /** A frame built only once what waits is stored (the stored answer to a duplicate, say). */
  later(audience: Audience, build: () => SingleServerFrame): void {
    if (this.idle) this.#outlet.frame(audience, build());
    else this.#items.push({ kind: "frame", audience, frame: build });
  }

  /** A frame that may overtake what waits: only for a connection nothing waiting can reach yet. */
  now(audience: Audience, frame: SingleServerFrame): void {
    this.#outlet.frame(audience, frame);
  }

  /** Closes a connection, or a user's, in its place after what waits. */
  close(target: CloseTarget, code: number, reason: string): void {
    if (this.idle) this.#outlet.close(target, code, reason);
    else this.#items.push({ kind: "close", target, code, reason });
  }

  /** Stores everything waiting in one transaction, then sends what waited, in order. */
  commit(): void {
    const waiting = this.#waiting;
    const items = this.#items;
    this.#waiting = [];
    this.#waitingIds = new Map();
    this.#items = [];
    let lost: ReadonlySet<number> = new Set();
    for (const writes of this.#with.flushFirst) {
      if (!writes.dirty) continue;
      try {
        this.#transaction(() => writes.flush());
      } catch (err) {
        console.error("deferred writes failed:", err);
      }
    }
    if (waiting.length > 0) {
      try {
        this.#transaction(() => this.#log.append(waiting.map((w) => w.event)));
        this.#stored += waiting.length;
      } catch (err) {
        console.error("group commit failed:", err);
        lost = new Set(waiting.map((w) => w.event.seq));
        this.#with.afterFailure();
        for (const w of waiting) this.#outlet.frame({ to: "conn", conn: w.origin }, internalError(w.ref));
      }
      if (lost.size === 0) this.#with.afterCommit();
    }
    for (const item of items) {
      if (item.kind === "close") this.#outlet.close(item.target, item.code, item.reason);
      else if (item.after === undefined || !lost.has(item.after)) {
        this.#outlet.frame(item.audience, typeof item.frame === "function" ? item.frame() : item.frame, item.seq);
      }
    }
  }
}

function internalError(ref: string): ErrorFrame {
  return { type: "error", code: "internal", message: "the room could not store that", ref };
}

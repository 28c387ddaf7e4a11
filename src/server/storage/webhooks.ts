/**
 * A room's outgoing webhooks (PROTOCOL.md v3), in SQLite: where they go, which kinds, the signing
 * secret (kept as it is: the room signs with it), the seq they start after, and the delivery
 * position: the last seq delivered, and for the event now due its failed tries (how many, since
 * when, when the next one is). At most 10 rows, read into memory when the room wakes, so that a
 * woken room knows what it still owes. A delivery moves the position in memory; positions are
 * written together later (`writePositions`, at most one row per webhook each time), so a fast
 * stream of deliveries costs a row a second, not a row an event; a position lost with an evicted
 * instance only sends its last events again (delivery is at least once; receivers deduplicate by
 * `webhook-id`). A failed try, and the first success after failures, write their row at once.
 * No index: the id is the key of a WITHOUT ROWID table.
 *
 * `nextPublicEvent` reads the event log for the next event a webhook owes: public, of a subscribed
 * kind, after a seq (seq is the rowid, so this walks forward from there).
 */
import { WEBHOOK_EVENTS, type WebhookEventKind } from "@edge-chat/protocol/integrations";
import { KIND, type EventRow } from "./event-rows.ts";

/** One webhook as the room keeps it. */
export interface WebhookRecord {
  id: string;
  url: string;
  events: WebhookEventKind[];
  /** `whsec_` and the base64 of 32 random bytes. */
  secret: string;
  createdAt: number;
  /** Events stored at or before this seq (before the webhook was made) are never sent. */
  afterSeq: number;
  /** The last seq delivered (0 at first). */
  delivered: number;
  /** Failed tries of the event now due (0: none failed). */
  attempts: number;
  /** When the first failed try of the event now due was made (ms), or null. */
  failingSince: number | null;
  /** Not before this (ms): the next try after a failure. */
  nextTryAt: number;
}

interface WebhookRow extends Record<string, SqlStorageValue> {
  id: string;
  url: string;
  events: string;
  secret: string;
  created_at: number;
  after_seq: number;
  delivered: number;
  attempts: number;
  failing_since: number | null;
  next_try_at: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    after_seq INTEGER NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    failing_since INTEGER,
    next_try_at INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
`;

/** The event log's kind code of each webhook event kind. */
const KIND_OF: Record<WebhookEventKind, number> = { message: KIND.say, edit: KIND.edit, delete: KIND.delete, react: KIND.react };

/** The room's webhooks, in memory and in SQLite. */
export class WebhookStore {
  readonly #sql: SqlStorage;
  readonly #hooks = new Map<string, WebhookRecord>();
  /** Webhooks whose delivered position moved in memory since it was last written. */
  readonly #unwritten = new Set<string>();
  /** Position rows written since the room woke (the Room's stats). */
  rowsWritten = 0;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    for (const row of sql.exec<WebhookRow>("SELECT * FROM webhooks").toArray()) this.#hooks.set(row.id, toRecord(row));
  }

  /** Every webhook, oldest first. */
  all(): WebhookRecord[] {
    return [...this.#hooks.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** One webhook by id (the live record: the delivery code updates it through this store only). */
  get(id: string): WebhookRecord | undefined {
    return this.#hooks.get(id);
  }

  /** How many webhooks the room has. */
  get size(): number {
    return this.#hooks.size;
  }

  /** Keeps a new webhook. */
  add(hook: WebhookRecord): void {
    this.#sql.exec(
      "INSERT INTO webhooks (id, url, events, secret, created_at, after_seq) VALUES (?, ?, ?, ?, ?, ?)",
      hook.id, hook.url, hook.events.join(","), hook.secret, hook.createdAt, hook.afterSeq,
    );
    this.#hooks.set(hook.id, hook);
  }

  /** Forgets a webhook; false when there was none. */
  delete(id: string): boolean {
    if (!this.#hooks.has(id)) return false;
    this.#sql.exec("DELETE FROM webhooks WHERE id = ?", id);
    this.#hooks.delete(id);
    this.#unwritten.delete(id);
    return true;
  }

  /**
   * Event `seq` was delivered: the position moves, the failures are forgotten. Kept in memory
   * until `writePositions`, except when the webhook was failing: that row is written at once, so
   * a recovered webhook never shows as failing after a restart.
   */
  delivered(id: string, seq: number): void {
    const hook = this.#hooks.get(id);
    if (!hook) return;
    const wasFailing = hook.attempts > 0;
    Object.assign(hook, { delivered: seq, attempts: 0, failingSince: null, nextTryAt: 0 });
    if (wasFailing) this.#write(hook);
    else this.#unwritten.add(id);
  }

  /** True while some position moved in memory only. */
  get positionsUnwritten(): boolean {
    return this.#unwritten.size > 0;
  }

  /** Writes every position that moved in memory since the last write (one row per webhook). */
  writePositions(): void {
    for (const id of this.#unwritten) {
      const hook = this.#hooks.get(id);
      if (hook) this.#write(hook);
    }
    this.#unwritten.clear();
  }

  #write(hook: WebhookRecord): void {
    this.#sql.exec(
      "UPDATE webhooks SET delivered = ?, attempts = ?, failing_since = ?, next_try_at = ? WHERE id = ?",
      hook.delivered, hook.attempts, hook.failingSince, hook.nextTryAt, hook.id,
    );
    this.#unwritten.delete(hook.id);
    this.rowsWritten++;
  }

  /** A try of the event now due failed at `at`: the next one is not before `nextTryAt`. */
  failed(id: string, at: number, nextTryAt: number): void {
    const hook = this.#hooks.get(id);
    if (!hook) return;
    hook.attempts++;
    hook.failingSince ??= at;
    hook.nextTryAt = nextTryAt;
    // The row carries the position too (it may have moved in memory only).
    this.#write(hook);
  }

  /** The next public event of one of `events` with a seq above `after`, or undefined. */
  nextPublicEvent(after: number, events: readonly WebhookEventKind[]): EventRow | undefined {
    const kinds = events.map((e) => KIND_OF[e]).join(",");
    return this.#sql
      .exec<EventRow>(`SELECT * FROM events WHERE seq > ? AND to_id IS NULL AND kind IN (${kinds}) ORDER BY seq LIMIT 1`, after)
      .toArray()[0];
  }
}

function toRecord(row: WebhookRow): WebhookRecord {
  const listed = row.events.split(",");
  return {
    id: row.id,
    url: row.url,
    events: WEBHOOK_EVENTS.filter((kind) => listed.includes(kind)),
    secret: row.secret,
    createdAt: row.created_at,
    afterSeq: row.after_seq,
    delivered: row.delivered,
    attempts: row.attempts,
    failingSince: row.failing_since,
    nextTryAt: row.next_try_at,
  };
}

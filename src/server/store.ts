/**
 * The room's message log in its Durable Object SQLite: seq order, idempotency by (user, client id),
 * visibility of private messages, paging, resume and retention. Every call is synchronous, so a
 * message is ordered and stored inside one uninterrupted turn of the room.
 */
import type { MessageFrame, User } from "../shared/protocol.ts";

/** A row of the `messages` table. */
interface MessageRow extends Record<string, SqlStorageValue> {
  seq: number;
  client_id: string;
  user_id: string;
  name: string;
  text: string;
  ts: number;
  to_id: string | null;
  to_name: string | null;
}

/** What a resume (hello with `since`) found. */
export interface ResumeResult {
  resumed: boolean;
  messages: MessageFrame[];
}

/** A page of messages, ascending, and whether older visible ones exist. */
export interface Page {
  messages: MessageFrame[];
  hasMore: boolean;
}

// seq is the rowid (free); the one extra index serves idempotency. Paging and resume walk seq.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    ts INTEGER NOT NULL,
    to_id TEXT,
    to_name TEXT
  );
  CREATE UNIQUE INDEX IF NOT EXISTS messages_by_client_id ON messages (user_id, client_id);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Rows anyone may see. */
const PUBLIC = "to_id IS NULL";
/** Rows visible to the user bound to ?3: public ones, and private ones they sent or received. */
const VISIBLE = "(to_id IS NULL OR user_id = ?3 OR to_id = ?3)";

/** The room's durable message log. */
export class MessageStore {
  readonly #sql: SqlStorage;
  #lastSeq: number;
  #prunedThrough: number;
  readonly epoch: string;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    this.epoch = this.#meta("epoch") ?? this.#setMeta("epoch", crypto.randomUUID());
    this.#prunedThrough = Number(this.#meta("pruned_through") ?? 0);
    const max = sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM messages").one().seq;
    // After a prune the table is never empty, so MAX(seq) is the last seq; pruned_through covers the rest.
    this.#lastSeq = Math.max(max ?? 0, this.#prunedThrough);
  }

  /** The room's latest seq (0 when nothing was ever said). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Stores a new message under the next seq and returns it, or returns undefined when the user
   * already stored one under this client id. One statement: the hot path's only write, and its
   * duplicate check at the same time.
   */
  append(from: User, clientId: string, text: string, ts: number, to?: User): MessageFrame | undefined {
    const seq = this.#lastSeq + 1;
    const written = this.#sql.exec(
      `INSERT INTO messages (seq, client_id, user_id, name, text, ts, to_id, to_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, client_id) DO NOTHING`,
      seq, clientId, from.id, from.name, text, ts, to?.id ?? null, to?.name ?? null,
    ).rowsWritten;
    if (written === 0) return undefined;
    this.#lastSeq = seq;
    const message: MessageFrame = { type: "message", seq, id: clientId, from, text, ts };
    if (to) message.to = to;
    return message;
  }

  /** The stored message a user already sent under this client id, if any. */
  findByClientId(userId: string, clientId: string): MessageFrame | undefined {
    const row = this.#sql
      .exec<MessageRow>("SELECT * FROM messages WHERE user_id = ? AND client_id = ?", userId, clientId)
      .toArray()[0];
    return row && toFrame(row);
  }

  /** The page of messages visible to `viewer` just before `before` (the newest without it). */
  page(viewer: string | null, limit: number, before?: number): Page {
    const rows = this.#sql
      .exec<MessageRow>(
        `SELECT * FROM messages WHERE seq < ?1 AND ${viewer === null ? PUBLIC : VISIBLE} ORDER BY seq DESC LIMIT ?2`,
        before ?? Number.MAX_SAFE_INTEGER, limit + 1, ...(viewer === null ? [] : [viewer]),
      )
      .toArray();
    const hasMore = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toFrame), hasMore };
  }

  /**
   * Everything `viewer` may see after `since`, when the log can prove it is complete (same epoch,
   * nothing pruned past `since`, at most `max` messages); otherwise the latest `fallback` messages
   * and `resumed: false`. Never a partial resume.
   */
  resume(viewer: string, since: number | undefined, epoch: string | undefined, max: number, fallback: number): ResumeResult {
    if (since !== undefined && epoch === this.epoch && since <= this.#lastSeq && since >= this.#prunedThrough) {
      const rows = this.#sql
        .exec<MessageRow>(
          `SELECT * FROM messages WHERE seq > ?1 AND ${VISIBLE} ORDER BY seq LIMIT ?2`,
          since, max + 1, viewer,
        )
        .toArray();
      if (rows.length <= max) return { resumed: true, messages: rows.map(toFrame) };
    }
    return { resumed: false, messages: this.page(viewer, fallback).messages };
  }

  /** Deletes all but the newest `keep` messages; cheap when there is nothing to delete. */
  prune(keep: number): void {
    const through = this.#lastSeq - keep;
    if (through <= this.#prunedThrough) return;
    this.#sql.exec("DELETE FROM messages WHERE seq <= ?", through);
    this.#prunedThrough = through;
    this.#setMeta("pruned_through", String(through));
  }

  #meta(key: string): string | undefined {
    return this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  #setMeta(key: string, value: string): string {
    this.#sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
    return value;
  }
}

function toFrame(row: MessageRow): MessageFrame {
  const frame: MessageFrame = {
    type: "message",
    seq: row.seq,
    id: row.client_id,
    from: { id: row.user_id, name: row.name },
    text: row.text,
    ts: row.ts,
  };
  if (row.to_id !== null) frame.to = { id: row.to_id, name: row.to_name ?? "" };
  return frame;
}

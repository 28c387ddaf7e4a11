/**
 * The room's event log in its Durable Object SQLite: every stored change (a message, an edit, a
 * delete, a reaction) is one row under the next seq. A message's row holds its current state
 * (edits and a delete rewrite it), reactions have a table of their own, and a delete erases the
 * message's text and that of its edits and reactions from storage, not just from view.
 *
 * Tables stay few and narrow: each index is a billed row write per insert. seq is the rowid; the
 * one index serves idempotency by (user, client id); paging and resume walk seq.
 */
import type { User } from "@edge-chat/protocol";

/** Kinds of stored events, as kept in the `kind` column. */
export const KIND = { say: 0, edit: 1, delete: 2, react: 3 } as const;

/** The kinds by name. */
export type EventKind = keyof typeof KIND;

/** One row of the `events` table. */
export interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  kind: number;
  client_id: string;
  user_id: string;
  name: string;
  ts: number;
  text: string | null;
  target: number | null;
  reply_to: number | null;
  emoji: string | null;
  on_: number | null;
  count: number | null;
  to_id: string | null;
  to_name: string | null;
  author_id: string;
  edited: number | null;
  deleted: number | null;
}

/** A new event to store; the room has checked every rule before it gets here. */
export interface NewEvent {
  seq: number;
  kind: EventKind;
  clientId: string;
  /** Who did it (a say's sender, an edit's or a reaction's author). */
  user: User;
  ts: number;
  /** The message's recipient when it is private (for a change, the target's). */
  to?: User;
  /** The message's sender (for a change, the target's sender): with `to`, who may see it. */
  authorId: string;
  text?: string;
  replyTo?: number;
  target?: number;
  emoji?: string;
  on?: boolean;
  /** A reaction's count after it. */
  count?: number;
}

// seq is the rowid (free); the one extra index serves idempotency across all four kinds.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    ts INTEGER NOT NULL,
    text TEXT,
    target INTEGER,
    reply_to INTEGER,
    emoji TEXT,
    on_ INTEGER,
    count INTEGER,
    to_id TEXT,
    to_name TEXT,
    author_id TEXT NOT NULL,
    edited INTEGER,
    deleted INTEGER
  );
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_client_id ON events (user_id, client_id);
  CREATE TABLE IF NOT EXISTS reactions (
    target INTEGER NOT NULL,
    emoji TEXT NOT NULL,
    user_id TEXT NOT NULL,
    opened INTEGER NOT NULL,
    PRIMARY KEY (target, emoji, user_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Rows the viewer bound to ?1 may see: public ones, and private ones they sent or received. */
export const VISIBLE = "(to_id IS NULL OR author_id = ?1 OR to_id = ?1)";

/** The same rule in memory (null: the public HTTP API). */
function visibleTo(row: EventRow, viewer: string | null): boolean {
  return row.to_id === null || (viewer !== null && (row.author_id === viewer || row.to_id === viewer));
}

/** One reaction of one user to one message. */
export interface ReactionRow extends Record<string, SqlStorageValue> {
  target: number;
  emoji: string;
  user_id: string;
  opened: number;
}

/** How many of the newest message rows are kept in memory for welcomes. */
const LATEST = 100;

/** The room's durable event log. */
export class EventLog {
  readonly #sql: SqlStorage;
  #lastSeq: number;
  #prunedThrough: number;
  readonly epoch: string;
  /**
   * What a crowd joining at once all reads (the newest messages, their reactions, the rows they
   * quote), kept until the log next changes: a welcome then costs no query. `#version` moves
   * with every write.
   */
  #version = 0;
  #latest: { version: number; rows: EventRow[] } | undefined;
  #reactions: { version: number; from: number; to: number; rows: ReactionRow[] } | undefined;
  readonly #rows = new Map<number, EventRow | null>();
  #rowsVersion = 0;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    migrateVersion1(sql);
    this.epoch = this.meta("epoch") ?? this.setMeta("epoch", crypto.randomUUID());
    this.#prunedThrough = Number(this.meta("pruned_through") ?? 0);
    const max = sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM events").one().seq;
    // After a prune the table is never empty, so MAX(seq) is the last seq; pruned_through covers the rest.
    this.#lastSeq = Math.max(max ?? 0, this.#prunedThrough);
  }

  /** The latest stored seq (0 when nothing was ever stored). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Events at or below this seq may be gone; a resume from before it cannot be proved complete. */
  get prunedThrough(): number {
    return this.#prunedThrough;
  }

  /**
   * Stores events (in seq order, each the next seq) with what they change: an edit rewrites its
   * message's text, a delete erases the message, its edits and its reactions, a reaction moves
   * the reactions table. All in the caller's turn, so a window's events commit together.
   */
  append(events: readonly NewEvent[]): void {
    let last = this.#lastSeq;
    for (const event of events) {
      if (event.seq !== last + 1) throw new Error(`event seq ${event.seq} after ${last}`);
      last = event.seq;
    }
    if (events.length === 0) return;
    this.#insertAll(events);
    for (const event of events) {
      if (event.kind === "edit") {
        this.#sql.exec("UPDATE events SET text = ?, edited = ? WHERE seq = ? AND kind = 0", event.text!, event.ts, event.target!);
      } else if (event.kind === "delete") {
        this.#erase(event.target!);
      } else if (event.kind === "react") {
        this.#react(event);
      }
    }
    // Only once every write went through: a failed append (rolled back) leaves the seq as it was.
    this.#lastSeq = last;
    this.#version++;
  }

  /** Forgets what is kept in memory (the log was changed by a failed, rolled back append). */
  changed(): void {
    this.#version++;
  }

  /** The seq and kind of the event a user stored under a client id, if any. */
  findByClientId(userId: string, clientId: string): { seq: number; kind: number } | undefined {
    return this.#sql
      .exec<{ seq: number; kind: number }>("SELECT seq, kind FROM events WHERE user_id = ? AND client_id = ?", userId, clientId)
      .toArray()[0];
  }

  /** When the user last stored a message (ms), or undefined. */
  lastSayTs(userId: string): number | undefined {
    return this.#sql.exec<{ ts: number | null }>("SELECT MAX(ts) AS ts FROM events WHERE user_id = ? AND kind = 0", userId).one().ts ?? undefined;
  }

  /** One row by seq. */
  row(seq: number): EventRow | undefined {
    if (this.#rowsVersion !== this.#version) {
      this.#rows.clear();
      this.#rowsVersion = this.#version;
    }
    let row = this.#rows.get(seq);
    if (row === undefined) {
      row = this.#sql.exec<EventRow>("SELECT * FROM events WHERE seq = ?", seq).toArray()[0] ?? null;
      if (this.#rows.size > 1_000) this.#rows.clear();
      this.#rows.set(seq, row);
    }
    return row ?? undefined;
  }

  /** Message rows visible to `viewer` (public ones for null) before `before`, newest first, at most `limit`. */
  messageRows(viewer: string | null, limit: number, before = Number.MAX_SAFE_INTEGER): EventRow[] {
    if (before > this.#lastSeq && limit <= LATEST) {
      const latest = this.#latestRows();
      const visible = latest.filter((row) => visibleTo(row, viewer));
      // The newest rows answer when they hold enough visible ones, or are the whole log.
      if (visible.length >= limit || latest.length < LATEST) return visible.slice(0, limit);
    }
    const visible = viewer === null ? "to_id IS NULL" : VISIBLE;
    return this.#sql
      .exec<EventRow>(
        `SELECT * FROM events WHERE seq < ?2 AND kind = 0 AND ${visible} ORDER BY seq DESC LIMIT ?3`,
        viewer ?? "", before, limit,
      )
      .toArray();
  }

  /** Events of any kind visible to `viewer` after `since`, ascending, at most `limit`. */
  eventRowsAfter(viewer: string, since: number, limit: number): EventRow[] {
    return this.#sql
      .exec<EventRow>(`SELECT * FROM events WHERE seq > ?2 AND ${VISIBLE} ORDER BY seq LIMIT ?3`, viewer, since, limit)
      .toArray();
  }

  /** Every stored event in a seq range, ascending (what a shard missed). */
  rowsBetween(after: number, through: number): EventRow[] {
    return this.#sql.exec<EventRow>("SELECT * FROM events WHERE seq > ? AND seq <= ? ORDER BY seq", after, through).toArray();
  }

  /** The reactions on messages in [from, to]: per target, emojis in the order they were first added. */
  reactionRows(from: number, to: number): ReactionRow[] {
    const kept = this.#reactions;
    if (kept && kept.version === this.#version && kept.from <= from && kept.to >= to) {
      return kept.rows.filter((r) => r.target >= from && r.target <= to);
    }
    const rows = this.#sql
      .exec<ReactionRow>(
        "SELECT target, emoji, user_id, opened FROM reactions WHERE target >= ? AND target <= ? ORDER BY target, opened",
        from, to,
      )
      .toArray();
    this.#reactions = { version: this.#version, from, to, rows };
    return rows;
  }

  #latestRows(): EventRow[] {
    if (this.#latest?.version !== this.#version) {
      const rows = this.#sql.exec<EventRow>("SELECT * FROM events WHERE kind = 0 ORDER BY seq DESC LIMIT ?", LATEST).toArray();
      this.#latest = { version: this.#version, rows };
    }
    return this.#latest.rows;
  }

  /** Deletes everything older than the newest `keep` messages (change events do not count). */
  prune(keep: number): void {
    const cut = this.#sql
      .exec<{ seq: number }>("SELECT seq FROM events WHERE kind = 0 ORDER BY seq DESC LIMIT 1 OFFSET ?", keep - 1)
      .toArray()[0]?.seq;
    if (cut === undefined || cut - 1 <= this.#prunedThrough) return;
    this.#sql.exec("DELETE FROM events WHERE seq < ?", cut);
    this.#sql.exec("DELETE FROM reactions WHERE target < ?", cut);
    this.#version++;
    this.#prunedThrough = cut - 1;
    this.setMeta("pruned_through", String(cut - 1));
  }

  /** A value of the `meta` table. */
  meta(key: string): string | undefined {
    return this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  /** Sets a value of the `meta` table; returns it. */
  setMeta(key: string, value: string): string {
    this.#sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
    return value;
  }

  /**
   * Inserts every event's row in one statement: the rows travel as one JSON parameter, since each
   * statement costs the runtime far more than each row (one commit per window, one INSERT too).
   */
  #insertAll(events: readonly NewEvent[]): void {
    const rows = events.map((e) => [
      e.seq, KIND[e.kind], e.clientId, e.user.id, e.user.name, e.ts, e.text ?? null, e.target ?? null, e.replyTo ?? null,
      e.emoji ?? null, e.on === undefined ? null : Number(e.on), e.count ?? null, e.to?.id ?? null, e.to?.name ?? null, e.authorId,
    ]);
    this.#sql.exec(
      `INSERT INTO events (seq, kind, client_id, user_id, name, ts, text, target, reply_to, emoji, on_, count, to_id, to_name, author_id)
       SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
              value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, value ->> 13, value ->> 14
       FROM json_each(?) ORDER BY key`,
      JSON.stringify(rows),
    );
  }

  /** Erases a deleted message for good: its text, its edits' texts, its reactions and the events about them. */
  #erase(target: number): void {
    this.#sql.exec("UPDATE events SET text = '', deleted = 1, reply_to = NULL WHERE seq = ? AND kind = 0", target);
    this.#sql.exec("UPDATE events SET text = '' WHERE target = ? AND kind = 1", target);
    this.#sql.exec("UPDATE events SET emoji = '', count = 0 WHERE target = ? AND kind = 3", target);
    this.#sql.exec("DELETE FROM reactions WHERE target = ?", target);
  }

  #react(e: NewEvent): void {
    if (e.on) {
      // An emoji keeps the place it got when its count last rose from 0.
      const opened = this.#sql
        .exec<{ opened: number }>("SELECT opened FROM reactions WHERE target = ? AND emoji = ? LIMIT 1", e.target!, e.emoji!)
        .toArray()[0]?.opened;
      this.#sql.exec(
        "INSERT INTO reactions (target, emoji, user_id, opened) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        e.target!, e.emoji!, e.user.id, opened ?? e.seq,
      );
    } else {
      this.#sql.exec("DELETE FROM reactions WHERE target = ? AND emoji = ? AND user_id = ?", e.target!, e.emoji!, e.user.id);
    }
  }
}

/** Moves a version-1 `messages` table into the event log once, keeping seqs (and so the epoch). */
function migrateVersion1(sql: SqlStorage): void {
  const old = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'messages'").toArray();
  if (old.length === 0) return;
  sql.exec(
    `INSERT OR IGNORE INTO events (seq, kind, client_id, user_id, name, ts, text, to_id, to_name, author_id)
     SELECT seq, 0, client_id, user_id, name, ts, text, to_id, to_name, user_id FROM messages`,
  );
  sql.exec("DROP TABLE messages");
}

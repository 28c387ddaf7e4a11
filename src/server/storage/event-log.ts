/**
 * The room's event log in its Durable Object SQLite: every stored change (a message, an edit, a
 * delete, a reaction) is one row under the next seq. A message's row holds its current state
 * (edits and a delete rewrite it), reactions have tables of their own (`reactions.ts`), and a
 * delete erases the message's text and that of its edits and reactions from storage, not just
 * from view. A message keeps one text (protocol v3): only its own row holds it, an edit's row
 * holds none (its frame is served with the message's current text), so editing one message over
 * and over writes a small row each time and cannot fill the room (test/storage-bounds.test.ts).
 *
 * Tables stay few and narrow: each index is a billed row write per insert. seq is the rowid;
 * one index serves idempotency by (user, client id), one (partial: change events only) finds a
 * message's changes by target; paging and resume walk seq.
 */
import { KIND, type EventRow, type NewEvent } from "./event-rows.ts";
import { jsonChunks } from "./json-rows.ts";
import { FileStore } from "./files.ts";
import { ONE_TEXT_KEY, addFilesColumn, keepOneTextPerMessage, migrateVersion1 } from "./log-migrations.ts";
import { ReactionStore, type ReactionCountRow } from "./reactions.ts";
import { SearchIndex } from "./search-index.ts";

export { KIND, type EventKind, type EventRow, type NewEvent } from "./event-rows.ts";

// seq is the rowid (free). events_by_client_id serves idempotency across all four kinds.
// events_by_target holds change events only (messages have no target, so a message costs it no
// row write): a delete finds its message's edits and reactions without reading the log (issue 19,
// item 10), and so does a prune that keeps the text of an edit whose message goes.
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
  CREATE INDEX IF NOT EXISTS events_by_target ON events (target, kind) WHERE target IS NOT NULL;
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Rows the viewer bound to ?1 may see: public ones, and private ones they sent or received. */
export const VISIBLE = "(to_id IS NULL OR author_id = ?1 OR to_id = ?1)";

/** The same rule in memory (null: the public HTTP API). */
function visibleTo(row: EventRow, viewer: string | null): boolean {
  return row.to_id === null || (viewer !== null && (row.author_id === viewer || row.to_id === viewer));
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
  #counts: { version: number; from: number; to: number; rows: ReactionCountRow[] } | undefined;
  readonly #reactions: ReactionStore;
  /** Version 3: the room's files (`files.ts`), attached and erased in the log's own transaction. */
  readonly files: FileStore;
  /** Messages' current texts for search, written in the same transaction as the events (v3). */
  readonly #search: SearchIndex;
  /** The last seq when `prune` last looked: it looks again only once enough was stored since. */
  #pruneLookedAt = -Infinity;
  readonly #rows = new Map<number, EventRow | null>();
  #rowsVersion = 0;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    migrateVersion1(sql);
    addFilesColumn(sql);
    this.#reactions = new ReactionStore(sql);
    this.files = new FileStore(sql);
    const epoch = this.meta("epoch");
    if (epoch === undefined) {
      // A new log keeps one text per message from its start.
      this.epoch = this.setMeta("epoch", crypto.randomUUID());
      this.setMeta(ONE_TEXT_KEY, "1");
    } else {
      this.epoch = epoch;
      if (this.meta(ONE_TEXT_KEY) === undefined) keepOneTextPerMessage(sql, () => this.setMeta(ONE_TEXT_KEY, "1"));
    }
    this.#prunedThrough = Number(this.meta("pruned_through") ?? 0);
    this.#search = new SearchIndex(sql);
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
   * message's text (its own row keeps none), a delete erases the message, its edits and its
   * reactions, a reaction moves the reaction tables. All in the caller's turn, so a
   * window's events commit together.
   */
  append(events: readonly NewEvent[]): void {
    let last = this.#lastSeq;
    for (const event of events) {
      if (event.seq !== last + 1) throw new Error(`event seq ${event.seq} after ${last}`);
      last = event.seq;
    }
    if (events.length === 0) return;
    this.#insertAll(events);
    this.#search.added(events.filter((e) => e.kind === "say").map((e) => ({ seq: e.seq, text: e.text ?? "" })));
    for (const event of events) {
      if (event.kind === "edit") {
        this.#sql.exec("UPDATE events SET text = ?, edited = ? WHERE seq = ? AND kind = 0", event.text!, event.ts, event.target!);
        this.#search.edited(event.target!, event.text!);
      } else if (event.kind === "delete") {
        this.#erase(event.target!);
      } else if (event.kind === "react") {
        this.#reactions.apply(event);
      } else if (event.files) {
        this.files.attach(event.seq, event.files.map((f) => f.id));
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

  /**
   * Messages `viewer` may see above seq `after`, not deleted and not their own, counted up to `cap`.
   * A welcome asks this: when the newest rows kept for welcomes reach down to `after` (a reader who
   * is nearly caught up, or a small room), they are counted in memory, without a query.
   */
  unreadCount(viewer: string, after: number, cap: number): number {
    const latest = this.#latestRows();
    if (latest.length < LATEST || latest.at(-1)!.seq <= after) {
      let count = 0;
      for (const row of latest) {
        if (row.seq > after && row.deleted !== 1 && row.user_id !== viewer && visibleTo(row, viewer)) count++;
      }
      return Math.min(count, cap);
    }
    return this.#sql
      .exec<{ n: number }>(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM events WHERE seq > ?2 AND kind = 0 AND deleted IS NOT 1 AND user_id != ?1 AND ${VISIBLE} LIMIT ?3)`,
        viewer, after, cap,
      )
      .one().n;
  }

  /**
   * Messages `viewer` may see (public ones for null) whose current text holds every term (each as
   * `searchKey` made it), below `before`, newest first, at most `limit` (search-index.ts).
   */
  searchRows(viewer: string | null, terms: readonly string[], limit: number, before = Number.MAX_SAFE_INTEGER): EventRow[] {
    return this.#search.find(terms, viewer === null ? "e.to_id IS NULL" : VISIBLE, viewer ?? "", before, limit);
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

  /** The reaction counts on messages in [from, to]: per target, emojis in the order they were first added. */
  reactionCounts(from: number, to: number): ReactionCountRow[] {
    const kept = this.#counts;
    if (kept && kept.version === this.#version && kept.from <= from && kept.to >= to) {
      return kept.rows.filter((r) => r.target >= from && r.target <= to);
    }
    const rows = this.#reactions.counts(from, to);
    this.#counts = { version: this.#version, from, to, rows };
    return rows;
  }

  /** The viewer's own reactions on these messages. */
  ownReactions(viewer: string, targets: readonly number[]): { target: number; emoji: string }[] {
    return this.#reactions.own(viewer, targets);
  }

  /** True when the user's reaction `emoji` is stored on message `target`. */
  hasReaction(target: number, userId: string, emoji: string): boolean {
    return this.#reactions.has(target, userId, emoji);
  }

  #latestRows(): EventRow[] {
    if (this.#latest?.version !== this.#version) {
      const rows = this.#sql.exec<EventRow>("SELECT * FROM events WHERE kind = 0 ORDER BY seq DESC LIMIT ?", LATEST).toArray();
      this.#latest = { version: this.#version, rows };
    }
    return this.#latest.rows;
  }

  /**
   * Keeps the newest `keep` messages (in their current state, with their reactions) and the newest
   * `keep` change events; older ones go. Change events are counted apart, so they never push a
   * message out, and edits or reactions cannot grow the log without bound either: the log holds
   * at most `2 × keep` events, plus what arrives before the next prune (docs/RELIABILITY.md).
   * The two walks back from the newest event run again only once `keep / 10` events came since.
   */
  prune(keep: number): void {
    if (this.#lastSeq - this.#pruneLookedAt < Math.max(1, Math.floor(keep / 10))) return;
    this.#pruneLookedAt = this.#lastSeq;
    const nth = (kinds: string) =>
      this.#sql.exec<{ seq: number }>(`SELECT seq FROM events WHERE ${kinds} ORDER BY seq DESC LIMIT 1 OFFSET ?`, keep - 1).toArray()[0]?.seq;
    const messageCut = nth("kind = 0");
    const changeCut = nth("kind != 0");
    const through = Math.max((messageCut ?? 0) - 1, (changeCut ?? 0) - 1);
    if (through <= this.#prunedThrough) return;
    if (messageCut !== undefined) {
      this.#keepLastEditTexts(messageCut);
      this.files.erasePrunedBefore(messageCut);
      this.#sql.exec("DELETE FROM events WHERE seq < ?", messageCut);
      this.#reactions.pruneBefore(messageCut);
      this.#search.prunedBefore(messageCut);
    }
    if (changeCut !== undefined) this.#sql.exec("DELETE FROM events WHERE kind != 0 AND seq < ?", changeCut);
    this.#version++;
    this.#prunedThrough = through;
    this.setMeta("pruned_through", String(through));
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
   * Inserts every event's row with one statement per JSON parameter: a statement costs the runtime
   * far more than a row, so a window's rows go together, split only where a parameter would grow
   * past what the runtime takes (`json-rows.ts`).
   */
  #insertAll(events: readonly NewEvent[]): void {
    // An edit's text lives in its message's row only.
    const rows = events.map((e) => [
      e.seq, KIND[e.kind], e.clientId, e.user.id, e.user.name, e.ts, e.kind === "edit" ? null : (e.text ?? null), e.target ?? null, e.replyTo ?? null,
      e.emoji ?? null, e.on === undefined ? null : Number(e.on), e.count ?? null, e.to?.id ?? null, e.to?.name ?? null, e.authorId,
      e.files ? JSON.stringify(e.files) : null,
    ]);
    for (const chunk of jsonChunks(rows)) {
      this.#sql.exec(
        `INSERT INTO events (seq, kind, client_id, user_id, name, ts, text, target, reply_to, emoji, on_, count, to_id, to_name, author_id, files)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
                value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, value ->> 13, value ->> 14, value ->> 15
         FROM json_each(?) ORDER BY key`,
        chunk,
      );
    }
  }

  /**
   * Messages below `cut` are about to go, while edits of theirs may stay (they came later): the
   * last such edit of each takes its message's text, so a resume still serves that edit with the
   * text it left the message with. Still one text per message.
   */
  #keepLastEditTexts(cut: number): void {
    this.#sql.exec(
      `UPDATE events SET text = (SELECT m.text FROM events AS m WHERE m.seq = events.target)
       WHERE target < ?1 AND kind = 1 AND seq >= ?1
         AND seq = (SELECT MAX(e.seq) FROM events AS e WHERE e.target = events.target AND e.kind = 1)`,
      cut,
    );
  }

  /** Erases a deleted message for good: its text, its edits' texts, its reactions and the events about them. */
  #erase(target: number): void {
    // Its files go too (v3): not served from this commit on, their bytes deleted from R2 after it.
    const files = this.#sql.exec<{ files: string | null }>("SELECT files FROM events WHERE seq = ? AND kind = 0", target).toArray()[0]?.files;
    if (files) this.files.eraseIds((JSON.parse(files) as { id: string }[]).map((f) => f.id));
    this.#sql.exec("UPDATE events SET text = '', deleted = 1, reply_to = NULL, files = NULL WHERE seq = ? AND kind = 0", target);
    this.#sql.exec("UPDATE events SET text = '' WHERE target = ? AND kind = 1 AND text != ''", target);
    this.#sql.exec("UPDATE events SET emoji = '', count = 0 WHERE target = ? AND kind = 3", target);
    this.#reactions.erase(target);
    this.#search.erased(target);
  }
}

/**
 * The room's search index (PROTOCOL.md v3 "Search"): an FTS5 table with the `trigram` tokenizer
 * holding, per message (rowid = its seq), its current text as search compares it (NFKC, lower
 * case: `searchKey`). The event log writes it in the same transaction as the events themselves:
 * a message adds its row, an edit replaces it, a delete removes it with the erasure, a prune
 * removes the rows of the messages it prunes. So the index never holds text the log no longer
 * has, nor a deleted message's.
 *
 * Matching is by substring in any script (Chinese and Japanese need no spaces). The trigram index
 * answers terms of 3 or more code points; a term of 1 or 2 (a two-character Chinese word, "ok")
 * cannot be looked up in it, so such terms are checked with `instr` on the stored key text: among
 * the index's matches when the query has a longer term too, else by walking the keys newest first
 * until the page is full (bounded by what the log keeps; docs/SCALE.md gives the cost).
 *
 * Row writes (docs/SCALE.md, docs/BENCHMARKS.md): a message writes its content row, its docsize
 * row and its share of the index's segment rows, which FTS5 writes once per transaction.
 */
import { searchKey } from "@edge-chat/protocol/search";
import type { EventRow } from "./event-rows.ts";
import { jsonChunks } from "./json-rows.ts";

const TABLE = "search_text";

/** FTS5 with trigrams; `case_sensitive 1` because the key text is lower-cased already (JavaScript's rule, not SQLite's folding). */
const SCHEMA = `CREATE VIRTUAL TABLE IF NOT EXISTS ${TABLE} USING fts5(body, tokenize = "trigram case_sensitive 1")`;

/** Terms the trigram index can look up: 3 code points or more. */
const INDEXED_MIN = 3;

/** The room's search index. */
export class SearchIndex {
  readonly #sql: SqlStorage;

  /** Makes the table; a log from before search gets its current messages indexed once, here. */
  constructor(sql: SqlStorage) {
    this.#sql = sql;
    const existed = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = ?", TABLE).one().n > 0;
    sql.exec(SCHEMA);
    if (!existed) this.#backfill();
  }

  /** Indexes new messages (seq and current text). */
  added(messages: readonly { seq: number; text: string }[]): void {
    const rows = messages.filter((m) => m.text !== "").map((m) => [m.seq, searchKey(m.text)]);
    // Split as the events' own rows are, so a window of long texts never passes one parameter's limit.
    for (const chunk of jsonChunks(rows)) {
      this.#sql.exec(`INSERT INTO ${TABLE} (rowid, body) SELECT value ->> 0, value ->> 1 FROM json_each(?)`, chunk);
    }
  }

  /** An edit: the message's indexed text becomes its new text. */
  edited(seq: number, text: string): void {
    this.#sql.exec(`DELETE FROM ${TABLE} WHERE rowid = ?`, seq);
    this.added([{ seq, text }]);
  }

  /** A delete: the message's text leaves the index with the erasure. */
  erased(seq: number): void {
    this.#sql.exec(`DELETE FROM ${TABLE} WHERE rowid = ?`, seq);
  }

  /** A prune: messages below `seq` are gone from the log, so from the index too. */
  prunedBefore(seq: number): void {
    this.#sql.exec(`DELETE FROM ${TABLE} WHERE rowid < ?`, seq);
  }

  /**
   * Message rows holding every term (already `searchKey`ed), visible under `visible` (SQL on the
   * events row `e`, the viewer bound to ?1), below `before`, newest first, at most `limit`.
   */
  find(terms: readonly string[], visible: string, viewer: string, before: number, limit: number): EventRow[] {
    const indexed = terms.filter((t) => [...t].length >= INDEXED_MIN);
    const short = terms.filter((t) => [...t].length < INDEXED_MIN);
    const params: SqlStorageValue[] = [viewer, before, limit];
    const where = [`s.rowid < ?2`, visible, "e.kind = 0", "e.deleted IS NOT 1"];
    if (indexed.length > 0) {
      params.push(indexed.map(phrase).join(" AND "));
      where.unshift(`s.${TABLE} MATCH ?${params.length}`);
    }
    for (const term of short) {
      params.push(term);
      where.push(`instr(s.body, ?${params.length}) > 0`);
    }
    return this.#sql
      .exec<EventRow>(
        `SELECT e.* FROM ${TABLE} AS s CROSS JOIN events AS e ON e.seq = s.rowid
         WHERE ${where.join(" AND ")} ORDER BY s.rowid DESC LIMIT ?3`,
        ...params,
      )
      .toArray();
  }

  #backfill(): void {
    let after = 0;
    for (;;) {
      const rows = this.#sql
        .exec<{ seq: number; text: string }>("SELECT seq, text FROM events WHERE seq > ? AND kind = 0 AND deleted IS NOT 1 AND text != '' ORDER BY seq LIMIT 1000", after)
        .toArray();
      if (rows.length === 0) return;
      this.added(rows);
      after = rows.at(-1)!.seq;
    }
  }
}

/** A term as an FTS5 phrase: quoted, its quotes doubled, so no query syntax reaches the index. */
function phrase(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

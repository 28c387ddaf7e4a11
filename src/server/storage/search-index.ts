/**
 * The room's search index (PROTOCOL.md v3 "Search"): two FTS5 tables over each message's current
 * text as search compares it (NFKC, lower case: `searchKey`), both with rowid = the message's seq.
 * `search_text` holds the key text under the `trigram` tokenizer and answers terms of 3 or more
 * code points; `search_grams` (contentless) holds the key text's distinct unigrams and bigrams as
 * ASCII tokens (`search-grams.ts`) and answers terms of 1 or 2 (a two-character Chinese word,
 * "ok") with one token lookup. The event log writes both in the same transaction as the events
 * themselves: a message adds its rows, an edit replaces them, a delete removes them with the
 * erasure, a prune removes the rows of the messages it prunes. So the index never holds text the
 * log no longer has, nor a deleted message's.
 *
 * A query of short terms only is driven by the gram table. One with a longer term too looks the
 * short terms up first: held nowhere, the answer is empty; held by few messages, those are walked
 * and their key text checked with `instr` for the longer terms; by many, the trigram table drives
 * from the newest of them, its matches checked for the short terms. A short term the gram table
 * leaves out (whitespace that NFKC made, as `¨` makes) is checked with `instr` too, walking the
 * key texts newest first when it is the query's only kind of term.
 *
 * Row writes (docs/SCALE.md, docs/BENCHMARKS.md): a message writes one row in each table as the
 * runtime counts them; FTS5 itself writes the trigram table's content and docsize rows, the gram
 * table's docsize row (contentless: no copy of the text), and both tables' segment rows once per
 * transaction.
 */
import { searchKey } from "@edge-chat/protocol/search";
import type { EventRow } from "./event-rows.ts";
import { jsonChunks } from "./json-rows.ts";
import { GRAM_MAX, gramDocument, gramToken, hasGramToken } from "./search-grams.ts";

const TEXT = "search_text";
const GRAMS = "search_grams";

/** FTS5 with trigrams; `case_sensitive 1` because the key text is lower-cased already (JavaScript's rule, not SQLite's folding). */
const TEXT_SCHEMA = `CREATE VIRTUAL TABLE IF NOT EXISTS ${TEXT} USING fts5(body, tokenize = "trigram case_sensitive 1")`;

/**
 * Grams as tokens: contentless (the text is in `search_text` already), `contentless_delete` so an
 * edit, a delete and a prune remove rows by rowid, `detail=none` since a lookup needs only which
 * messages hold a token (no positions), and the `ascii` tokenizer, which keeps each token whole.
 */
const GRAMS_SCHEMA = `CREATE VIRTUAL TABLE IF NOT EXISTS ${GRAMS} USING fts5(grams, content = '', contentless_delete = 1, detail = none, tokenize = "ascii")`;

/**
 * With a term of 3+ code points and short ones, how many messages holding the short terms count as
 * few: fewer, and those are walked (their text checked for the long terms); as many, and the
 * trigram table's matches are (their text checked for the short terms).
 */
const FEW = 256;

/** Rows read per statement when a table is filled from another. */
const BACKFILL_PAGE = 1000;

/** The room's search index. */
export class SearchIndex {
  readonly #sql: SqlStorage;

  /** Makes the tables; a log from before search, or before the gram table, gets its current messages indexed once, here. */
  constructor(sql: SqlStorage) {
    this.#sql = sql;
    const exists = (name: string) => sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = ?", name).one().n > 0;
    const hadText = exists(TEXT);
    const hadGrams = exists(GRAMS);
    sql.exec(TEXT_SCHEMA);
    sql.exec(GRAMS_SCHEMA);
    if (!hadText) {
      // Both tables from the log, so their rows stay the same set.
      sql.exec(`DELETE FROM ${GRAMS}`);
      this.#backfill("SELECT seq, text FROM events WHERE seq > ? AND kind = 0 AND deleted IS NOT 1 AND text != '' ORDER BY seq LIMIT ?", (rows) => this.added(rows));
    } else if (!hadGrams) {
      // The trigram table holds every current key text already: the grams come from it.
      this.#backfill(`SELECT rowid AS seq, body AS text FROM ${TEXT} WHERE rowid > ? ORDER BY rowid LIMIT ?`, (rows) => this.#addGrams(rows));
    }
  }

  /** Indexes new messages (seq and current text). */
  added(messages: readonly { seq: number; text: string }[]): void {
    const keyed = messages.filter((m) => m.text !== "").map((m) => ({ seq: m.seq, text: searchKey(m.text) }));
    this.#insert(TEXT, "body", keyed.map((m) => [m.seq, m.text]));
    this.#addGrams(keyed);
  }

  /** An edit: the message's indexed text becomes its new text. */
  edited(seq: number, text: string): void {
    this.erased(seq);
    this.added([{ seq, text }]);
  }

  /** A delete: the message's text leaves the index with the erasure. */
  erased(seq: number): void {
    this.#sql.exec(`DELETE FROM ${TEXT} WHERE rowid = ?`, seq);
    this.#sql.exec(`DELETE FROM ${GRAMS} WHERE rowid = ?`, seq);
  }

  /** A prune: messages below `seq` are gone from the log, so from the index too. */
  prunedBefore(seq: number): void {
    this.#sql.exec(`DELETE FROM ${TEXT} WHERE rowid < ?`, seq);
    this.#sql.exec(`DELETE FROM ${GRAMS} WHERE rowid < ?`, seq);
  }

  /**
   * Message rows holding every term (already `searchKey`ed), visible under `visible` (SQL on the
   * events row `e`, the viewer bound to ?1), below `before`, newest first, at most `limit`.
   */
  find(terms: readonly string[], visible: string, viewer: string, before: number, limit: number): EventRow[] {
    const long = terms.filter((t) => [...t].length > GRAM_MAX);
    const grams = terms.filter(hasGramToken);
    // Short terms the gram table leaves out: checked on the key text.
    const checked = terms.filter((t) => !long.includes(t) && !grams.includes(t));
    const params: SqlStorageValue[] = [viewer, before, limit];
    let byGrams = long.length === 0 && grams.length > 0;
    if (long.length > 0 && grams.length > 0) {
      const held = this.#gramMatches(grams, before, FEW);
      // No message holds the short terms: nothing to walk.
      if (held.length === 0) return [];
      // Few do: walk those, checking the long terms on their text. Many: the trigram table drives,
      // from the newest that holds them (as the bound of ?2: FTS5 takes one upper bound on the rowid).
      if (held.length < FEW) byGrams = true;
      else params[1] = held[0]! + 1;
    }
    const bind = (value: SqlStorageValue) => `?${params.push(value)}`;
    const where = [visible, "e.kind = 0", "e.deleted IS NOT 1"];
    let from: string;
    let driver: "g" | "s";
    if (byGrams) {
      driver = "g";
      from = `${GRAMS} AS g CROSS JOIN events AS e ON e.seq = g.rowid`;
      checked.push(...long);
      if (checked.length > 0) from += ` CROSS JOIN ${TEXT} AS s ON s.rowid = g.rowid`;
      where.unshift(`g.${GRAMS} MATCH ${bind(gramQuery(grams))}`, "g.rowid < ?2");
    } else {
      driver = "s";
      from = `${TEXT} AS s CROSS JOIN events AS e ON e.seq = s.rowid`;
      where.unshift("s.rowid < ?2");
      if (long.length > 0) where.unshift(`s.${TEXT} MATCH ${bind(long.map(phrase).join(" AND "))}`);
      checked.push(...grams);
    }
    for (const term of checked) where.push(`instr(s.body, ${bind(term)}) > 0`);
    return this.#sql
      .exec<EventRow>(`SELECT e.* FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${driver}.rowid DESC LIMIT ?3`, ...params)
      .toArray();
  }

  /** The newest messages below `before` holding every one of these short terms, newest first, at most `limit`. */
  #gramMatches(terms: readonly string[], before: number, limit: number): number[] {
    return this.#sql
      .exec<{ seq: number }>(`SELECT rowid AS seq FROM ${GRAMS} WHERE ${GRAMS} MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?`, gramQuery(terms), before, limit)
      .toArray()
      .map((r) => r.seq);
  }

  /** Adds the gram rows of key texts. */
  #addGrams(keyed: readonly { seq: number; text: string }[]): void {
    this.#insert(GRAMS, "grams", keyed.map((m) => [m.seq, gramDocument(m.text)]));
  }

  /** Inserts [rowid, value] rows, split as the events' own rows are, so a window of long texts never passes one parameter's limit. */
  #insert(table: string, column: string, rows: readonly [number, string][]): void {
    for (const chunk of jsonChunks(rows)) {
      this.#sql.exec(`INSERT INTO ${table} (rowid, ${column}) SELECT value ->> 0, value ->> 1 FROM json_each(?)`, chunk);
    }
  }

  /** Feeds `add` the rows of `query` (seq above ?1, at most ?2, ascending), a page at a time. */
  #backfill(query: string, add: (rows: { seq: number; text: string }[]) => void): void {
    let after = 0;
    for (;;) {
      const rows = this.#sql.exec<{ seq: number; text: string }>(query, after, BACKFILL_PAGE).toArray();
      if (rows.length === 0) return;
      add(rows);
      after = rows.at(-1)!.seq;
    }
  }
}

/** A term as an FTS5 phrase: quoted, its quotes doubled, so no query syntax reaches the index. */
function phrase(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/** Short terms as a gram table query: every term's token (letters and digits only), all required. */
function gramQuery(terms: readonly string[]): string {
  return terms.map((t) => `"${gramToken(t)}"`).join(" AND ");
}

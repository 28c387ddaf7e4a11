/**
 * Read positions (PROTOCOL.md v3 "Read state"): per user, the seq they have read up to, in one
 * narrow table keyed by user id (no index beyond the key: one row write per position stored).
 *
 * A position moves in memory at once and is written later, coalesced: every position moved since
 * the last write goes in one transaction, at most once per `flushDelayMs` (the Room's alarm duty)
 * or sooner when a user's socket closes. A fast reader (a `read` per message in a busy room) then
 * costs one row write per second at most, not one per frame (docs/BENCHMARKS.md), and a position
 * is durable within the delay plus the alarm's lateness, under the protocol's 2 s.
 */

import { jsonChunks } from "./json-rows.ts";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_positions (
    user_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/** Positions read from storage are kept for at most this many users (the unwritten ones always). */
const CACHED = 10_000;

/** The room's read positions. */
export class ReadPositions {
  readonly #sql: SqlStorage;
  /** Positions as they stand, by user id (a cache of the table, and the unwritten ones). */
  readonly #known = new Map<string, number>();
  /** Positions moved and not written yet. */
  readonly #unwritten = new Map<string, number>();
  /** When the oldest unwritten move was made (ms), or undefined when nothing waits. */
  #since: number | undefined;
  /** Rows written by `flush` since the object woke (for the bench and tests). */
  #rowsWritten = 0;
  /** False while the table is empty: a welcome then reads no storage for a position (a crowd joining a new room). */
  #anyStored: boolean;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    this.#anyStored = sql.exec("SELECT 1 FROM read_positions LIMIT 1").toArray().length > 0;
  }

  /** The user's read position (0 when they never sent one). */
  get(userId: string): number {
    const known = this.#known.get(userId);
    if (known !== undefined) return known;
    if (!this.#anyStored) return 0;
    const seq = this.#sql.exec<{ seq: number }>("SELECT seq FROM read_positions WHERE user_id = ?", userId).toArray()[0]?.seq ?? 0;
    if (this.#known.size >= CACHED) this.#forgetWritten();
    this.#known.set(userId, seq);
    return seq;
  }

  /** Moves the user's position to `seq` (the caller checked it is larger), to be written by `flush`. */
  move(userId: string, seq: number, now: number): void {
    this.#known.set(userId, seq);
    this.#unwritten.set(userId, seq);
    this.#since ??= now;
  }

  /** When the oldest unwritten move was made, or undefined when nothing waits. */
  get unwrittenSince(): number | undefined {
    return this.#since;
  }

  /** True when moves wait to be written. */
  get dirty(): boolean {
    return this.#unwritten.size > 0;
  }

  /** Rows `flush` wrote since the object woke. */
  get rowsWritten(): number {
    return this.#rowsWritten;
  }

  /** Writes every unwritten position (the caller runs it in a transaction); a failure keeps them for the next try. */
  flush(): void {
    if (this.#unwritten.size === 0) return;
    // One statement per parameter's worth; MAX keeps a position from ever moving back in storage.
    for (const chunk of jsonChunks([...this.#unwritten])) {
      this.#sql.exec(
        `INSERT INTO read_positions (user_id, seq) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
         ON CONFLICT (user_id) DO UPDATE SET seq = MAX(seq, excluded.seq)`,
        chunk,
      );
    }
    this.#rowsWritten += this.#unwritten.size;
    this.#anyStored = true;
    this.#unwritten.clear();
    this.#since = undefined;
  }

  /** Lets go of the cached positions that are already written, so the cache stays bounded. */
  #forgetWritten(): void {
    for (const id of this.#known.keys()) if (!this.#unwritten.has(id)) this.#known.delete(id);
  }
}

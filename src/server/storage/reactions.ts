/**
 * Reactions in the room's SQLite, in two narrow tables: a count per (message, emoji), ordered by
 * when the emoji was first added (what every welcome and page shows), and one row per
 * (message, user, emoji) (whose reaction it is: read only for the viewer's own `me`, and by the
 * rules for the one user reacting). A welcome then reads one row per (message, emoji) and the
 * viewer's own rows, never one per person who reacted (issue 19, item 6).
 *
 * Row writes (docs/SCALE.md): a reaction that changes something writes 2 rows (its user row, its
 * count row); neither table has an index beyond its primary key.
 */
import type { NewEvent } from "./event-rows.ts";

/** One emoji's count on one message. */
export interface ReactionCountRow extends Record<string, SqlStorageValue> {
  target: number;
  emoji: string;
  count: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS reaction_counts (
    target INTEGER NOT NULL,
    emoji TEXT NOT NULL,
    count INTEGER NOT NULL,
    opened INTEGER NOT NULL,
    PRIMARY KEY (target, emoji)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS user_reactions (
    target INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    emoji TEXT NOT NULL,
    PRIMARY KEY (target, user_id, emoji)
  ) WITHOUT ROWID;
`;

/** The reaction tables. */
export class ReactionStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    migrateUserRows(sql);
  }

  /**
   * Stores a `react` event whose count the rules worked out: the user's row comes or goes, and the
   * emoji's count row follows (gone at 0; made anew, at the end of the order, when it rises from 0).
   */
  apply(e: NewEvent): void {
    if (e.on) {
      this.#sql.exec("INSERT INTO user_reactions (target, user_id, emoji) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", e.target!, e.user.id, e.emoji!);
    } else {
      this.#sql.exec("DELETE FROM user_reactions WHERE target = ? AND user_id = ? AND emoji = ?", e.target!, e.user.id, e.emoji!);
    }
    if (e.count === 0) {
      this.#sql.exec("DELETE FROM reaction_counts WHERE target = ? AND emoji = ?", e.target!, e.emoji!);
    } else {
      this.#sql.exec(
        `INSERT INTO reaction_counts (target, emoji, count, opened) VALUES (?, ?, ?, ?)
         ON CONFLICT (target, emoji) DO UPDATE SET count = excluded.count WHERE count != excluded.count`,
        e.target!, e.emoji!, e.count!, e.seq,
      );
    }
  }

  /** Erases every reaction of a deleted message. */
  erase(target: number): void {
    this.#sql.exec("DELETE FROM user_reactions WHERE target = ?", target);
    this.#sql.exec("DELETE FROM reaction_counts WHERE target = ?", target);
  }

  /** Drops the reactions of messages below `cut` (pruned). */
  pruneBefore(cut: number): void {
    this.#sql.exec("DELETE FROM user_reactions WHERE target < ?", cut);
    this.#sql.exec("DELETE FROM reaction_counts WHERE target < ?", cut);
  }

  /** The counts on messages in [from, to]: per target, emojis in the order they were first added. */
  counts(from: number, to: number): ReactionCountRow[] {
    return this.#sql
      .exec<ReactionCountRow>("SELECT target, emoji, count FROM reaction_counts WHERE target >= ? AND target <= ? ORDER BY target, opened", from, to)
      .toArray();
  }

  /** The viewer's own reactions on these messages: one primary-key seek per message. */
  own(viewer: string, targets: readonly number[]): { target: number; emoji: string }[] {
    if (targets.length === 0) return [];
    return this.#sql
      .exec<{ target: number; emoji: string }>(
        "SELECT target, emoji FROM user_reactions WHERE target IN (SELECT value FROM json_each(?2)) AND user_id = ?1",
        viewer, JSON.stringify(targets),
      )
      .toArray();
  }

  /** True when the user's reaction `emoji` is on message `target`. */
  has(target: number, userId: string, emoji: string): boolean {
    return this.#sql.exec("SELECT 1 FROM user_reactions WHERE target = ? AND user_id = ? AND emoji = ?", target, userId, emoji).toArray().length > 0;
  }
}

/** Moves the one-table reactions of an older room (a row per user, its emoji's place kept in each) into the two tables, once. */
function migrateUserRows(sql: SqlStorage): void {
  const old = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'reactions'").toArray();
  if (old.length === 0) return;
  sql.exec(
    `INSERT OR IGNORE INTO reaction_counts (target, emoji, count, opened)
     SELECT target, emoji, COUNT(*), MIN(opened) FROM reactions GROUP BY target, emoji`,
  );
  sql.exec("INSERT OR IGNORE INTO user_reactions (target, user_id, emoji) SELECT target, user_id, emoji FROM reactions");
  sql.exec("DROP TABLE reactions");
}

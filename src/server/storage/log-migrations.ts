/**
 * Logs written by earlier versions of the room, brought to the current shape once, when the room
 * wakes: a version-1 `messages` table, and (before protocol v3) an edit text in every edit's row.
 */

/** The `meta` key set once a log keeps one text per message. */
export const ONE_TEXT_KEY = "edits_keep_one_text";

/** Moves a version-1 `messages` table into the event log once, keeping seqs (and so the epoch). */
export function migrateVersion1(sql: SqlStorage): void {
  const old = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'messages'").toArray();
  if (old.length === 0) return;
  sql.exec(
    `INSERT OR IGNORE INTO events (seq, kind, client_id, user_id, name, ts, text, to_id, to_name, author_id)
     SELECT seq, 0, client_id, user_id, name, ts, text, to_id, to_name, user_id FROM messages`,
  );
  sql.exec("DROP TABLE messages");
}

/**
 * A log from before protocol v3 kept every edit's text. Now a message's text lives in its own row,
 * and an edit's row keeps one only when it is the last edit of a message that was pruned (the
 * text its message was left with). Run once per log; `done` marks it in `meta`.
 */
export function keepOneTextPerMessage(sql: SqlStorage, done: () => void): void {
  sql.exec(
    `UPDATE events SET text = NULL WHERE kind = 1 AND text IS NOT NULL AND (
       target IN (SELECT seq FROM events WHERE kind = 0)
       OR seq NOT IN (SELECT MAX(seq) FROM events WHERE kind = 1 GROUP BY target))`,
  );
  done();
}

/** Version 3: a message's files live in its row (`files`, JSON); a log from before gets the column once. */
export function addFilesColumn(sql: SqlStorage): void {
  const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('events')").toArray();
  if (!columns.some((c) => c.name === "files")) sql.exec("ALTER TABLE events ADD COLUMN files TEXT");
}

/**
 * Closes the Room sent to a shard's sockets (a kick, a ban) and the shard has not yet confirmed,
 * kept in the Room's SQLite (`remote_closes`): the close itself travels in memory, in the
 * downlink's queue, so a Room that restarts before the shard heard of it sends it again from
 * here. An entry goes once the shard reports the socket gone (its close, or a roster without it).
 * Two row writes per socket closed this way, none for any other close.
 */

interface OwedRow extends Record<string, SqlStorageValue> {
  key: string;
  code: number;
  reason: string;
}

/** A close the Room owes one of its shards' connections. */
export interface OwedClose {
  key: string;
  code: number;
  reason: string;
}

const SCHEMA = "CREATE TABLE IF NOT EXISTS remote_closes (key TEXT PRIMARY KEY, code INTEGER NOT NULL, reason TEXT NOT NULL) WITHOUT ROWID";

/** The closes owed, in storage and (by key) in memory. */
export class OwedCloses {
  readonly #sql: SqlStorage;
  readonly #keys = new Set<string>();

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
  }

  /** Every close still owed from before this wake (read once, when the Room wakes). */
  load(): OwedClose[] {
    const rows = this.#sql.exec<OwedRow>("SELECT key, code, reason FROM remote_closes").toArray();
    for (const row of rows) this.#keys.add(row.key);
    return rows.map(({ key, code, reason }) => ({ key, code, reason }));
  }

  /** Records a close sent to connection `key`, in the turn that sends it. */
  owe(key: string, code: number, reason: string): void {
    this.#sql.exec("INSERT OR REPLACE INTO remote_closes (key, code, reason) VALUES (?, ?, ?)", key, code, reason);
    this.#keys.add(key);
  }

  /** The socket is gone: nothing is owed to it any more (no storage touched when nothing was). */
  settle(key: string): void {
    if (!this.#keys.delete(key)) return;
    this.#sql.exec("DELETE FROM remote_closes WHERE key = ?", key);
  }

  /** The connection keys owed a close. */
  keys(): string[] {
    return [...this.#keys];
  }
}

/**
 * The room's records of its files (PROTOCOL.md v3, "Files"; docs/FILES.md), in one table of its
 * SQLite. The bytes live in R2 under `<room>/<id>`; this table is the truth about them: who
 * uploaded a file, its type (read from its bytes), size, name and pixel size, and where it stands:
 *
 *   reserved → stored → attached → erasing → (row gone)
 *        ↘ (an hour unattached) ↗
 *
 * A file is served only while `stored` or `attached`; the state moves to `erasing` in the same
 * transaction as the delete (or the prune) of its message, so its URL answers 404 from that
 * commit on, and the Room then deletes the bytes from R2 and the row after them (retried by the
 * alarm until R2 says done).
 *
 * Row writes (docs/SCALE.md): an upload writes its row twice (reserved, stored) plus one index
 * row; attaching rewrites it and takes it out of the index; an erasure puts it back in the index
 * and deletes both. The one index, partial on the states that are not `attached`, lets the alarm
 * find unattached and erasing files without reading every file the room ever kept.
 */

/** Where a file stands. */
export const FILE_STATE = { reserved: 0, stored: 1, attached: 2, erasing: 3 } as const;

/** A file never attached is removed this long after its upload. */
export const UNATTACHED_TTL_MS = 60 * 60 * 1000;

/** One row of the `files` table. */
export interface FileRow extends Record<string, SqlStorageValue> {
  id: string;
  user_id: string;
  type: string;
  size: number;
  name: string | null;
  width: number | null;
  height: number | null;
  uploaded: number;
  state: number;
  message: number | null;
}

/** A file as a message carries it in its row (the url is added when served: it names the room). */
export interface AttachedFile {
  id: string;
  type: string;
  size: number;
  name?: string;
  width?: number;
  height?: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    name TEXT,
    width INTEGER,
    height INTEGER,
    uploaded INTEGER NOT NULL,
    state INTEGER NOT NULL,
    message INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS files_not_attached ON files (state, uploaded) WHERE state != 2;
`;

/** The `files` table. */
export class FileStore {
  readonly #sql: SqlStorage;
  /** Files named by a `say` that waits for the commit: nobody may attach them meanwhile. */
  readonly #claimed = new Set<string>();
  /** Set when a commit may have moved files to `erasing`: the Room then deletes their bytes. */
  #erasingDue = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    this.#erasingDue = this.#sql.exec("SELECT 1 FROM files WHERE state = 3 LIMIT 1").toArray().length > 0;
  }

  /** Reserves an id for an upload on its way to R2. */
  reserve(id: string, userId: string, type: string, name: string | undefined, now: number): void {
    this.#sql.exec(
      "INSERT INTO files (id, user_id, type, size, name, uploaded, state) VALUES (?, ?, ?, 0, ?, ?, 0)",
      id, userId, type, name ?? null, now,
    );
  }

  /** The bytes of a reserved file are in R2: it may be attached now. Undefined when it was not reserved (or expired). */
  stored(id: string, size: number, width: number, height: number): FileRow | undefined {
    this.#sql.exec("UPDATE files SET size = ?, width = ?, height = ?, state = 1 WHERE id = ? AND state = 0", size, width, height, id);
    const row = this.#row(id);
    return row?.state === FILE_STATE.stored ? row : undefined;
  }

  /** A file that may be served: stored or attached. */
  servable(id: string): FileRow | undefined {
    const row = this.#row(id);
    return row && (row.state === FILE_STATE.stored || row.state === FILE_STATE.attached) ? row : undefined;
  }

  /**
   * The files `userId` may attach, in the order named, or undefined when one of them is not theirs,
   * not stored, attached already, or named by a `say` that waits for the commit.
   */
  attachable(userId: string, ids: readonly string[]): AttachedFile[] | undefined {
    const files: AttachedFile[] = [];
    for (const id of ids) {
      const row = this.#row(id);
      if (!row || row.user_id !== userId || row.state !== FILE_STATE.stored || this.#claimed.has(id)) return undefined;
      files.push(attached(row));
    }
    return files;
  }

  /** A `say` naming these files was queued: they are taken until its commit ends. */
  claim(ids: readonly string[]): void {
    for (const id of ids) this.#claimed.add(id);
  }

  /** A commit ended (stored or failed): claims are settled by the table now. */
  settled(): void {
    this.#claimed.clear();
  }

  /** Attaches files to message `seq` (inside the commit's transaction). */
  attach(seq: number, ids: readonly string[]): void {
    this.#sql.exec(`UPDATE files SET state = 2, message = ? WHERE id IN (SELECT value FROM json_each(?))`, seq, JSON.stringify(ids));
  }

  /** The files of a deleted message go: from this commit on they are not served. */
  eraseIds(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.#sql.exec(`UPDATE files SET state = 3 WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
    this.#erasingDue = true;
  }

  /** Messages below `cut` are pruned by retention: their files go with them (a scan: prune runs rarely). */
  erasePrunedBefore(cut: number): void {
    const changed = this.#sql.exec("UPDATE files SET state = 3 WHERE state = 2 AND message < ?", cut).rowsWritten;
    if (changed > 0) this.#erasingDue = true;
  }

  /** Files reserved or stored and never attached for an hour go. */
  expire(now: number): void {
    const changed = this.#sql.exec("UPDATE files SET state = 3 WHERE state IN (0, 1) AND uploaded <= ?", now - UNATTACHED_TTL_MS).rowsWritten;
    if (changed > 0) this.#erasingDue = true;
  }

  /** When the oldest unattached file expires, or undefined when there is none. */
  nextExpiry(): number | undefined {
    const oldest = this.#sql.exec<{ at: number | null }>("SELECT MIN(uploaded) AS at FROM files WHERE state IN (0, 1)").one().at;
    return oldest === null ? undefined : oldest + UNATTACHED_TTL_MS;
  }

  /** True when files wait for their bytes to be deleted from R2. */
  get erasingDue(): boolean {
    return this.#erasingDue;
  }

  /** Up to `limit` files whose bytes must be deleted. */
  erasing(limit: number): string[] {
    const ids = this.#sql.exec<{ id: string }>("SELECT id FROM files WHERE state = 3 LIMIT ?", limit).toArray().map((r) => r.id);
    if (ids.length === 0) this.#erasingDue = false;
    return ids;
  }

  /** R2 deleted these files' bytes: their rows go. */
  forget(ids: readonly string[]): void {
    this.#sql.exec(`DELETE FROM files WHERE state = 3 AND id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
  }

  #row(id: string): FileRow | undefined {
    return this.#sql.exec<FileRow>("SELECT * FROM files WHERE id = ?", id).toArray()[0];
  }
}

/** A stored row as a message carries it. */
export function attached(row: FileRow): AttachedFile {
  const file: AttachedFile = { id: row.id, type: row.type, size: row.size };
  if (row.name !== null) file.name = row.name;
  if (row.width !== null) file.width = row.width;
  if (row.height !== null) file.height = row.height;
  return file;
}

/**
 * Every user the room has ever seen, in SQLite: the last name they went by, a granted role,
 * whether they ever presented the owner key, and bans and mutes. What is not the default (roles,
 * owners, bans and mutes in force) is read into memory when the room wakes, so checking a frame
 * reads no storage; moderation of a user the room has never seen is `not_found`.
 *
 * Names seen are written later, together (`flush`, run with the next group commit): a hello then
 * writes nothing itself, so its welcome never waits for a commit, and a crowd joining at once
 * costs one commit per batch window, not one each. Anything that reads or changes a user's row
 * flushes first.
 */
import type { User } from "@edge-chat/protocol";
import { jsonChunks } from "./json-rows.ts";

/** What the room remembers of a user. */
export interface UserRecord {
  id: string;
  name: string;
  moderator: boolean;
  /** Ever presented a valid owner key: nobody may kick, mute or ban them. */
  owner: boolean;
  bannedUntil: number;
  mutedUntil: number;
}

interface UserRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  role: number;
  owner: number;
  banned_until: number;
  muted_until: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role INTEGER NOT NULL DEFAULT 0,
    owner INTEGER NOT NULL DEFAULT 0,
    banned_until INTEGER NOT NULL DEFAULT 0,
    muted_until INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
`;

/** The room's users table, with its exceptional rows cached. */
export class Users {
  readonly #sql: SqlStorage;
  /** Users whose record is not the default, by id. */
  readonly #special = new Map<string, UserRecord>();
  /** Names seen and not written yet, by user id. */
  readonly #unsaved = new Map<string, string>();

  constructor(sql: SqlStorage, now: number) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    const rows = sql
      .exec<UserRow>("SELECT * FROM users WHERE role != 0 OR owner != 0 OR banned_until > ?1 OR muted_until > ?1", now)
      .toArray();
    for (const row of rows) this.#special.set(row.id, toRecord(row));
  }

  /** Remembers a user under their current name, to be written with the next `flush`. */
  seen(user: User): void {
    this.#unsaved.set(user.id, user.name);
    const special = this.#special.get(user.id);
    if (special) special.name = user.name;
  }

  /** True when names wait to be written. */
  get dirty(): boolean {
    return this.#unsaved.size > 0;
  }

  /**
   * Writes the names seen since the last flush in one statement per JSON parameter (a row write
   * only for a new user or a new name), since each statement costs far more than each row; a
   * crowd's names split where a parameter would grow too long (`json-rows.ts`).
   */
  flush(): void {
    if (this.#unsaved.size === 0) return;
    for (const rows of jsonChunks([...this.#unsaved])) {
      this.#sql.exec(
        `INSERT INTO users (id, name) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
         ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE name != excluded.name`,
        rows,
      );
    }
    this.#unsaved.clear();
  }

  /** A user the room has seen, or undefined. */
  get(id: string): UserRecord | undefined {
    if (this.#unsaved.has(id)) this.flush();
    const special = this.#special.get(id);
    if (special) return { ...special };
    const row = this.#sql.exec<UserRow>("SELECT * FROM users WHERE id = ?", id).toArray()[0];
    return row && toRecord(row);
  }

  /** True when the user was granted the moderator role. */
  isModerator(id: string): boolean {
    return this.#special.get(id)?.moderator ?? false;
  }

  /** True when the user ever presented a valid owner key. */
  isOwner(id: string): boolean {
    return this.#special.get(id)?.owner ?? false;
  }

  /** When the user's ban ends (ms), or 0. */
  bannedUntil(id: string): number {
    return this.#special.get(id)?.bannedUntil ?? 0;
  }

  /** When the user's mute ends (ms), or 0. */
  mutedUntil(id: string): number {
    return this.#special.get(id)?.mutedUntil ?? 0;
  }

  /** Grants or takes away the moderator role. */
  setModerator(id: string, moderator: boolean): void {
    this.#update(id, { moderator }, "role = ?", Number(moderator));
  }

  /** Marks a user as one who presented the owner key; that lifts their ban and mute. */
  setOwner(id: string): void {
    if (this.isOwner(id) && this.bannedUntil(id) === 0 && this.mutedUntil(id) === 0) return;
    this.#update(id, { owner: true, bannedUntil: 0, mutedUntil: 0 }, "owner = 1, banned_until = 0, muted_until = ?", 0);
  }

  /** Bans a user until `until` (0 lifts it). */
  ban(id: string, until: number): void {
    this.#update(id, { bannedUntil: until }, "banned_until = ?", until);
  }

  /** Mutes a user until `until` (0 lifts it). */
  mute(id: string, until: number): void {
    this.#update(id, { mutedUntil: until }, "muted_until = ?", until);
  }

  #update(id: string, change: Partial<UserRecord>, set: string, value: number): void {
    if (this.#unsaved.has(id)) this.flush();
    this.#sql.exec(`UPDATE users SET ${set} WHERE id = ?`, value, id);
    const record = this.#special.get(id) ?? this.get(id);
    if (!record) return;
    const updated = { ...record, ...change };
    if (updated.moderator || updated.owner || updated.bannedUntil > 0 || updated.mutedUntil > 0) this.#special.set(id, updated);
    else this.#special.delete(id);
  }
}

function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    name: row.name,
    moderator: row.role === 1,
    owner: row.owner === 1,
    bannedUntil: row.banned_until,
    mutedUntil: row.muted_until,
  };
}

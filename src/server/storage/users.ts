/**
 * Every user the room has ever seen, in SQLite: the last name they went by, a granted role,
 * whether they ever presented the owner key (or an owner role claim), whether their signed token
 * last said they are a bot (v3: every user object of theirs then carries `bot: true`, their old
 * messages too), and bans and mutes. What is not the default (roles,
 * owners, bans and mutes in force) is read into memory when the room wakes, so checking a frame
 * reads no storage; moderation of a user the room has never seen is `not_found`.
 *
 * Names seen are written later, together (`flush`, run with the next group commit): a hello then
 * writes nothing itself, so its welcome never waits for a commit, and a crowd joining at once
 * costs one commit per batch window, not one each. Anything that reads or changes a user's row
 * flushes first.
 */
import type { User } from "@edge-chat/protocol";
import { addColumnOnce } from "./columns.ts";
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
  /** Their signed token said `bot: true` when they were last seen. */
  bot: boolean;
}

interface UserRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  role: number;
  owner: number;
  banned_until: number;
  muted_until: number;
  bot: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role INTEGER NOT NULL DEFAULT 0,
    owner INTEGER NOT NULL DEFAULT 0,
    banned_until INTEGER NOT NULL DEFAULT 0,
    muted_until INTEGER NOT NULL DEFAULT 0,
    bot INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
`;

/** The room's users table, with its exceptional rows cached. */
export class Users {
  readonly #sql: SqlStorage;
  /** Users whose record is not the default, by id. */
  readonly #special = new Map<string, UserRecord>();
  /** Names (and bot flags) seen and not written yet, by user id. */
  readonly #unsaved = new Map<string, { name: string; bot: boolean }>();

  constructor(sql: SqlStorage, now: number) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    // Rooms from before protocol v3 have no bot column.
    addColumnOnce(sql, "users", "bot", "INTEGER NOT NULL DEFAULT 0");
    const rows = sql
      .exec<UserRow>("SELECT * FROM users WHERE role != 0 OR owner != 0 OR bot != 0 OR banned_until > ?1 OR muted_until > ?1", now)
      .toArray();
    for (const row of rows) this.#special.set(row.id, toRecord(row));
  }

  /**
   * Remembers a user under their current name, to be written with the next `flush`; `bot` as their
   * signed token says at a hello (kept as it was when not given, as by a rename).
   */
  seen(user: User, bot = this.isBot(user.id)): void {
    this.#unsaved.set(user.id, { name: user.name, bot });
    const special = this.#special.get(user.id);
    if (special) {
      special.name = user.name;
      special.bot = bot;
      if (!isSpecial(special)) this.#special.delete(user.id);
    } else if (bot) {
      this.#special.set(user.id, { id: user.id, name: user.name, moderator: false, owner: false, bannedUntil: 0, mutedUntil: 0, bot });
    }
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
    for (const rows of jsonChunks([...this.#unsaved].map(([id, { name, bot }]) => [id, name, Number(bot)]))) {
      this.#sql.exec(
        `INSERT INTO users (id, name, bot) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, bot = excluded.bot WHERE name != excluded.name OR bot != excluded.bot`,
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

  /** True when the user's signed token said `bot: true` when they were last seen. */
  isBot(id: string): boolean {
    return this.#special.get(id)?.bot ?? false;
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
    if (isSpecial(updated)) this.#special.set(id, updated);
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
    bot: row.bot === 1,
  };
}

/** A record kept in memory: anything but the default. */
function isSpecial(record: UserRecord): boolean {
  return record.moderator || record.owner || record.bot || record.bannedUntil > 0 || record.mutedUntil > 0;
}

/**
 * A room's incoming hooks (PROTOCOL.md v3), in SQLite: id, name, the SHA-256 hash of the secret
 * (never the secret itself) and when it was made. At most 20 rows, read into memory the first time
 * a hook is asked for, so a post reads no storage; no index (the id is the key of a WITHOUT ROWID
 * table), so making a hook is one row write.
 */

/** One hook as the room keeps it. */
export interface HookRecord {
  id: string;
  name: string;
  secretHash: string;
  createdAt: number;
}

interface HookRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  secret_hash: string;
  created_at: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS hooks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/** The room's hooks table, cached in memory once read. */
export class HookStore {
  readonly #sql: SqlStorage;
  #hooks: Map<string, HookRecord> | undefined;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Every hook, oldest first. */
  all(): HookRecord[] {
    return [...this.#read().values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** One hook by id. */
  get(id: string): HookRecord | undefined {
    return this.#read().get(id);
  }

  /** How many hooks the room has. */
  get size(): number {
    return this.#read().size;
  }

  /** Keeps a new hook. */
  add(hook: HookRecord): void {
    const hooks = this.#read();
    this.#sql.exec("INSERT INTO hooks (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)", hook.id, hook.name, hook.secretHash, hook.createdAt);
    hooks.set(hook.id, hook);
  }

  /** Forgets a hook; false when there was none. */
  delete(id: string): boolean {
    const hooks = this.#read();
    if (!hooks.has(id)) return false;
    this.#sql.exec("DELETE FROM hooks WHERE id = ?", id);
    hooks.delete(id);
    return true;
  }

  #read(): Map<string, HookRecord> {
    if (!this.#hooks) {
      this.#sql.exec(SCHEMA);
      const rows = this.#sql.exec<HookRow>("SELECT * FROM hooks").toArray();
      this.#hooks = new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, secretHash: r.secret_hash, createdAt: r.created_at }]));
    }
    return this.#hooks;
  }
}

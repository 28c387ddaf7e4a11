/**
 * Where a client keeps what must outlive it: the anonymous token (so that a restart is the same
 * user) and each room's outbox (actions the room has not answered, sent again after a restart).
 * Any object shaped like the Web Storage API will do, synchronous (`localStorage`) or not (a file,
 * a database); without one, both live in memory for the life of the room object.
 */
import { TOKEN } from "@edge-chat/protocol";
import { newToken } from "./ids.ts";
import { isPendingAction, type PendingAction } from "./pending.ts";

/** A key–value store for the token and the outbox: `localStorage`, or anything with these three methods. */
export interface OutboxStorage {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** The keys used (the page's own from before the package, so a reload after an upgrade keeps both). */
export const STORAGE_KEYS = {
  token: "edge-chat:token",
  outbox: (room: string) => `edge-chat:outbox:${room}`,
} as const;

/** A storage that forgets everything when the process ends. */
export function memoryStorage(): OutboxStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** The token kept in `storage`, made and kept there on first use. */
export async function storedToken(storage: OutboxStorage): Promise<string> {
  const stored = await storage.getItem(STORAGE_KEYS.token);
  if (typeof stored === "string" && TOKEN.test(stored)) return stored;
  const token = newToken();
  await storage.setItem(STORAGE_KEYS.token, token);
  return token;
}

/** The room's actions left unanswered when the last client stopped; anything malformed is dropped. */
export async function storedOutbox(storage: OutboxStorage, room: string): Promise<PendingAction[]> {
  try {
    const parsed: unknown = JSON.parse((await storage.getItem(STORAGE_KEYS.outbox(room))) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isPendingAction) : [];
  } catch {
    return [];
  }
}

/** Writes a room's outbox on every change, in order (an asynchronous store may be slower than the changes). */
export class OutboxWriter {
  readonly #storage: OutboxStorage;
  readonly #key: string;
  #last: Promise<void> = Promise.resolve();

  constructor(storage: OutboxStorage, room: string) {
    this.#storage = storage;
    this.#key = STORAGE_KEYS.outbox(room);
  }

  /** Keeps `pending` (removes the key when it is empty). */
  save(pending: readonly PendingAction[]): void {
    const value = pending.length > 0 ? JSON.stringify(pending) : undefined;
    this.#last = this.#last
      .then(() => (value === undefined ? this.#storage.removeItem(this.#key) : this.#storage.setItem(this.#key, value)))
      // A full or failing store loses only the copy: the actions are still in memory and still sent.
      .catch(() => {});
  }

  /** Settles when every write so far is done. */
  flushed(): Promise<void> {
    return this.#last;
  }
}

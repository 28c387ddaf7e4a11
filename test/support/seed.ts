/** Writing a room's log straight into its SQLite, for tests that need many messages fast. */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { EventLog } from "../../src/server/storage/event-log.ts";
import type { Room } from "../../src/server/objects/room.ts";

/**
 * Stores `count` public messages (`m1`, `m2`, …, client ids `s1`, …) from a user "seed", optionally
 * prunes to the newest `prune`, then evicts the room so its next instance reads the log afresh.
 */
export async function seedMessages(room: string, count: number, prune?: number): Promise<void> {
  const stub = env.ROOMS.getByName(room);
  await runInDurableObject(stub, (_: Room, state) => {
    const log = new EventLog(state.storage.sql);
    const seed = { id: "seed", name: "seed" };
    const start = log.lastSeq;
    const events = Array.from({ length: count }, (_, i) => ({
      seq: start + i + 1,
      kind: "say" as const,
      clientId: `s${start + i + 1}`,
      user: seed,
      ts: Date.now(),
      authorId: seed.id,
      text: `m${start + i + 1}`,
    }));
    state.storage.transactionSync(() => log.append(events));
    if (prune !== undefined) log.prune(prune);
  });
  await evictDurableObject(stub);
}

/** Runs SQL inside a room's object and returns the rows. */
export function roomSql<T extends Record<string, SqlStorageValue>>(room: string, query: string, ...params: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(env.ROOMS.getByName(room), (_: Room, state) => state.storage.sql.exec<T>(query, ...params).toArray());
}

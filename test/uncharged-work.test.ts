/**
 * Issue 19, item 4: work that no bucket charges. A `key` in `hello` that cannot be an owner key is
 * refused before it is hashed; and each socket has a budget of answered errors and duplicates (at
 * least 100 in any 10 s stay answered), past which it is closed with 1008. In the sharded project
 * the sockets that spend the budget sit on shards, where some errors are answered by the shard
 * and some by the Room: one budget counts both.
 */
import { describe, expect, it, vi } from "vitest";
import { connect, join, newToken, workerFetch } from "./support/room-client.ts";

const ADMIN_KEY = "admin-key-of-the-test-deployment";

describe("a key that cannot be an owner key", () => {
  it("(over 256 characters) is refused with forbidden before it is hashed or compared, while owner keys and ADMIN_KEY still work", async () => {
    const created = await workerFetch("/api/rooms", { method: "POST" });
    const { room, ownerKey } = (await created.json()) as { room: string; ownerKey: string };
    const compared = vi.spyOn(crypto.subtle, "timingSafeEqual");
    try {
      const socket = await connect(room);
      // 60 KB: before, it was hashed twice on every hello (the room's key and ADMIN_KEY).
      socket.send({ type: "hello", token: newToken(), key: "k".repeat(60_000) });
      expect((await socket.next("error")).code).toBe("forbidden");
      socket.send({ type: "hello", token: newToken(), key: "k".repeat(257) });
      expect((await socket.next("error")).code).toBe("forbidden");
      expect(compared).not.toHaveBeenCalled();
      // Up to 256 characters a key is compared (as hashes) with the room's and ADMIN_KEY.
      socket.send({ type: "hello", token: newToken(), key: "k".repeat(256) });
      expect((await socket.next("error")).code).toBe("forbidden");
      expect(compared).toHaveBeenCalledTimes(2);
      expect((await socket.hello({ key: ownerKey })).self.role).toBe("owner");
      expect((await join(room, { key: ADMIN_KEY })).welcome.self.role).toBe("owner");
    } finally {
      compared.mockRestore();
    }
  });
});

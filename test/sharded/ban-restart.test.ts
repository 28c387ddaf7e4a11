/**
 * Issue 19, item 9: a ban holds for a socket on a shard even when the Room restarts between the
 * ban and the moment the shard hears of it (the queued close lived only in the Room's memory, and
 * the banned connection's `remote_conns` row brought it back into presence). Runs only sharded
 * (SHARD_CAPACITY=2): ann and bo sit on the Room, cy and di share shard 1, ed has shard 2.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { RoomShard } from "../../src/server/objects/shard.ts";
import type { DownlinkBatch } from "../../src/server/shards/shard-wire.ts";
import { join, roomName, workerFetch } from "../support/room-client.ts";

/** A room with an owner (ann, on the Room) and four more people, three of them on shards. */
async function ownedRoom(label: string) {
  const room = roomName(label);
  const created = await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: room }) });
  const { ownerKey } = (await created.json()) as { ownerKey: string };
  const ann = await join(room, { name: "ann", key: ownerKey });
  const others = [];
  for (const name of ["bo", "cy", "di", "ed"]) others.push(await join(room, { name }));
  const [bo, cy, di, ed] = others;
  return { room, ann, bo: bo!, cy: cy!, di: di!, ed: ed! };
}

describe("a ban and a restart of the Room", () => {
  it("closes the banned socket on its shard even when the Room restarts before the shard heard of the ban", async () => {
    const { room, ann, cy, di } = await ownedRoom("ban-restart");
    // The ban's close never reaches di's shard (lost on its way, or still queued when the Room
    // restarts), and the Room restarts: the calls of the Room's first instance lose their closes.
    const original = RoomShard.prototype.downlink;
    let first: string | undefined;
    const losing = vi.spyOn(RoomShard.prototype, "downlink").mockImplementation(function (this: RoomShard, batch: DownlinkBatch) {
      first ??= batch.instance;
      return original.call(this, batch.instance !== first ? batch : { ...batch, items: batch.items.filter((item) => item.kind !== "close") });
    });
    try {
      ann.socket.send({ type: "ban", user: di.welcome.self.id, ms: 3_600_000 });
      expect((await cy.socket.next("leave")).user.name).toBe("di");
      await evictDurableObject(env.ROOMS.getByName(room));
      // The restarted Room wakes for ann's next message; di shares a shard with cy, who gets it.
      const after = await ann.socket.say("after the ban");
      expect(await cy.socket.next("message", (m) => m.seq === after.seq)).toEqual(after);
      expect((await di.socket.closedWithin()).code).toBe(4403);
      expect(di.socket.pending.filter((f) => f.type === "message" && f.seq === after.seq)).toEqual([]);
    } finally {
      losing.mockRestore();
    }
    const { welcome } = await join(room, { name: "late" });
    expect(welcome.users.map((u) => u.name)).not.toContain("di");
    // cy's shard sends up di's close before cy's next say: then nothing is owed or kept of di.
    await cy.socket.say("after di left");
    const kept = await runInDurableObject(env.ROOMS.getByName(room), (_: unknown, state: DurableObjectState) => ({
      conns: state.storage.sql.exec("SELECT key FROM remote_conns WHERE user_id = ?", di.welcome.self.id).toArray().length,
      owed: state.storage.sql.exec("SELECT key FROM remote_closes").toArray().length,
    }));
    expect(kept).toEqual({ conns: 0, owed: 0 });
  });

  it("closes restored sockets of a user banned while their close was lost, on the Room and on a shard", async () => {
    const { room, ann, bo, ed } = await ownedRoom("ban-restored");
    // As if the Room had stored the ban and restarted before any close went out.
    await runInDurableObject(env.ROOMS.getByName(room), (_: unknown, state: DurableObjectState) => {
      // Written as the ban writes it (the users' rows may not be written yet: names go in batches).
      for (const banned of [bo, ed]) {
        state.storage.sql.exec(
          "INSERT INTO users (id, name, banned_until) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET banned_until = ?3",
          banned.welcome.self.id, banned.welcome.self.name, Date.now() + 3_600_000,
        );
      }
    });
    await evictDurableObject(env.ROOMS.getByName(room));
    const after = await ann.socket.say("after the restart");
    expect((await bo.socket.closedWithin()).code, "bo, on the Room").toBe(4403);
    expect((await ed.socket.closedWithin()).code, "ed, on a shard").toBe(4403);
    for (const banned of [bo, ed]) expect(banned.socket.pending.filter((f) => f.type === "message" && f.seq === after.seq)).toEqual([]);
    const { welcome } = await join(room, { name: "late" });
    expect(welcome.users.map((u) => u.name).sort()).toEqual(["ann", "cy", "di", "late"]);
  });
});

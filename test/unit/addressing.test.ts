/** How a room's objects name each other: shard names and connection keys, read back as written. */
import { describe, expect, it } from "vitest";
import { ROOM_OBJECT, connKey, isRemote, parseShardName, shardName, shardOf } from "../../src/server/shards/addressing.ts";

describe("shard addressing", () => {
  it("reads a shard's room and index back from its name, whatever the room is called", () => {
    for (const room of ["lobby", "a-b_c", "x".repeat(64)]) {
      for (const index of [1, 2, 17]) expect(parseShardName(shardName(room, index))).toEqual({ room, index });
    }
  });

  it("tells from a connection key alone which object holds it, the Room being object 0", () => {
    expect(shardOf(connKey(ROOM_OBJECT, "abc"))).toBe(0);
    expect(isRemote(connKey(ROOM_OBJECT, "abc"))).toBe(false);
    expect(shardOf(connKey(12, "x:y"))).toBe(12);
    expect(isRemote(connKey(12, "x:y"))).toBe(true);
  });
});

/**
 * Every name and header by which the objects of one room find each other (docs/SHARDS.md): the
 * Room is object 0 and keeps the room's own name; shard k is the `RoomShard` named `<room>#k`; a
 * connection key is `<object index>:<random>`, so any object tells where a connection lives from
 * its key alone; and the three headers of placement between the Worker and the Room.
 */

/** The index of the Room's own object among a room's objects (shards are 1, 2, …). */
export const ROOM_OBJECT = 0;

/** On a 307 from the Room: the index of the shard a new socket goes to. */
export const SHARD_HEADER = "x-room-shard";

/** On an upgrade: the Worker follows a 307 to a shard (it sets this; a client's own is dropped). */
export const FOLLOW_HEADER = "x-room-placement";

/** On a 101 from the Room: how many more sockets its own object takes (SHARD_CAPACITY − held). */
export const PLACES_HEADER = "x-room-places";

/** The name of shard `index` of `room`. */
export function shardName(room: string, index: number): string {
  return `${room}#${index}`;
}

/** The room and the index a shard's name holds. */
export function parseShardName(name: string): { room: string; index: number } {
  const hash = name.lastIndexOf("#");
  return { room: name.slice(0, hash), index: Number(name.slice(hash + 1)) };
}

/** A connection key on object `index`; `random` makes it unique there. */
export function connKey(index: number, random: string): string {
  return `${index}:${random}`;
}

/** The index of the object a connection key names. */
export function shardOf(key: string): number {
  return Number(key.slice(0, key.indexOf(":")));
}

/** True when the key names a connection on a shard, not on the Room's own object. */
export function isRemote(key: string): boolean {
  return shardOf(key) !== ROOM_OBJECT;
}

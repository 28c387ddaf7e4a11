/**
 * A room's objects: the Room itself and, once it holds SHARD_CAPACITY sockets, its shards. Tests
 * that reach into sockets or alarms go through these helpers, so they hold for a sharded room too.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { SocketState } from "../../src/server/objects/local-sockets.ts";
import type { Room } from "../../src/server/objects/room.ts";
import { shardName } from "../../src/server/shards/addressing.ts";

/** The Room's stub and every shard's it knows. */
export async function objectsOf(room: string): Promise<DurableObjectStub[]> {
  const stub = env.ROOMS.getByName(room);
  const shards = await runInDurableObject(stub, (instance: Room) => instance.shardIndexes());
  return [stub, ...shards.map((k) => env.ROOM_SHARDS.getByName(shardName(room, k)))];
}

/**
 * Moves every socket's opening time and last frame `ms` into the past in every object of the room,
 * then evicts them so they wake from those attachments, as after hibernating through the silence.
 */
export async function ageSockets(room: string, ms: number): Promise<void> {
  for (const stub of await objectsOf(room)) {
    await runInDurableObject(stub, (_: unknown, state: DurableObjectState) => {
      for (const ws of state.getWebSockets()) {
        const saved = ws.deserializeAttachment() as SocketState;
        ws.serializeAttachment({ ...saved, openedAt: saved.openedAt - ms, lastSeen: saved.lastSeen - ms });
      }
    });
    await evictDurableObject(stub);
  }
}

/** Runs every object's sweep alarm now; returns how many sockets they hold open right after. */
export async function sweepAll(room: string): Promise<number> {
  let open = 0;
  for (const stub of await objectsOf(room)) {
    await runDurableObjectAlarm(stub);
    open += await runInDurableObject(stub, (_: unknown, state: DurableObjectState) =>
      state.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length,
    );
  }
  return open;
}

/** Evicts every object of the room. */
export async function evictAll(room: string): Promise<void> {
  for (const stub of await objectsOf(room)) await evictDurableObject(stub);
}

/**
 * Issue 19, item 7: anonymous reads of rooms nobody uses build nothing. A `GET` of a room's info or
 * messages reaches its Durable Object (only the object knows whether the room is used), but a room
 * that never had a socket, an owner or a message answers from nothing and writes nothing. Locally
 * the runtime makes a SQLite file for every object it starts, written to or not, so what is
 * checked is what the object wrote into it: `sqlite_master` and the database's size.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { join, roomName, workerFetch } from "./support/room-client.ts";

/** The tables and indexes a room's object has created (the runtime's own `_cf_` tables left out). */
async function schemaOf(room: string): Promise<{ names: string[]; size: number }> {
  return runInDurableObject(env.ROOMS.getByName(room), (_: unknown, state: DurableObjectState) => ({
    names: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name")
      .toArray()
      .map((row) => row.name),
    size: state.storage.sql.databaseSize,
  }));
}

describe("a room nobody used", () => {
  it("answers 20 anonymous GETs of its info and messages from nothing, and writes nothing", async () => {
    const rooms = Array.from({ length: 10 }, (_, i) => roomName(`unused-${i}`));
    for (const room of rooms) {
      const info = await workerFetch(`/api/rooms/${room}`);
      expect(info.status).toBe(200);
      expect(await info.json()).toEqual({ room, online: 0, seq: 0, owned: false, settings: { slowMs: 0, locked: false } });
      const page = await workerFetch(`/api/rooms/${room}/messages?limit=10`);
      expect(page.status).toBe(200);
      expect(await page.json()).toEqual({ messages: [], hasMore: false });
    }
    // An empty database is one page; a room's tables take a dozen.
    for (const room of rooms) expect(await schemaOf(room)).toEqual({ names: [], size: 4_096 });
  });

  it("is built by its first socket, with the epoch it keeps from then on", async () => {
    const room = roomName("unused-then-joined");
    await workerFetch(`/api/rooms/${room}`);
    expect((await schemaOf(room)).names).toEqual([]);
    const ann = await join(room, { name: "ann" });
    expect((await schemaOf(room)).names).toContain("events");
    const said = await ann.socket.say("first");
    expect(said.seq).toBe(1);
    const info = (await (await workerFetch(`/api/rooms/${room}`)).json()) as { online: number; seq: number };
    expect(info).toMatchObject({ online: 1, seq: 1 });
    const bo = await join(room, { name: "bo" });
    expect(bo.welcome.epoch).toBe(ann.welcome.epoch);
    expect((await (await workerFetch(`/api/rooms/${room}/messages`)).json()) as unknown).toMatchObject({ messages: [said], hasMore: false });
  });

  it("is built by its owner: a name read before is still free to claim, and claimed once", async () => {
    const room = roomName("unused-then-claimed");
    await workerFetch(`/api/rooms/${room}/messages`);
    const created = await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: room }) });
    expect(created.status).toBe(201);
    expect((await schemaOf(room)).names).toContain("meta");
    const info = (await (await workerFetch(`/api/rooms/${room}`)).json()) as { owned: boolean };
    expect(info.owned).toBe(true);
    expect((await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: room }) })).status).toBe(409);
  });
});

/**
 * A room over several objects (runs only in the `workers-sharded` project, SHARD_CAPACITY=2):
 * placement, one order and privacy across objects, and faults: a shard or the Room evicted
 * mid-conversation, a shard forgotten once empty, a shard that missed events pulling them, and
 * a downlink call that arrives twice delivering once.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { PLACES_HEADER, shardName } from "../../src/server/shards/addressing.ts";
import { RoomShard } from "../../src/server/objects/shard.ts";
import { Channel } from "../../src/server/shards/channel.ts";
import { EventLog } from "../../src/server/storage/event-log.ts";
import type { Room } from "../../src/server/objects/room.ts";
import type { DownlinkBatch } from "../../src/server/shards/shard-wire.ts";
import { evictAll, objectsOf } from "../support/objects.ts";
import type { MessageFrame } from "@edge-chat/protocol";
import { join, messagesOf, newToken, roomName, TestSocket, userOf, workerFetch } from "../support/room-client.ts";

/** How many sockets each object of the room holds. */
async function socketsPerObject(room: string): Promise<number[]> {
  const counts = [];
  for (const stub of await objectsOf(room)) {
    counts.push(await runInDurableObject(stub, (_: unknown, state: DurableObjectState) => state.getWebSockets().length));
  }
  return counts;
}

/** Five people in one room: two on the Room itself, the rest on shards. */
async function spread(label: string) {
  const room = roomName(label);
  const people = [];
  for (const name of ["ann", "bo", "cy", "di", "ed"]) people.push(await join(room, { name }));
  return { room, people };
}

describe("a room over shards", () => {
  it("holds SHARD_CAPACITY sockets per object and puts the rest on shards", async () => {
    const { room } = await spread("placement");
    expect(env.SHARD_CAPACITY).toBe("2");
    const counts = await socketsPerObject(room);
    expect(counts.length).toBeGreaterThanOrEqual(3);
    expect(counts.every((n) => n <= 2)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it("places upgrades that race a filling Room on shards too: none over the capacity, none failed", async () => {
    const room = roomName("race");
    // Four at once into a room this isolate knows nothing of: every one goes through placement.
    const first = await Promise.all(["ann", "bo", "cy", "di"].map((name) => join(room, { name })));
    expect((await socketsPerObject(room)).every((n) => n <= 2)).toBe(true);
    // Known now: the sockets that follow, one by one and at once, never overfill an object either.
    await join(room, { name: "ed" });
    const later = await Promise.all(["flo", "gus", "hal"].map((name) => join(room, { name })));
    const counts = await socketsPerObject(room);
    expect(counts.every((n) => n <= 2)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(8);
    const said = await later[2]!.socket.say("all here?");
    for (const p of [...first, ...later.slice(0, 2)]) expect(await p.socket.next("message", (m) => m.seq === said.seq)).toEqual(said);
  });

  it("takes a direct upgrade that finds the Room full (another isolate's) on the Room, and serves it", async () => {
    const { room, people } = await spread("direct-full");
    // What a Worker isolate that counted places the others took sends: no placement header.
    const answer = await env.ROOMS.getByName(room).fetch(new Request("https://chat.test/ws", { headers: { Upgrade: "websocket" } }));
    expect(answer.status).toBe(101);
    expect(answer.headers.get(PLACES_HEADER)).toBe("0");
    const late = new TestSocket(answer.webSocket!);
    await late.hello({ name: "late" });
    expect((await socketsPerObject(room))[0]).toBe(3);
    const said = await people[4]!.socket.say("hello late");
    expect(await late.next("message", (m) => m.seq === said.seq)).toEqual(said);
  });

  it("drops a client's own placement header: its upgrade is served, never answered with a bare 307", async () => {
    const room = roomName("own-header");
    await join(room, { name: "ann" }); // this isolate now counts one free place
    // Another isolate takes that place, so this one's count is one too many.
    const other = await env.ROOMS.getByName(room).fetch(new Request("https://chat.test/ws", { headers: { Upgrade: "websocket" } }));
    await new TestSocket(other.webSocket!).hello({ name: "bo" });
    const answer = await workerFetch(`/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket", "x-room-placement": "follow" } });
    expect(answer.status).toBe(101);
    const cy = new TestSocket(answer.webSocket!);
    expect((await cy.hello({ name: "cy" })).self.name).toBe("cy");
  });

  it("answers ping on a shard's socket without waking the shard or running its code", async () => {
    const { room, people } = await spread("shard-ping");
    const onShard = people[4]!.socket;
    const shards = (await objectsOf(room)).slice(1);
    const handled = vi.spyOn(RoomShard.prototype, "webSocketMessage");
    try {
      for (const shard of shards) await evictDurableObject(shard);
      onShard.send("ping");
      await onShard.pong();
      expect(handled).not.toHaveBeenCalled();
      // The spy does see a shard's code run: a frame that is not a ping reaches it.
      await onShard.say("awake now");
      expect(handled).toHaveBeenCalledTimes(1);
    } finally {
      handled.mockRestore();
    }
  });

  it("puts new sockets on the Room itself again once it has places", async () => {
    const { room, people } = await spread("refill");
    for (const p of people.slice(0, 2)) await p.socket.close();
    // The Room hears its own closes; a say through a shard's socket orders after them.
    await people[2]!.socket.say("after the closes");
    expect((await socketsPerObject(room))[0]).toBe(0);
    await join(room, { name: "gus" });
    expect((await socketsPerObject(room))[0]).toBe(1);
  });

  it("gives everyone the same order and the same presence, whichever object holds them", async () => {
    const { people } = await spread("order");
    for (let i = 0; i < 5; i++) for (const [k, p] of people.entries()) p.socket.send({ type: "say", id: `m${k}-${i}`, text: `m${k}-${i}` });
    const views = await Promise.all(
      people.map(async (p) => {
        const seqs = [];
        for (let i = 0; i < 25; i++) seqs.push((await p.socket.next("message")).seq);
        return seqs;
      }),
    );
    expect(views[0]).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    for (const view of views) expect(view).toEqual(views[0]);
    const ids = people.map((p) => p.welcome.self.id).sort();
    expect(people.at(-1)!.welcome.users.map((u) => u.id).sort()).toEqual(ids);
  });

  it("keeps a private message between two people on different shards between them", async () => {
    const { people } = await spread("private");
    const [ann, bo, cy, di, ed] = people;
    const secret = await ann!.socket.say("only for ed", { to: ed!.welcome.self.id });
    expect(await ed!.socket.next("message", (m) => m.seq === secret.seq)).toEqual(secret);
    const open = await ann!.socket.say("for all");
    for (const p of [bo!, cy!, di!]) {
      const { before } = await p.socket.through("message", (m) => m.seq === open.seq);
      expect(before.filter((f) => f.type === "message")).toEqual([]);
    }
  });

  it("loses nothing when a shard is evicted mid-conversation", async () => {
    const { room, people } = await spread("evict-shard");
    const [ann, , , , ed] = people;
    await ann!.socket.say("before");
    await ed!.socket.next("message", (m) => m.text === "before");
    for (const stub of (await objectsOf(room)).slice(1)) await evictDurableObject(stub);
    const after = await ed!.socket.say("from a woken shard");
    expect(await ann!.socket.next("message", (m) => m.seq === after.seq)).toEqual(after);
    await ed!.socket.close();
    expect((await ann!.socket.next("leave")).user).toEqual(userOf(ed!.welcome));
  });

  it("loses nothing when the Room is evicted mid-conversation, and presence comes back", async () => {
    const { room, people } = await spread("evict-room");
    const [ann, bo, , di, ed] = people;
    await ed!.socket.say("one");
    await evictDurableObject(env.ROOMS.getByName(room));
    const two = await di!.socket.say("two");
    expect(two.seq).toBe(2);
    expect(await bo!.socket.next("message", (m) => m.seq === 2)).toEqual(two);
    const { welcome } = await join(room, { name: "late" });
    expect(welcome.online).toBe(6);
    expect(welcome.users.map((u) => u.name).sort()).toEqual(["ann", "bo", "cy", "di", "ed", "late"]);
    await evictAll(room);
    const three = await ann!.socket.say("three");
    expect(await ed!.socket.next("message", (m) => m.seq === 3)).toEqual(three);
  });

  it("forgets a shard once its last socket is gone", async () => {
    const { room, people } = await spread("forget");
    expect((await objectsOf(room)).length).toBeGreaterThan(1);
    for (const p of people.slice(2)) await p.socket.close();
    // The closes reach the Room by the shards' calls; a barrier through the Room shows them done.
    const deadline = Date.now() + 5_000;
    let shards = await runInDurableObject(env.ROOMS.getByName(room), (r: Room) => r.shardIndexes());
    while (shards.length > 0 && Date.now() < deadline) {
      await people[0]!.socket.say("barrier");
      shards = await runInDurableObject(env.ROOMS.getByName(room), (r: Room) => r.shardIndexes());
    }
    expect(shards).toEqual([]);
  });

  it("lets a shard that missed stored events pull them before anything else, once", async () => {
    const { room, people } = await spread("catch-up");
    const ed = people[4]!;
    const seen = await people[0]!.socket.say("seen by all");
    await ed.socket.next("message", (m) => m.seq === seen.seq);
    // Two events stored while the shard heard nothing of them (as when the Room lost its queue).
    await runInDurableObject(env.ROOMS.getByName(room), (_: Room, state) => {
      const log = new EventLog(state.storage.sql);
      const user = { id: "ghost", name: "ghost" };
      state.storage.transactionSync(() =>
        log.append([2, 3].map((seq) => ({ seq, kind: "say" as const, clientId: `g${seq}`, user, ts: 1, authorId: "ghost", text: `missed ${seq}` }))),
      );
    });
    // The Room reads its log afresh (its next seq is 4); it has sent the shard nothing yet.
    await evictDurableObject(env.ROOMS.getByName(room));
    const last = (await runInDurableObject(env.ROOMS.getByName(room), (r: Room) => r.shardIndexes())).at(-1)!;
    const shard = env.ROOM_SHARDS.getByName(shardName(room, last));
    await shard.downlink({ instance: "test", from: 3, through: 3, items: [] });
    expect((await ed.socket.next("message", (m) => m.seq === 2)).text).toBe("missed 2");
    expect((await ed.socket.next("message", (m) => m.seq === 3)).text).toBe("missed 3");
    // The same call again, and a stored event it already sent: nothing twice.
    await shard.downlink({ instance: "test", from: 3, through: 3, items: [] });
    const text = JSON.stringify({ type: "message", seq: 3, id: "g3", from: { id: "ghost", name: "ghost" }, text: "missed 3", ts: 1 });
    const twice: DownlinkBatch = { instance: "test", from: 3, through: 3, items: [{ id: 1, kind: "frame", audience: { to: "all" }, text, seq: 3 }] };
    await shard.downlink(twice);
    await shard.downlink(twice);
    // A frame that is no stored event is recognised by its item number alone.
    const notice = JSON.stringify({ type: "occupancy", online: 42 });
    const again: DownlinkBatch = { instance: "test", from: 3, through: 3, items: [{ id: 2, kind: "frame", audience: { to: "all" }, text: notice }] };
    await shard.downlink(again);
    await shard.downlink(again);
    const next = await people[0]!.socket.say("after");
    const { before } = await ed.socket.through("message", (m) => m.seq === next.seq);
    expect(before.filter((f) => f.type === "message")).toEqual([]);
    expect(before.filter((f) => f.type === "occupancy")).toEqual([{ type: "occupancy", online: 42 }]);
  });
});

describe("a shard past the bound of its channel", () => {
  it("is given up: its people leave at once, and its sockets close with 1013 when it answers again, then resume", async () => {
    const room = roomName("given-up");
    const tokens = new Map<string, string>();
    const people = [];
    for (const name of ["ann", "bo", "cy", "di", "ed"]) {
      tokens.set(name, newToken());
      people.push(await join(room, { name, token: tokens.get(name)! }));
    }
    const [ann, bo, cy, di, ed] = people;
    // The shards stop answering, and the frame that follows is one too many for their channels.
    const answering = vi.spyOn(RoomShard.prototype, "downlink").mockRejectedValue(new Error("unreachable"));
    const original = Channel.prototype.push;
    const bound = vi.spyOn(Channel.prototype, "push").mockImplementation(function (this: Channel<unknown, unknown>, item, weight) {
      const text = (item as { kind?: string; text?: string }).text;
      return text?.includes("one too many") ? false : original.call(this, item, weight);
    });
    let said: MessageFrame | undefined;
    try {
      said = await ann!.socket.say("one too many");
      // Everyone else sees them leave at once: presence stays true while their shards are away.
      const left = new Set<string>();
      for (let i = 0; i < 3; i++) left.add((await bo!.socket.next("leave")).user.name);
      expect(left).toEqual(new Set(["cy", "di", "ed"]));
    } finally {
      bound.mockRestore();
      answering.mockRestore();
    }
    // Answering again, each shard first closes its sockets, which resume without a gap.
    for (const p of [cy!, di!, ed!]) expect((await p.socket.closedWithin()).code).toBe(1013);
    const back = await join(room, { name: "cy", since: cy!.welcome.seq, epoch: cy!.welcome.epoch, token: tokens.get("cy")! });
    expect(back.welcome.resumed).toBe(true);
    expect(messagesOf(back.welcome).map((m) => m.seq)).toEqual([said!.seq]);
    const after = await back.socket.say("back again");
    expect(await ann!.socket.next("message", (m) => m.seq === after.seq)).toEqual(after);
  });
});

describe("a shard's roster", () => {
  it("heals a close the Room never heard of: a connection missing from the roster leaves", async () => {
    const { room, people } = await spread("roster");
    const ed = people[4]!;
    const last = (await runInDurableObject(env.ROOMS.getByName(room), (r: Room) => r.shardIndexes())).at(-1)!;
    const shard = env.ROOM_SHARDS.getByName(shardName(room, last));
    const keys = await runInDurableObject(shard, (_: unknown, state: DurableObjectState) =>
      state.getWebSockets().map((ws) => ws.deserializeAttachment() as { key: string; conn?: { user: string } }),
    );
    // As if the shard had lost ed's close with its queue: its roster no longer holds ed.
    const others = keys.filter((k) => k.conn?.user !== ed.welcome.self.id).map((k) => k.key);
    await env.ROOMS.getByName(room).uplink({ shard: last, instance: "roster-test", n: 1, open: others.length, items: [], roster: others });
    expect((await people[0]!.socket.next("leave")).user).toEqual(userOf(ed.welcome));
    const { welcome } = await join(room, { name: "late" });
    expect(welcome.users.map((u) => u.name)).not.toContain("ed");
  });
});

describe("the stats of a room's objects", () => {
  it("count each object's frames, sends and calls, for the admin key only", async () => {
    const { room, people } = await spread("stats");
    await people[4]!.socket.say("counted");
    await Promise.all(people.slice(0, 4).map((p) => p.socket.next("message", (m) => m.text === "counted")));
    expect((await workerFetch(`/api/rooms/${room}/stats`)).status).toBe(403);
    const wrong = await workerFetch(`/api/rooms/${room}/stats`, { headers: { Authorization: "Bearer nope" } });
    expect(wrong.status).toBe(403);
    const answer = await workerFetch(`/api/rooms/${room}/stats`, { headers: { Authorization: "Bearer admin-key-of-the-test-deployment" } });
    const { objects } = (await answer.json()) as { objects: { name: string; sockets: number; framesIn: number; sends: number; callsIn: number; events: number }[] };
    expect(objects[0]).toMatchObject({ name: room, sockets: 2, events: 1 });
    expect(objects.slice(1).map((o) => o.name)).toEqual(objects.slice(1).map((_, i) => `${room}#${i + 1}`));
    expect(objects.reduce((n, o) => n + o.sockets, 0)).toBe(5);
    // Five hellos and one say arrived somewhere; the Room took the shards' calls.
    expect(objects.reduce((n, o) => n + o.framesIn, 0)).toBeGreaterThanOrEqual(6);
    expect(objects[0]!.callsIn).toBeGreaterThan(0);
    expect(objects.every((o) => o.sends > 0)).toBe(true);
  });
});

/**
 * Hibernation is tested, not hoped for: the room is evicted in the middle of a conversation (its
 * instance torn down, its sockets hibernated), and everything must go on from SQLite and the
 * sockets' attachments alone.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { join, newToken, roomName, messagesOf, userOf } from "./support/room-client.ts";

describe("the closing handshake", () => {
  // The runtime's web_socket_auto_reply_to_close covers sockets accepted with accept(), not the
  // Hibernation API's acceptWebSocket(): without the room's own reply these closes never complete.
  it("is completed by the room with the client's own code, awake and after an eviction", async () => {
    const room = roomName("close-reply");
    const { socket: awake } = await join(room, { name: "awake" });
    const { socket: evicted } = await join(room, { name: "evicted" });
    awake.ws.close(4001, "bye");
    expect((await awake.closedWithin(5_000)).code).toBe(4001);
    await evictDurableObject(env.ROOMS.getByName(room));
    evicted.ws.close(4002, "bye");
    expect((await evicted.closedWithin(5_000)).code).toBe(4002);
  });

  it("is answered with 1000 when the client's close carried no code (1005 may never be sent)", async () => {
    const { socket } = await join(roomName("close-no-code"), { name: "quiet" });
    socket.ws.close();
    expect((await socket.closedWithin(5_000)).code).toBe(1000);
  });
});

describe("a room stored by protocol version 1", () => {
  it("moves its messages table into the event log once, keeping seqs and the epoch", async () => {
    const room = roomName("v1-upgrade");
    const stub = env.ROOMS.getByName(room);
    await runInDurableObject(stub, (_: unknown, state: DurableObjectState) => {
      const sql = state.storage.sql;
      // A room no one used has no tables (unused-rooms.test.ts): this one gets version 1's.
      sql.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      sql.exec(`CREATE TABLE messages (seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL,
        text TEXT NOT NULL, ts INTEGER NOT NULL, to_id TEXT, to_name TEXT)`);
      sql.exec("INSERT INTO meta (key, value) VALUES ('epoch', 'epoch-from-v1')");
      sql.exec("INSERT INTO messages VALUES (1, 'a', 'u1', 'ann', 'hello from v1', 1, NULL, NULL)");
      sql.exec("INSERT INTO messages VALUES (2, 'b', 'u1', 'ann', 'psst', 2, 'u2', 'bo')");
    });
    await evictDurableObject(stub);
    const { socket, welcome } = await join(room, { name: "reader", since: 0, epoch: "epoch-from-v1" });
    expect(welcome.epoch).toBe("epoch-from-v1");
    expect(welcome.resumed).toBe(true);
    expect(messagesOf(welcome).map((m) => [m.seq, m.text])).toEqual([[1, "hello from v1"]]);
    expect((await socket.say("and v2")).seq).toBe(3);
  });
});

describe("a room evicted mid-conversation", () => {
  it("keeps the same sockets talking, with seq going on and presence still right", async () => {
    const room = roomName("evict");
    const stub = env.ROOMS.getByName(room);
    const carolToken = newToken();
    const { socket: alice, welcome: a } = await join(room, { name: "alice" });
    const { socket: bob, welcome: b } = await join(room, { name: "bob" });
    const { socket: carol1, welcome: c } = await join(room, { name: "carol", token: carolToken });
    const { socket: carol2 } = await join(room, { token: carolToken });
    await alice.say("before 1");
    await bob.say("before 2");

    await evictDurableObject(stub);

    const after = await alice.say("after eviction");
    expect(after.seq).toBe(3);
    expect(await bob.next("message", (m) => m.seq === 3)).toEqual(after);
    expect(await carol2.next("message", (m) => m.seq === 3)).toEqual(after);

    // A newcomer sees exactly who is online, carol once despite two sockets.
    const { socket: dave, welcome: d } = await join(room, { name: "alice" });
    expect(d.self.name).toBe("alice-2");
    expect(new Set(d.users.map((u) => u.id))).toEqual(new Set([a.self.id, b.self.id, c.self.id, d.self.id]));
    expect(d.users).toHaveLength(4);
    expect(messagesOf(d).map((m) => m.text)).toEqual(["before 1", "before 2", "after eviction"]);

    // Leaving still works from rebuilt presence: one of carol's tabs is not a leave, bob is.
    await carol1.close();
    await bob.close();
    expect((await dave.next("leave")).user).toEqual(userOf(b));
    await carol2.say("carol is still here");
    await dave.next("message", (m) => m.text === "carol is still here");
    expect(dave.pending.filter((f) => f.type === "leave")).toEqual([]);
  });

  it("announces the leave of a socket whose close is the first thing the evicted room hears", async () => {
    const room = roomName("evict-close-first");
    const stub = env.ROOMS.getByName(room);
    const { socket: alice, welcome: a } = await join(room, { name: "alice" });
    const { socket: bob, welcome: b } = await join(room, { name: "bob" });
    await evictDurableObject(stub);
    // The close wakes the room: its sockets are rebuilt while bob's is already closing.
    await bob.close();
    expect(await alice.next("leave")).toMatchObject({ user: userOf(b) });
    // Presence, welcome.users and online agree that bob is gone.
    const { welcome: c } = await join(room, { name: "carol" });
    expect(c.users.map((u) => u.id).sort()).toEqual([a.self.id, c.self.id].sort());
    expect((await join(room, { name: "bob" })).welcome.self.name).toBe("bob");
  });

  it("survives two evictions in a row with renames in between", async () => {
    const room = roomName("evict-twice");
    const stub = env.ROOMS.getByName(room);
    const { socket: alice, welcome } = await join(room, { name: "alice" });
    const { socket: bob } = await join(room, { name: "bob" });
    await evictDurableObject(stub);
    alice.send({ type: "rename", name: "alicia" });
    expect((await bob.next("rename")).user).toEqual({ id: welcome.self.id, name: "alicia" });
    await evictDurableObject(stub);
    const message = await alice.say("renamed and evicted");
    expect(message.from).toEqual({ id: welcome.self.id, name: "alicia" });
    bob.send({ type: "history" });
    expect((await bob.next("history")).messages).toEqual([message]);
  });

  it("keeps a flooder's empty bucket across the eviction", async () => {
    const room = roomName("evict-bucket");
    const stub = env.ROOMS.getByName(room);
    const { socket } = await join(room, { name: "flooder" });
    for (let i = 0; i < 20; i++) socket.send({ type: "say", id: `m${i}`, text: `m${i}` });
    for (let i = 0; i < 20; i++) await socket.next("message", (m) => m.id === `m${i}`);
    await evictDurableObject(stub);
    socket.send({ type: "say", id: "after", text: "after" });
    expect(await socket.next("error")).toMatchObject({ code: "rate_limited", ref: "after" });
  });

  it("keeps the sweep armed while sockets are open, and lets live sockets be", async () => {
    const room = roomName("evict-alarm");
    const stub = env.ROOMS.getByName(room);
    const { socket } = await join(room, { name: "alice" });
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await socket.say("not swept")).seq).toBe(1);
  });

  it("resumes a reconnecting client across the eviction without a gap", async () => {
    const room = roomName("evict-resume");
    const stub = env.ROOMS.getByName(room);
    const token = newToken();
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob, welcome } = await join(room, { name: "bob", token });
    await alice.say("one");
    const seen = (await bob.next("message")).seq;
    await bob.close();
    await alice.say("two");
    await evictDurableObject(stub);
    await alice.say("three");
    const { welcome: back } = await join(room, { token, since: seen, epoch: welcome.epoch });
    expect(back.epoch).toBe(welcome.epoch);
    expect(back.resumed).toBe(true);
    expect(messagesOf(back).map((m) => m.text)).toEqual(["two", "three"]);
  });
});

/**
 * PROTOCOL.md "What a room guarantees", one block per guarantee, each test named after it and
 * run against a live Room in workerd through the real Worker.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { Room } from "../src/server/objects/room.ts";
import { RoomCore } from "../src/server/core/room-core.ts";
import { TestSocket, connect, join, newToken, roomName, workerFetch, messagesOf, userOf } from "./support/room-client.ts";
import { evictAll } from "./support/objects.ts";
import { seedMessages } from "./support/seed.ts";

/** Writes messages straight into a room's SQLite, then evicts it (as after a restart). */
const seed = seedMessages;

/** Sends `count` says from `socket` and waits for each echo: that many tokens spent. */
async function drain(socket: TestSocket, count: number): Promise<void> {
  for (let i = 0; i < count; i++) socket.send({ type: "say", id: `drain-${i}`, text: `drain ${i}` });
  for (let i = 0; i < count; i++) await socket.next("message", (m) => m.id === `drain-${i}`);
}

/** How many messages the room's SQLite holds. */
function storedCount(room: string): Promise<number> {
  return runInDurableObject(env.ROOMS.getByName(room), (_: Room, state) =>
    state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE kind = 0").one().n,
  );
}

describe("1. One order", () => {
  it("gives every message the next seq of its room, and every client sees the same order", async () => {
    const room = roomName("order");
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob } = await join(room, { name: "bob" });
    const { socket: carol } = await join(room, { name: "carol" });
    // Interleave senders without waiting, so the room alone decides the order.
    for (let i = 0; i < 10; i++) {
      alice.send({ type: "say", id: `a${i}`, text: `a${i}` });
      bob.send({ type: "say", id: `b${i}`, text: `b${i}` });
    }
    const views = await Promise.all(
      [alice, bob, carol].map(async (s) => {
        const seen = [];
        for (let i = 0; i < 20; i++) seen.push(await s.next("message"));
        return seen.map((m) => `${m.seq}:${m.text}`);
      }),
    );
    expect(views[0]!.map((v) => Number(v.split(":")[0]))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
    // One socket's says keep their sending order.
    const aliceOrder = views[0]!.filter((v) => v.includes(":a")).map((v) => v.split(":")[1]);
    expect(aliceOrder).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
  });

  it("gives private messages seqs too, so others see a gap exactly where one stands", async () => {
    const room = roomName("order-gap");
    const { socket: alice } = await join(room, { name: "alice" });
    const { welcome: bobWelcome } = await join(room, { name: "bob" });
    const { socket: carol } = await join(room, { name: "carol" });
    await alice.say("one");
    await alice.say("psst", { to: bobWelcome.self.id });
    await alice.say("three");
    const seen = [(await carol.next("message")).seq, (await carol.next("message")).seq];
    expect(seen).toEqual([1, 3]);
  });
});

describe("batches", () => {
  it("packs frames due at once into batches that never nest, in seq order", async () => {
    const room = roomName("batches");
    const senders = await Promise.all(["a", "b", "c"].map(async (name) => (await join(room, { name })).socket));
    const { socket: observer } = await join(room, { name: "observer" });
    for (let i = 0; i < 20; i++) for (const [k, s] of senders.entries()) s.send({ type: "say", id: `m${k}-${i}`, text: `m${k}-${i}` });
    const seqs: number[] = [];
    for (let i = 0; i < 60; i++) seqs.push((await observer.next("message")).seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const batches = observer.texts.map((t) => (t === "pong" ? null : (JSON.parse(t) as { type: string; frames?: { type: string }[] })));
    const packed = batches.filter((f) => f?.type === "batch");
    // The load is enough to make the room pack (else this test would prove nothing).
    expect(packed.length).toBeGreaterThan(0);
    for (const batch of packed) expect(batch!.frames!.every((f) => f.type !== "batch")).toBe(true);
  });
});

describe("2. Durable", () => {
  it("stores a message before anyone receives it", async () => {
    const room = roomName("durable-first");
    const stub = env.ROOMS.getByName(room);
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob } = await join(room, { name: "bob" });
    // The row is read at the very moment the room hands the message to a socket of its own (both
    // sockets are the Room's, sharded too): a room that sent first would find nothing there.
    const sql = await runInDurableObject(stub, (_: Room, state) => state.storage.sql);
    const atSend: (string | null)[] = [];
    const original = WebSocket.prototype.send;
    const send = vi.spyOn(WebSocket.prototype, "send").mockImplementation(function (this: WebSocket, data) {
      if (typeof data === "string" && data.includes('"type":"message"') && data.includes('"kept"')) {
        atSend.push(sql.exec<{ text: string }>("SELECT text FROM events WHERE client_id = 'm1'").toArray()[0]?.text ?? null);
      }
      return original.call(this, data);
    });
    try {
      alice.send({ type: "say", id: "m1", text: "kept" });
      await bob.next("message");
      await alice.next("message");
    } finally {
      send.mockRestore();
    }
    expect(atSend).toEqual(["kept", "kept"]);
  });

  it("answers a frame whose handling throws with internal and its ref, no stack, and keeps serving", async () => {
    const room = roomName("handler-throws");
    const { socket: alice } = await join(room, { name: "alice" });
    const original = RoomCore.prototype.receive;
    const broken = vi.spyOn(RoomCore.prototype, "receive").mockImplementation(function (this: RoomCore, key, decoded) {
      if (decoded.ok && decoded.frame.type === "say") throw new Error("boom at /src/server/room-core.ts:1:1");
      return original.call(this, key, decoded);
    });
    try {
      alice.send({ type: "say", id: "thrown", text: "handled badly" });
      const error = await alice.next("error");
      // Exactly the protocol's fields (the test client also flags any extra one), nothing of the throw.
      expect(Object.keys(error).sort()).toEqual(["code", "message", "ref", "type"]);
      expect(error).toMatchObject({ code: "internal", ref: "thrown" });
      expect(error.message).not.toMatch(/boom|\.ts:|\bat \//);
    } finally {
      broken.mockRestore();
    }
    expect((await alice.say("served again")).text).toBe("served again");
    expect(alice.violations).toEqual([]);
  });

  it("sends a message to nobody when storing it fails, and answers its sender with internal and ref", async () => {
    const room = roomName("durable-write-fails");
    const stub = env.ROOMS.getByName(room);
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob } = await join(room, { name: "bob" });
    // Every INSERT into the log fails from now on, as a full disk would.
    await runInDurableObject(stub, (_: Room, state) => {
      state.storage.sql.exec("CREATE TRIGGER fail_writes BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    });
    alice.send({ type: "say", id: "lost", text: "never stored" });
    const error = await alice.next("error");
    expect(error).toMatchObject({ code: "internal", ref: "lost" });
    expect(JSON.stringify(error)).not.toContain("disk full");
    await runInDurableObject(stub, (_: Room, state) => {
      state.storage.sql.exec("DROP TRIGGER fail_writes");
    });
    // The next message takes seq 1: the failed one neither reached bob nor spent a seq.
    const next = await alice.say("stored");
    expect(next.seq).toBe(1);
    const { before } = await bob.through("message", (m) => m.id === next.id);
    expect(before.filter((f) => f.type === "message")).toEqual([]);
    expect(alice.pending.filter((f) => f.type === "message")).toEqual([]);
  });

  it("keeps messages across a restart of the room, with the same epoch and seqs going on", async () => {
    const room = roomName("durable-restart");
    const stub = env.ROOMS.getByName(room);
    const { socket: alice, welcome } = await join(room, { name: "alice" });
    await alice.say("before");
    await alice.close();
    // The instance is torn down: whatever comes next is read back from SQLite alone.
    await evictDurableObject(stub);
    const { socket: again, welcome: back } = await join(room, { name: "alice" });
    expect(back.epoch).toBe(welcome.epoch);
    expect(back.seq).toBe(1);
    expect(messagesOf(back).map((m) => m.text)).toEqual(["before"]);
    expect((await again.say("after")).seq).toBe(2);
  });

  it("changes the epoch only when the log is wiped, and then refuses to resume", async () => {
    const room = roomName("durable-wiped");
    const stub = env.ROOMS.getByName(room);
    const token = newToken();
    const { socket, welcome } = await join(room, { name: "alice", token });
    await socket.say("gone soon");
    await socket.close();
    await evictDurableObject(stub);
    expect((await join(room, { token })).welcome.epoch).toBe(welcome.epoch);
    await runInDurableObject(stub, (_: Room, state) => state.storage.deleteAll());
    await evictDurableObject(stub);
    const { welcome: fresh } = await join(room, { token, since: 1, epoch: welcome.epoch });
    expect(fresh.epoch).not.toBe(welcome.epoch);
    expect(fresh.resumed).toBe(false);
    expect(fresh.seq).toBe(0);
  });

  it("keeps at least the last 10,000 messages when pruning", async () => {
    const room = roomName("durable-retention");
    const { socket } = await join(room, { name: "alice" });
    await seed(room, 10_050);
    // The sweep alarm prunes; it is armed while a socket is open.
    expect(await runDurableObjectAlarm(env.ROOMS.getByName(room))).toBe(true);
    expect(await storedCount(room)).toBe(10_000);
    const oldest = (await (await workerFetch(`/api/rooms/${room}/messages?before=52&limit=100`)).json()) as {
      messages: { seq: number }[];
      hasMore: boolean;
    };
    expect(oldest.messages.map((m) => m.seq)).toEqual([51]);
    expect(oldest.hasMore).toBe(false);
    expect((await socket.say("still going")).seq).toBe(10_051);
  });
});

describe("3. Exactly once per client id", () => {
  it("answers a resent say with the stored message, to the resending socket only", async () => {
    const room = roomName("once");
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob } = await join(room, { name: "bob" });
    const original = await alice.say("hello", { id: "same-id" });
    await bob.next("message", (m) => m.id === "same-id");

    alice.send({ type: "say", id: "same-id", text: "hello again" });
    expect(await alice.next("message", (m) => m.id === "same-id")).toEqual(original);
    // A later message reaching bob first proves the duplicate was never sent to him.
    await alice.say("barrier");
    await bob.next("message", (m) => m.text === "barrier");
    expect(bob.pending.filter((f) => f.type === "message")).toEqual([]);
    expect(await storedCount(room)).toBe(2);
  });

  it("dedupes per user: the same client id from another user is a new message", async () => {
    const room = roomName("once-per-user");
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob, welcome } = await join(room, { name: "bob" });
    const a = await alice.say("from alice", { id: "m1" });
    bob.send({ type: "say", id: "m1", text: "from bob" });
    const b = await bob.next("message", (m) => m.from.id === welcome.self.id);
    expect(b).toMatchObject({ seq: a.seq + 1, id: "m1", text: "from bob" });
  });

  it("answers a duplicate from another socket of the same user, after a reconnect", async () => {
    const room = roomName("once-reconnect");
    const token = newToken();
    const { socket: first } = await join(room, { token });
    const original = await first.say("sent once", { id: "outbox-1" });
    await first.close();
    const { socket: second } = await join(room, { token });
    second.send({ type: "say", id: "outbox-1", text: "sent once" });
    expect(await second.next("message", (m) => m.id === "outbox-1")).toEqual(original);
    expect(await storedCount(room)).toBe(1);
  });
  it("answers a resent private say with the stored message even after its recipient left", async () => {
    const room = roomName("once-private");
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob, welcome: bobWelcome } = await join(room, { name: "bob" });
    const original = await alice.say("psst", { id: "p1", to: bobWelcome.self.id });
    await bob.close();
    await alice.next("leave");
    // The duplicate check comes before the recipient check: no unknown_user for a stored say.
    alice.send({ type: "say", id: "p1", text: "psst", to: bobWelcome.self.id });
    expect(await alice.next("message", (m) => m.id === "p1")).toEqual(original);
    expect(alice.pending.filter((f) => f.type === "error")).toEqual([]);
  });
});

describe("4. Gap-free resume", () => {
  it("resumes with exactly the messages after since, when the epoch matches", async () => {
    const room = roomName("resume");
    const token = newToken();
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob, welcome } = await join(room, { name: "bob", token });
    await alice.say("seen");
    const lastSeen = (await bob.next("message")).seq;
    await bob.close();
    for (const text of ["missed 1", "missed 2", "missed 3"]) await alice.say(text);

    const { welcome: back } = await join(room, { token, since: lastSeen, epoch: welcome.epoch });
    expect(back.resumed).toBe(true);
    expect(messagesOf(back).map((m) => m.text)).toEqual(["missed 1", "missed 2", "missed 3"]);
    expect(back.seq).toBe(4);
  });

  it("includes private messages to or from the user in a resume, and no one else's", async () => {
    const room = roomName("resume-private");
    const bobToken = newToken();
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob, welcome } = await join(room, { name: "bob", token: bobToken });
    const { welcome: carol } = await join(room, { name: "carol" });
    await bob.close();
    // Bob is offline, so he cannot be addressed; carol can.
    await alice.say("to carol", { to: carol.self.id });
    await alice.say("public");
    const { welcome: back } = await join(room, { token: bobToken, since: 0, epoch: welcome.epoch });
    expect(back.resumed).toBe(true);
    expect(messagesOf(back).map((m) => m.text)).toEqual(["public"]);
  });

  it("includes the user's own private messages, sent and received, in a resume and in its fallback", async () => {
    const room = roomName("resume-own-private");
    const bobToken = newToken();
    const { socket: alice, welcome: a } = await join(room, { name: "alice" });
    const { socket: bob, welcome: b } = await join(room, { name: "bob", token: bobToken });
    const { welcome: carol } = await join(room, { name: "carol" });
    await alice.say("to bob", { to: b.self.id });
    await bob.say("from bob", { to: a.self.id });
    await alice.say("to carol", { to: carol.self.id });
    await alice.say("public");
    await bob.close();
    const expected = ["to bob", "from bob", "public"];
    const { welcome: resumed } = await join(room, { token: bobToken, since: 0, epoch: b.epoch });
    expect(resumed.resumed).toBe(true);
    expect(messagesOf(resumed).map((m) => m.text)).toEqual(expected);
    const { welcome: fallback } = await join(room, { token: bobToken, since: 0, epoch: "another-log" });
    expect(fallback.resumed).toBe(false);
    expect(messagesOf(fallback).map((m) => m.text)).toEqual(expected);
  });

  it.each([
    ["another epoch", (epoch: string) => ({ since: 1, epoch: `${epoch}-old` })],
    ["no epoch", () => ({ since: 1 })],
    ["since beyond the room's seq", (epoch: string) => ({ since: 99, epoch })],
    ["no since at all", () => ({})],
  ])("answers resumed false and the latest messages for %s", async (_, fields) => {
    const room = roomName("resume-refused");
    const { socket: alice, welcome } = await join(room, { name: "alice" });
    for (let i = 1; i <= 3; i++) await alice.say(`m${i}`);
    const { welcome: back } = await join(room, fields(welcome.epoch));
    expect(back.resumed).toBe(false);
    expect(messagesOf(back).map((m) => m.text)).toEqual(["m1", "m2", "m3"]);
  });

  it("refuses to resume over more than 500 missed messages, and sends the latest 50 instead", async () => {
    const room = roomName("resume-too-many");
    const { welcome } = await join(room, { name: "alice" });
    await seed(room, 501);
    const { welcome: atLimit } = await join(room, { since: 1, epoch: welcome.epoch });
    expect(atLimit.resumed).toBe(true);
    expect(atLimit.messages).toHaveLength(500);
    const { welcome: over } = await join(room, { since: 0, epoch: welcome.epoch });
    expect(over.resumed).toBe(false);
    expect(over.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 452 + i));
  });

  it("refuses to resume from a seq whose successors were pruned", async () => {
    const room = roomName("resume-pruned");
    const { welcome } = await join(room, { name: "alice" });
    await seed(room, 10_010, 10_000);
    const { welcome: gone } = await join(room, { since: 5, epoch: welcome.epoch });
    expect(gone.resumed).toBe(false);
    const { welcome: kept } = await join(room, { since: 9_700, epoch: welcome.epoch });
    expect(kept.resumed).toBe(true);
    expect(kept.messages[0]!.seq).toBe(9_701);
  });
});

describe("5. Private stays private", () => {
  it("delivers a private message to the sender's and the recipient's sockets only", async () => {
    const room = roomName("private");
    const aliceToken = newToken();
    const { socket: alice } = await join(room, { name: "alice", token: aliceToken });
    const { socket: aliceTab } = await join(room, { token: aliceToken });
    const { socket: bob, welcome: bobWelcome } = await join(room, { name: "bob" });
    const { socket: carol } = await join(room, { name: "carol" });

    const sent = await alice.say("just for bob", { to: bobWelcome.self.id });
    expect(sent.to).toEqual(userOf(bobWelcome));
    expect(await bob.next("message", (m) => m.id === sent.id)).toEqual(sent);
    expect(await aliceTab.next("message", (m) => m.id === sent.id)).toEqual(sent);
    await alice.say("public barrier");
    await carol.next("message", (m) => m.text === "public barrier");
    expect(carol.pending.filter((f) => f.type === "message")).toEqual([]);

    carol.send({ type: "history" });
    expect((await carol.next("history")).messages.map((m) => m.text)).toEqual(["public barrier"]);
    bob.send({ type: "history" });
    expect((await bob.next("history")).messages.map((m) => m.text)).toEqual(["just for bob", "public barrier"]);
  });

  it("allows a private message to yourself", async () => {
    const { socket, welcome } = await join(roomName("private-self"), { name: "alice" });
    const note = await socket.say("note to self", { to: welcome.self.id });
    expect(note.to).toEqual(userOf(welcome));
  });
});

describe("6. Presence is true", () => {
  it("lists everyone online in welcome and announces joins and leaves to the others", async () => {
    const room = roomName("presence");
    const { socket: alice, welcome: a } = await join(room, { name: "alice" });
    expect(a.users).toEqual([userOf(a)]);
    const { socket: bob, welcome: b } = await join(room, { name: "bob" });
    expect(b.users).toEqual(expect.arrayContaining([userOf(a), userOf(b)]));
    expect(b.users).toHaveLength(2);
    expect((await alice.next("join")).user).toEqual(userOf(b));
    await bob.close();
    expect((await alice.next("leave")).user).toEqual(userOf(b));
  });

  it("counts several sockets with one token as one user: one join, and a leave only with the last", async () => {
    const room = roomName("presence-tabs");
    const token = newToken();
    const { socket: watcher } = await join(room, { name: "watcher" });
    const { socket: tab1, welcome: w1 } = await join(room, { name: "dora", token });
    const { socket: tab2, welcome: w2 } = await join(room, { name: "ignored", token });
    expect(w2.self).toEqual(w1.self);
    expect(w2.users.filter((u) => u.id === w1.self.id)).toHaveLength(1);
    await tab1.close();
    await tab2.say("still here");
    await watcher.next("message", (m) => m.text === "still here");
    expect(watcher.pending.filter((f) => f.type === "join" || f.type === "leave")).toEqual([{ type: "join", user: userOf(w1), online: 2 }]);
    await tab2.close();
    expect((await watcher.next("leave")).user).toEqual(userOf(w1));
  });

  it("closes a socket that sends no accepted hello within 10 s with 4408", async () => {
    const room = roomName("hello-timeout");
    const stub = env.ROOMS.getByName(room);
    const silent = await connect(room);
    silent.send({ type: "hello", token: "short" });
    await silent.next("error");
    // Age the socket's attachment and let a fresh instance read it: no 10 s wait in the test.
    await runInDurableObject(stub, (_: Room, state) => {
      for (const ws of state.getWebSockets()) {
        const att = ws.deserializeAttachment() as { openedAt: number };
        ws.serializeAttachment({ ...att, openedAt: att.openedAt - 10_001 });
      }
    });
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await silent.closed).code).toBe(4408);
  });

  it("answers ping with pong without waking the room or running its code", async () => {
    const room = roomName("ping-asleep");
    const { socket } = await join(room, { name: "pinger" });
    const handled = vi.spyOn(Room.prototype, "webSocketMessage");
    try {
      await evictDurableObject(env.ROOMS.getByName(room));
      socket.send("ping");
      await socket.pong();
      expect(handled).not.toHaveBeenCalled();
      // The spy does see the room's code run: a frame that is not a ping reaches it.
      await socket.say("awake now");
      expect(handled).toHaveBeenCalledTimes(1);
    } finally {
      handled.mockRestore();
    }
  });

  it("answers ping with pong before hello, and ping does not count as the first frame", async () => {
    const socket = await connect(roomName("ping"));
    socket.send("ping");
    await socket.pong();
    const welcome = await socket.hello({ name: "pinger" });
    expect(welcome.self.name).toBe("pinger");
  });
});

describe("7. Flooding is contained", () => {
  it("refuses says over the bucket with rate_limited and retryAfterMs, stores none of them", async () => {
    const room = roomName("flood");
    const { socket: flooder, welcome } = await join(room, { name: "flooder" });
    const { socket: calm } = await join(room, { name: "calm" });
    expect(welcome.limits).toEqual({ text: 2000, name: 32, burst: 20, perSecond: Number(env.RATE_PER_SECOND), reactions: 20, usersListed: 100, files: 4, fileBytes: Number(env.FILE_MAX_BYTES) });
    for (let i = 0; i < 30; i++) flooder.send({ type: "say", id: `f${i}`, text: `flood ${i}` });
    for (let i = 0; i < 20; i++) await flooder.next("message", (m) => m.id === `f${i}`);
    for (let i = 20; i < 30; i++) {
      const error = await flooder.next("error");
      expect(error).toMatchObject({ code: "rate_limited", ref: `f${i}` });
      // One token comes back every 1 / perSecond seconds.
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(1000 / welcome.limits.perSecond);
    }
    expect(await storedCount(room)).toBe(20);
    // Others are not slowed: the calm user's message goes through at once.
    expect((await calm.say("I can still talk")).seq).toBe(21);
  });

  it("shares one bucket among all of a user's sockets", async () => {
    const room = roomName("flood-tabs");
    const token = newToken();
    const { socket: tab1 } = await join(room, { name: "tabs", token });
    const { socket: tab2 } = await join(room, { token });
    await drain(tab1, 10);
    for (let i = 0; i < 10; i++) await tab2.say(`tab2 ${i}`);
    tab2.send({ type: "say", id: "21st", text: "one too many" });
    expect(await tab2.next("error")).toMatchObject({ code: "rate_limited", ref: "21st" });
  });

  it("checks the recipient before the bucket: an empty bucket still hears unknown_user", async () => {
    const { socket } = await join(roomName("flood-to-first"), { name: "alice" });
    await drain(socket, 20);
    socket.send({ type: "say", id: "nobody", text: "psst", to: "nobody-online-id" });
    expect(await socket.next("error")).toMatchObject({ code: "unknown_user", ref: "nobody" });
  });

  it("charges rename and history to the bucket, and refuses them with rate_limited when it is empty", async () => {
    const room = roomName("flood-rename");
    const { socket } = await join(room, { name: "alice" });
    const { socket: bob } = await join(room, { name: "bob" });
    await drain(socket, 19);
    socket.send({ type: "rename", name: "alicia" });
    expect((await bob.next("rename")).user.name).toBe("alicia");
    await socket.next("rename");
    socket.send({ type: "rename", name: "alice" });
    const refused = await socket.next("error");
    expect(refused).toMatchObject({ code: "rate_limited" });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    socket.send({ type: "history" });
    expect(await socket.next("error")).toMatchObject({ code: "rate_limited" });
    // A rename that ends on the current name changes nothing and costs nothing: no error, no frame.
    socket.send({ type: "rename", name: "alicia" });
    socket.send({ type: "say", id: "dup-barrier", text: "x" });
    const { before } = await socket.through("error", (e) => e.ref === "dup-barrier");
    expect(before.filter((f) => f.type !== "join")).toEqual([]);
    expect(bob.pending.filter((f) => f.type === "rename")).toEqual([]);
  });

  it("remembers a drained bucket after the user closed every socket and the room was evicted", async () => {
    const room = roomName("flood-comeback");
    const stub = env.ROOMS.getByName(room);
    const token = newToken();
    const { socket } = await join(room, { name: "flooder", token });
    await drain(socket, 20);
    await socket.close();
    await evictDurableObject(stub);
    const { socket: back } = await join(room, { token });
    back.send({ type: "say", id: "again", text: "fresh burst?" });
    expect(await back.next("error")).toMatchObject({ code: "rate_limited", ref: "again" });
  });

  it("keeps a drained bucket through an eviction of the Room while the flooder stays online, on any object", async () => {
    const room = roomName("flood-evicted");
    // Two people first: sharded (capacity 2), the flooder's socket is on a shard, not on the Room.
    await join(room, { name: "ann" });
    await join(room, { name: "bo" });
    const { socket: flooder } = await join(room, { name: "flooder" });
    await drain(flooder, 20);
    await evictDurableObject(env.ROOMS.getByName(room));
    flooder.send({ type: "say", id: "again", text: "fresh burst?" });
    expect(await flooder.next("error")).toMatchObject({ code: "rate_limited", ref: "again" });
    // Every object evicted: the bucket still holds.
    await evictAll(room);
    flooder.send({ type: "say", id: "again-2", text: "fresh burst now?" });
    expect(await flooder.next("error")).toMatchObject({ code: "rate_limited", ref: "again-2" });
    expect(await storedCount(room)).toBe(20);
  });

  it("keeps no bucket for a user who left with a full one", async () => {
    const room = roomName("flood-forget");
    const { socket: quiet } = await join(room, { name: "quiet" });
    const { socket: talker, welcome } = await join(room, { name: "talker" });
    await talker.say("one");
    await quiet.close();
    await talker.close();
    const kept = await runInDurableObject(env.ROOMS.getByName(room), (_: Room, state) =>
      state.storage.sql.exec<{ user_id: string }>("SELECT user_id FROM buckets").toArray().map((r) => r.user_id),
    );
    expect(kept).toEqual([welcome.self.id]);
  });

  it("does not spend a token on a duplicate: a resend is answered even with an empty bucket", async () => {
    const room = roomName("flood-dup");
    const { socket } = await join(room, { name: "alice" });
    for (let i = 0; i < 20; i++) socket.send({ type: "say", id: `m${i}`, text: `m${i}` });
    for (let i = 0; i < 20; i++) await socket.next("message", (m) => m.id === `m${i}`);
    socket.send({ type: "say", id: "m0", text: "m0" });
    expect((await socket.next("message", (m) => m.id === "m0")).seq).toBe(1);
    socket.send({ type: "say", id: "new", text: "new" });
    expect((await socket.next("error")).code).toBe("rate_limited");
  });
});

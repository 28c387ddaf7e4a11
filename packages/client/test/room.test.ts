/**
 * The Room object against a fake WebSocket and fake timers: connect, state, events and their
 * order, folding into `messages`, the outbox seen through promises, requests matched to their
 * answers, resume and reset, async iteration, storage.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connect, memoryStorage, openRoom, STORAGE_KEYS, type ConnectOptions, type ConnectionStatus, type Room, type RoomEvent } from "../src/index.ts";
import { ALICE, BOB, FakeWebSocket, current, echo, message, resetSockets, settle, sockets, welcome } from "./support/fake-websocket.ts";

const TOKEN = "tok_abcdefghijklmnopqrstuvwxyz";

function options(extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { url: "http://chat.test", room: "lobby", token: TOKEN, name: "alice", WebSocket: FakeWebSocket, ...extra };
}

/** Connects with the fake room answering the first hello with `w`. */
async function joined(w = welcome(), extra: Partial<ConnectOptions> = {}): Promise<Room> {
  const pending = connect(options(extra));
  await settle();
  current().open();
  current().receive(w);
  return pending;
}

beforeEach(() => {
  vi.useFakeTimers();
  resetSockets();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("connect", () => {
  it("opens the room's socket URL, says hello first, and resolves after the welcome with self, users, online and messages", async () => {
    const pending = connect(options({ url: "https://chat.test/base/" }));
    await settle();
    expect(current().url).toBe("wss://chat.test/base/api/rooms/lobby/ws");
    current().open();
    expect(current().frames()).toEqual([{ type: "hello", token: TOKEN, name: "alice" }]);
    let resolved = false;
    void pending.then(() => (resolved = true));
    await settle();
    expect(resolved).toBe(false);
    current().receive(welcome({ messages: [message(1, BOB, "b1", "hi")], seq: 1 }));
    const room = await pending;
    expect(room.self).toEqual({ ...ALICE, role: "member" });
    expect(room.users.map((u) => u.name)).toEqual(["alice", "bob"]);
    expect(room.online).toBe(2);
    expect(room.messages).toEqual([message(1, BOB, "b1", "hi")]);
    expect(room.state).toEqual({ state: "open" });
  });

  it("makes a token once and keeps it in the storage it is given", async () => {
    const storage = memoryStorage();
    const first = await joined(welcome(), { token: undefined, storage });
    const token = current().frames()[0]!.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
    expect(await storage.getItem(STORAGE_KEYS.token)).toBe(token);
    await first.close();
    await joined(welcome(), { token: undefined, storage });
    expect(current().frames()[0]!.token).toBe(token);
  });

  it("rejects with the room's error when the hello is refused as banned, and stops trying", async () => {
    const pending = connect(options());
    await settle();
    current().open();
    current().receive({ type: "error", code: "banned", message: "banned", retryAfterMs: 60_000 });
    await expect(pending).rejects.toMatchObject({ code: "banned", retryAfterMs: 60_000 });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sockets).toHaveLength(1);
  });

  it("keeps trying an unreachable server, and rejects once its signal aborts", async () => {
    const abort = new AbortController();
    const pending = connect(options({ signal: abort.signal }));
    await settle();
    current().drop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sockets.length).toBeGreaterThan(1);
    abort.abort();
    await expect(pending).rejects.toMatchObject({ code: "closed" });
    const opened = sockets.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(opened);
  });

  it("refuses a room name the server would refuse", async () => {
    await expect(connect(options({ room: "Lobby!" }))).rejects.toThrow(/not a room name/);
  });
});

describe("state", () => {
  it("reports connecting, open, reconnecting with the next try's delay, and closed", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const room = await joined(welcome(), { policy: { minDelayMs: 1_000, maxDelayMs: 1_000 } });
    const states: ConnectionStatus[] = [];
    room.on("state", (s) => states.push(s));
    current().drop();
    expect(states[0]).toMatchObject({ state: "reconnecting", delayMs: 500, attempt: 1 });
    await vi.advanceTimersByTimeAsync(500);
    expect(states[1]).toEqual({ state: "connecting", attempt: 1 });
    current().open();
    current().receive(welcome({ resumed: true }));
    expect(states[2]).toEqual({ state: "open" });
    await room.close();
    expect(states[3]).toEqual({ state: "closed", reason: "closed" });
    expect(current().closedWith?.code).toBe(1000);
  });

  it("closes for good when a moderator removes the user (4403), until reconnect()", async () => {
    const room = await joined();
    current().drop(4403, "kicked");
    expect(room.state).toEqual({ state: "closed", reason: "removed" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    room.reconnect();
    expect(sockets).toHaveLength(2);
  });

  it("waits while the network is said to be offline, and connects when it is back", async () => {
    let listener: ((s: "online" | "offline" | "visible") => void) | undefined;
    let online = false;
    const room = await openRoom(options({ network: { online: () => online, subscribe: (l) => ((listener = l), () => (listener = undefined)) } }));
    expect(room.state).toEqual({ state: "offline" });
    expect(sockets).toHaveLength(0);
    online = true;
    listener!("online");
    expect(room.state.state).toBe("connecting");
    current().open();
    current().receive(welcome());
    listener!("offline");
    expect(room.state).toEqual({ state: "offline" });
    await room.close();
    expect(listener).toBeUndefined();
  });
});

describe("events", () => {
  it("hands each handler the frame after room.messages was updated, and stops calling an unsubscribed one", async () => {
    const room = await joined();
    const seen: string[] = [];
    const stop = room.on("message", (m) => seen.push(`${m.text}:${room.messages.map((x) => x.seq).join(",")}`));
    current().receive(message(1, BOB, "b1", "one"));
    stop();
    current().receive(message(2, BOB, "b2", "two"));
    expect(seen).toEqual(["one:1"]);
    expect(room.messages.map((m) => m.text)).toEqual(["one", "two"]);
  });

  it("folds edits, deletes and reactions into the messages, quotes included", async () => {
    const room = await joined(welcome({ messages: [message(1, BOB, "b1", "first")], seq: 1 }));
    const reply = { ...message(2, BOB, "b2", "answer"), replyTo: { seq: 1, from: BOB, text: "first" } };
    current().receive(reply);
    const edits: string[] = [];
    room.on("edit", () => edits.push(room.message(1)!.text));
    current().receive({ type: "edit", seq: 3, id: "e1", target: 1, text: "first!", user: BOB, ts: 3 });
    current().receive({ type: "react", seq: 4, id: "r1", target: 2, emoji: "👍", on: true, count: 1, user: ALICE, ts: 4 });
    expect(edits).toEqual(["first!"]);
    expect(room.message(2)).toMatchObject({ replyTo: { seq: 1, text: "first!" }, reactions: [{ emoji: "👍", count: 1, me: true }] });
    current().receive({ type: "delete", seq: 5, id: "d1", target: 1, user: BOB, ts: 5 });
    expect(room.message(1)).toEqual({ type: "message", seq: 1, id: "b1", from: BOB, ts: 1_700_000_000_001, text: "", deleted: true });
    expect(room.message(2)!.replyTo).toEqual({ seq: 1, from: BOB, text: "", deleted: true });
  });

  it("keeps the people and the count from joins, leaves, occupancy and renames", async () => {
    const room = await joined();
    const presence: string[] = [];
    room.on("presence", (frame) => presence.push(frame.type));
    current().receive({ type: "join", user: { id: "carol-id", name: "carol" }, online: 3 });
    current().receive({ type: "rename", user: { id: "bob-id", name: "robert" }, old: "bob" });
    current().receive({ type: "leave", user: { id: "carol-id", name: "carol" }, online: 2 });
    current().receive({ type: "occupancy", online: 150 });
    expect(presence).toEqual(["join", "rename", "leave", "occupancy"]);
    expect(room.users.map((u) => u.name)).toEqual(["alice", "robert"]);
    expect(room.online).toBe(150);
  });

  it("yields every event in order to an async iteration, which ends when the room is closed", async () => {
    const room = await joined();
    const seen: RoomEvent["type"][] = [];
    const loop = (async () => {
      for await (const event of room) seen.push(event.type);
    })();
    current().receive({ type: "batch", frames: [message(1, BOB, "b1"), { type: "typing", user: BOB }] });
    current().receive({ type: "settings", slowMs: 10_000, locked: false, by: BOB });
    await room.close();
    await loop;
    expect(seen).toEqual(["message", "typing", "settings", "state"]);
    expect(room.roomSettings).toEqual({ slowMs: 10_000, locked: false });
  });

  it("applies a resume's events in order without a reset, and replaces the messages with a reset when the room cannot resume", async () => {
    const room = await joined(welcome({ messages: [message(1, BOB, "b1", "old")], seq: 1 }));
    const events: string[] = [];
    room.on("message", (m) => events.push(`message ${m.seq}`));
    room.on("edit", (e) => events.push(`edit ${e.target}`));
    room.on("reset", () => events.push("reset"));
    current().drop();
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    expect(current().frames()[0]).toMatchObject({ since: 1, epoch: "epoch-1" });
    current().receive(welcome({ resumed: true, seq: 3, messages: [message(2, BOB, "b2"), { type: "edit", seq: 3, id: "e", target: 1, text: "new", user: BOB, ts: 3 }] }));
    expect(events).toEqual(["message 2", "edit 1"]);
    expect(room.messages.map((m) => m.text)).toEqual(["new", "m2"]);
    current().drop();
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    current().receive(welcome({ resumed: false, seq: 900, epoch: "epoch-2", messages: [message(900, BOB, "b900")] }));
    expect(events.at(-1)).toBe("reset");
    expect(room.messages.map((m) => m.seq)).toEqual([900]);
  });
});

describe("actions", () => {
  it("resolves say with the stored message, and rejects with the room's error, which is an error event too", async () => {
    const room = await joined();
    const said = room.say("hello");
    const frame = current().last();
    expect(frame).toMatchObject({ type: "say", text: "hello" });
    current().receive(echo(frame, ALICE, 1));
    await expect(said).resolves.toMatchObject({ seq: 1, text: "hello", from: ALICE });
    const errors: string[] = [];
    room.on("error", (e) => errors.push(e.code));
    const muted = room.say("again");
    current().receive({ type: "error", code: "muted", message: "muted", ref: String(current().last().id), retryAfterMs: 5_000 });
    await expect(muted).rejects.toMatchObject({ code: "muted", retryAfterMs: 5_000 });
    expect(errors).toEqual(["muted"]);
    expect(room.outbox).toEqual([]);
  });

  it("keeps says made while disconnected and sends them once, in order, one in flight, after reconnecting", async () => {
    const room = await joined();
    current().drop();
    const promises = [room.say("one"), room.say("two", { to: BOB }), room.say("three", { replyTo: 7 })];
    expect(room.outbox.map((a) => (a as { text: string }).text)).toEqual(["one", "two", "three"]);
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    current().receive(welcome({ resumed: true }));
    let seq = 0;
    for (const expected of [{ text: "one" }, { text: "two", to: "bob-id" }, { text: "three", replyTo: 7 }]) {
      const says = current().frames().filter((f) => f.type === "say");
      expect(says).toHaveLength(seq + 1);
      expect(says[seq]).toMatchObject(expected);
      current().receive(echo(says[seq]!, ALICE, ++seq));
    }
    expect((await Promise.all(promises)).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it("resolves a say whose echo was lost with the connection when the resume brings it back", async () => {
    const room = await joined();
    const said = room.say("lost echo");
    const frame = current().last();
    current().drop();
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    current().receive(welcome({ resumed: true, seq: 1, messages: [echo(frame, ALICE, 1)] }));
    await expect(said).resolves.toMatchObject({ seq: 1, text: "lost echo" });
    // Stored already: it is not sent again.
    expect(current().frames().filter((f) => f.type === "say")).toEqual([]);
  });

  it("sends edit, delete and react frames with ids, resolving each with its stored event", async () => {
    const room = await joined(welcome({ messages: [message(1, ALICE, "a1")], seq: 1 }));
    const edited = room.edit(1, "changed");
    const e = current().last();
    expect(e).toMatchObject({ type: "edit", target: 1, text: "changed" });
    current().receive({ type: "edit", seq: 2, id: e.id, target: 1, text: "changed", user: ALICE, ts: 2 });
    await expect(edited).resolves.toMatchObject({ type: "edit", seq: 2 });
    const reacted = room.react(1, "🎉");
    const r = current().last();
    expect(r).toMatchObject({ type: "react", target: 1, emoji: "🎉", on: true });
    current().receive({ type: "react", seq: 3, id: r.id, target: 1, emoji: "🎉", on: true, count: 1, user: ALICE, ts: 3 });
    await expect(reacted).resolves.toMatchObject({ count: 1 });
    const deleted = room.delete(1);
    const d = current().last();
    current().receive({ type: "delete", seq: 4, id: d.id, target: 1, user: ALICE, ts: 4 });
    await expect(deleted).resolves.toMatchObject({ type: "delete", target: 1 });
    expect(room.message(1)).toMatchObject({ deleted: true, text: "" });
  });

  it("keeps an outbox in storage, so a new room object sends what the last one left, with the same ids", async () => {
    const storage = memoryStorage();
    const first = await joined(welcome(), { storage });
    current().drop();
    const unsent = first.say("written offline");
    await first.close();
    await expect(unsent).rejects.toMatchObject({ code: "closed" });
    const left = JSON.parse(String(await storage.getItem(STORAGE_KEYS.outbox("lobby")))) as { id: string }[];
    expect(left).toHaveLength(1);
    const second = await joined(welcome(), { storage });
    expect(current().last()).toMatchObject({ type: "say", id: left[0]!.id, text: "written offline" });
    current().receive(echo(current().last(), ALICE, 1));
    await second.close();
    expect(await storage.getItem(STORAGE_KEYS.outbox("lobby"))).toBeNull();
  });

  it("sends typing at most once per 2 s and a read position only forwards, keeping one made offline for the next welcome", async () => {
    const room = await joined(welcome({ read: 3, unread: 2, seq: 5 }));
    expect([room.readPosition, room.unread]).toEqual([3, 2]);
    expect(room.typing()).toBe(true);
    expect(room.typing()).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(room.typing()).toBe(true);
    room.read(2);
    room.read(5);
    expect(current().frames().filter((f) => f.type === "read")).toEqual([{ type: "read", seq: 5 }]);
    current().drop();
    room.read(6);
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    current().receive(welcome({ resumed: true, seq: 6, read: 5 }));
    expect(current().frames().filter((f) => f.type === "read")).toEqual([{ type: "read", seq: 6 }]);
    current().receive({ type: "read", seq: 9 });
    expect(room.readPosition).toBe(9);
  });

  it("keeps unread live: others' new messages count, mine and deleted ones do not, and a read here or on another device clears it", async () => {
    const held = [message(1, BOB, "b1"), message(2, ALICE, "a2"), message(3, BOB, "b3"), message(4, BOB, "b4")];
    const room = await joined(welcome({ messages: held, seq: 4, read: 2, unread: 2 }));
    expect(room.unread).toBe(2);
    current().receive(message(5, BOB, "b5"));
    current().receive(message(6, ALICE, "a6"));
    expect(room.unread).toBe(3);
    current().receive({ type: "delete", seq: 7, id: "d", target: 4, user: BOB, ts: 1 });
    expect(room.unread).toBe(2);
    // My other device read up to 5: only what is above it counts.
    current().receive({ type: "read", seq: 5 });
    expect(room.unread).toBe(0);
    current().receive(message(8, BOB, "b8"));
    expect(room.unread).toBe(1);
    room.read(8);
    expect(room.unread).toBe(0);
    // A resume's messages were counted by its welcome already.
    current().drop();
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    current().receive(welcome({ resumed: true, seq: 9, read: 8, unread: 1, messages: [message(9, BOB, "b9")] }));
    expect(room.unread).toBe(1);
  });
});

/**
 * Requests the room answers without an id, through the Room: each promise gets its own answer
 * among the broadcasts around it, an `error` without `ref` goes to the oldest request waiting,
 * reads survive a reconnect, and the moderation frames carry what protocol v3 adds.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connect, type ConnectOptions, type Room } from "../src/index.ts";
import { ALICE, BOB, FakeWebSocket, current, message, resetSockets, settle, welcome } from "./support/fake-websocket.ts";

const CAROL = { id: "carol-id", name: "carol" };

async function joined(extra: Partial<ConnectOptions> = {}, w = welcome({ self: { ...ALICE, role: "owner" } })): Promise<Room> {
  const pending = connect({ url: "http://chat.test", room: "lobby", token: "tok_abcdefghijklmnopqrstuvwxyz", WebSocket: FakeWebSocket, ...extra });
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
  vi.useRealTimers();
});

describe("requests", () => {
  it("resolves history, members and search with their own answers, in any order of broadcasts around them", async () => {
    const room = await joined();
    const history = room.history({ before: 10, limit: 2 });
    const members = room.members({ limit: 5 });
    const search = room.search("hello world", { limit: 3 });
    expect(current().frames().slice(1)).toEqual([
      { type: "history", before: 10, limit: 2 },
      { type: "members", limit: 5 },
      { type: "search", q: "hello world", limit: 3 },
    ]);
    current().receive({ type: "history", messages: [message(8, BOB, "b8"), message(9, BOB, "b9")], hasMore: true });
    current().receive({ type: "typing", user: BOB });
    current().receive({ type: "members", users: [ALICE, BOB], next: "bob-id" });
    current().receive({ type: "search", q: "hello world", messages: [message(9, BOB, "b9", "hello world")] });
    await expect(history).resolves.toMatchObject({ hasMore: true });
    await expect(members).resolves.toMatchObject({ next: "bob-id" });
    await expect(search).resolves.toMatchObject({ messages: [{ seq: 9 }] });
    // A page of history joins the messages held.
    expect(room.messages.map((m) => m.seq)).toEqual([8, 9]);
  });

  it("rejects the oldest request waiting with an error that carries no ref, and keeps the others waiting", async () => {
    const room = await joined();
    const first = room.history();
    const second = room.members();
    current().receive({ type: "error", code: "rate_limited", message: "too fast", retryAfterMs: 200 });
    await expect(first).rejects.toMatchObject({ code: "rate_limited", retryAfterMs: 200 });
    current().receive({ type: "members", users: [ALICE] });
    await expect(second).resolves.toMatchObject({ users: [ALICE] });
  });

  it("resolves kick, mute, ban and grant with the moderation frame about them, not one by someone else", async () => {
    const room = await joined();
    const muted = room.mute(BOB, 60_000, { reason: "spam" });
    expect(current().last()).toEqual({ type: "mute", user: "bob-id", ms: 60_000, reason: "spam" });
    // Another moderator's mute of the same user comes first: not ours.
    current().receive({ type: "moderation", action: "mute", user: BOB, by: CAROL, until: 5 });
    current().receive({ type: "moderation", action: "mute", user: BOB, by: ALICE, until: 60_000, reason: "spam" });
    await expect(muted).resolves.toMatchObject({ by: ALICE, reason: "spam" });
    const kicked = room.kick("bob-id");
    const banned = room.ban(BOB, 1_000, { reason: "again" });
    const granted = room.grant(CAROL, "moderator");
    expect(current().frames().slice(-3)).toEqual([
      { type: "kick", user: "bob-id" },
      { type: "ban", user: "bob-id", ms: 1_000, reason: "again" },
      { type: "grant", user: "carol-id", role: "moderator" },
    ]);
    current().receive({ type: "moderation", action: "kick", user: BOB, by: ALICE });
    current().receive({ type: "error", code: "forbidden", message: "no" });
    current().receive({ type: "moderation", action: "grant", user: CAROL, by: ALICE, role: "moderator" });
    await expect(kicked).resolves.toMatchObject({ action: "kick" });
    await expect(banned).rejects.toMatchObject({ code: "forbidden" });
    await expect(granted).resolves.toMatchObject({ role: "moderator" });
    expect(room.roleOf(CAROL)).toBe("moderator");
  });

  it("resolves settings with the room's settings frame by me, and rename with my new name", async () => {
    const room = await joined();
    const settings = room.settings({ slowMs: 10_000 });
    expect(current().last()).toEqual({ type: "settings", slowMs: 10_000 });
    current().receive({ type: "settings", slowMs: 10_000, locked: false, by: ALICE });
    await expect(settings).resolves.toMatchObject({ slowMs: 10_000 });
    const renamed = room.rename("alicia");
    current().receive({ type: "rename", user: { id: "bob-id", name: "alicia-fan" }, old: "bob" });
    current().receive({ type: "rename", user: { id: "alice-id", name: "alicia-2" }, old: "alice" });
    await expect(renamed).resolves.toEqual({ id: "alice-id", name: "alicia-2" });
    expect(room.self.name).toBe("alicia-2");
  });

  it("resolves a rename that the room answers with nothing (the name held already) with me as I am", async () => {
    const room = await joined(undefined, welcome({ self: { id: "alice-id", name: "steady-2", role: "member" } }));
    await expect(room.rename(" steady-2 ")).resolves.toEqual({ id: "alice-id", name: "steady-2" });
    const quiet = room.rename("steady");
    expect(current().last()).toEqual({ type: "rename", name: "steady" });
    let settled = false;
    void quiet.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(quiet).resolves.toEqual({ id: "alice-id", name: "steady-2" });
  });

  it("sends requests made while disconnected after the welcome, resends reads in flight, and fails moderation in flight", async () => {
    const room = await joined();
    const history = room.history();
    const kick = room.kick(BOB);
    current().drop();
    await expect(kick).rejects.toMatchObject({ code: "disconnected" });
    const members = room.members();
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    expect(current().frames()).toHaveLength(1);
    current().receive(welcome({ resumed: true }));
    expect(current().frames().slice(1).map((f) => f.type)).toEqual(["history", "members"]);
    current().receive({ type: "history", messages: [], hasMore: false });
    current().receive({ type: "members", users: [ALICE] });
    await expect(history).resolves.toMatchObject({ hasMore: false });
    await expect(members).resolves.toMatchObject({ users: [ALICE] });
  });

  it("gives a slow room the time it needs for a read, without reconnecting", async () => {
    const room = await joined();
    const history = room.history();
    await vi.advanceTimersByTimeAsync(45_000);
    expect(room.state.state).toBe("open");
    current().receive({ type: "history", messages: [], hasMore: false });
    await expect(history).resolves.toMatchObject({ hasMore: false });
  });

  it("rejects what waits when the room is closed", async () => {
    const room = await joined();
    current().drop();
    const history = room.history();
    await room.close();
    await expect(history).rejects.toMatchObject({ code: "closed" });
    await expect(room.members()).rejects.toMatchObject({ code: "closed" });
  });
});

describe("protocol v3 fields", () => {
  it("sends files with a say and reads them, and bot users, back from the room", async () => {
    const room = await joined();
    const said = room.say("", { files: ["f".repeat(22)] });
    const frame = current().last();
    expect(frame).toMatchObject({ type: "say", text: "", files: ["f".repeat(22)] });
    const file = { id: "f".repeat(22), type: "image/png", size: 10, url: `/api/rooms/lobby/files/${"f".repeat(22)}` };
    current().receive({ type: "message", seq: 1, id: frame.id, from: ALICE, text: "", ts: 1, files: [file] });
    await expect(said).resolves.toMatchObject({ files: [file] });
    current().receive({ type: "join", user: { id: "bot-1", name: "dice", bot: true }, online: 3 });
    expect(room.users.find((u) => u.id === "bot-1")).toEqual({ id: "bot-1", name: "dice", bot: true });
  });
});

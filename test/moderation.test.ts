/**
 * Owners and moderators (PROTOCOL.md v2): owner keys from `POST /api/rooms` and the deployment's
 * ADMIN_KEY, roles, `grant`, `kick`, `mute`, `ban`, `settings`, their order of checks, and
 * guarantee 8: moderation holds across eviction, nobody gains a role but by a grant or a key.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { hashOwnerKey } from "../src/server/identity/owner-keys.ts";
import { CLOSE } from "@edge-chat/protocol";
import { TestSocket, connect, join, newToken, roomName, userOf, workerFetch } from "./support/room-client.ts";
import { roomSql } from "./support/seed.ts";

const ADMIN_KEY = "admin-key-of-the-test-deployment";

/** Creates a room with an owner; returns its name and owner key. */
async function createRoom(name?: string): Promise<{ room: string; ownerKey: string }> {
  const response = await workerFetch("/api/rooms", { method: "POST", body: name === undefined ? "" : JSON.stringify({ name }) });
  expect(response.status).toBe(201);
  return (await response.json()) as { room: string; ownerKey: string };
}

/** A room with an owner, a moderator and a member, all online and known to each other. */
async function staffedRoom(label: string) {
  const { room, ownerKey } = await createRoom(roomName(label));
  const memberToken = newToken();
  const owner = await join(room, { name: "owner", key: ownerKey });
  const mod = await join(room, { name: "mod" });
  const member = await join(room, { name: "member", token: memberToken });
  owner.socket.send({ type: "grant", user: mod.welcome.self.id, role: "moderator" });
  await mod.socket.next("moderation", (m) => m.action === "grant");
  return { room, ownerKey, owner, mod, member, memberToken };
}

async function expectError(socket: TestSocket, frame: Record<string, unknown>, code: string) {
  socket.send(frame);
  const error = await socket.next("error");
  expect(error.code, JSON.stringify(frame)).toBe(code);
  return error;
}

describe("POST /api/rooms", () => {
  it("creates a private room with an unguessable id and a 43-character owner key", async () => {
    const { room, ownerKey } = await createRoom();
    expect(room).toMatch(/^[0-9a-f]{32}$/);
    expect(ownerKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const info = await (await workerFetch(`/api/rooms/${room}`)).json();
    expect(info).toEqual({ room, online: 0, seq: 0, owned: true, settings: { slowMs: 0, locked: false } });
    expect(JSON.stringify(info)).not.toContain(ownerKey);
  });

  it("claims a named room only when it was never used: 409 room_taken once it has a message or an owner", async () => {
    const fresh = roomName("named");
    // Sockets but no stored event and no owner: still never used.
    await join(fresh, { name: "early" });
    await createRoom(fresh);
    const again = await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: fresh }) });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: "room_taken" } });
    const used = roomName("used");
    await (await join(used, { name: "talker" })).socket.say("hi");
    expect((await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: used }) })).status).toBe(409);
  });

  it.each([
    ["not JSON", "{nope", "bad_body"],
    ["an array", "[]", "bad_body"],
    ["a name that is not a string", '{"name":5}', "bad_body"],
    ["a bad room name", '{"name":"Not A Room"}', "bad_room"],
  ])("refuses a body that is %s with 400", async (_, body, code) => {
    const response = await workerFetch("/api/rooms", { method: "POST", body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code } });
  });

  it("keeps only a hash of the owner key, which no frame, answer, log line or stored row ever shows", async () => {
    const logged: unknown[][] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args)),
    );
    const { room, ownerKey } = await createRoom(roomName("key-hidden"));
    const { socket } = await join(room, { name: "owner", key: ownerKey });
    // A wrong key and a failing frame make the room log and answer too.
    const wrong = await connect(room);
    wrong.send({ type: "hello", token: newToken(), key: `${ownerKey}x` });
    await wrong.next("error");
    await socket.say("hello");
    socket.send({ type: "history" });
    await socket.next("history");
    socket.send({ type: "members" });
    await socket.next("members");
    expect(socket.texts.join("\n")).not.toContain(ownerKey);
    const answers = await Promise.all([`/api/rooms/${room}`, `/api/rooms/${room}/messages`].map(async (p) => (await workerFetch(p)).text()));
    expect(answers.join("\n")).not.toContain(ownerKey);
    for (const spy of spies) spy.mockRestore();
    expect(JSON.stringify(logged)).not.toContain(ownerKey);
    const rows = await roomSql(room, "SELECT value FROM meta UNION ALL SELECT name FROM users");
    expect(JSON.stringify(rows)).not.toContain(ownerKey);
    expect(JSON.stringify(rows)).toContain(hashOwnerKey(ownerKey));
  });
});

describe("GET /api/rooms/:room", () => {
  it("answers a room as it is: online now, seq, owned and settings; a room with no state has defaults", async () => {
    const empty = roomName("info-empty");
    expect(await (await workerFetch(`/api/rooms/${empty}`)).json()).toEqual({
      room: empty, online: 0, seq: 0, owned: false, settings: { slowMs: 0, locked: false },
    });
    const { socket } = await join(empty, { name: "alice" });
    await socket.say("one");
    expect(await (await workerFetch(`/api/rooms/${empty}`)).json()).toMatchObject({ online: 1, seq: 1, owned: false });
    expect((await workerFetch("/api/rooms/Bad%20Name")).status).toBe(400);
  });
});

describe("owner keys in hello", () => {
  it("make that socket owner; a wrong key is forbidden and the socket may try again; ADMIN_KEY owns every room", async () => {
    const { room, ownerKey } = await createRoom(roomName("keys"));
    const socket = await connect(room);
    await expectError(socket, { type: "hello", token: newToken(), key: "not-the-key" }, "forbidden");
    await expectError(socket, { type: "hello", token: newToken(), key: 7 }, "bad_message");
    expect((await socket.hello({ key: ownerKey })).self.role).toBe("owner");
    expect((await join(roomName("any-room"), { key: ADMIN_KEY })).welcome.self.role).toBe("owner");
  });

  it("compare ADMIN_KEY in constant time too, as hashes: a key of the right length and one byte off is forbidden", async () => {
    // A room without an owner key of its own: the only comparison left is with ADMIN_KEY.
    const room = roomName("admin-constant-time");
    const compared = vi.spyOn(crypto.subtle, "timingSafeEqual");
    try {
      const socket = await connect(room);
      const nearly = `${ADMIN_KEY.slice(0, -1)}X`;
      await expectError(socket, { type: "hello", token: newToken(), key: nearly }, "forbidden");
      expect((await socket.hello({ key: ADMIN_KEY })).self.role).toBe("owner");
      // Both hellos went through the constant-time comparison, of hashes, never of the keys.
      expect(compared).toHaveBeenCalledTimes(2);
      const text = (b: unknown) => new TextDecoder().decode(b as ArrayBuffer);
      for (const [a, b] of compared.mock.calls) for (const side of [a, b]) expect([ADMIN_KEY, nearly]).not.toContain(text(side));
    } finally {
      compared.mockRestore();
    }
  });

  it("give no role to anyone who merely claims one, nor to a key of another room", async () => {
    const { room } = await createRoom(roomName("claims"));
    const { ownerKey: otherKey } = await createRoom(roomName("other"));
    const claimer = await connect(room);
    claimer.send({ type: "hello", token: newToken(), name: "boss", role: "owner", self: { role: "owner" } });
    expect((await claimer.next("welcome")).self.role).toBe("member");
    await expectError(claimer, { type: "grant", user: "anyone-at-all", role: "moderator" }, "forbidden");
    const other = await connect(room);
    await expectError(other, { type: "hello", token: newToken(), key: otherKey }, "forbidden");
  });

  it("hold for the sockets that presented the key only; the user shows as owner in lists", async () => {
    const { room, ownerKey } = await createRoom(roomName("owner-tabs"));
    const token = newToken();
    const { welcome: keyed } = await join(room, { token, name: "boss", key: ownerKey });
    const { socket: plain, welcome: second } = await join(room, { token });
    expect(keyed.self.role).toBe("owner");
    expect(second.self.role).toBe("member");
    expect(second.users.find((u) => u.id === keyed.self.id)).toMatchObject({ role: "owner" });
    // The plain tab may not grant: its socket is no owner's.
    await expectError(plain, { type: "grant", user: keyed.self.id, role: "moderator" }, "forbidden");
  });
});

describe("grant", () => {
  it("lets only owners make moderators, applies at once, tells everyone, and survives eviction", async () => {
    const { room, owner, mod, member } = await staffedRoom("grant");
    const told = await member.socket.next("moderation", (m) => m.action === "grant");
    expect(told).toEqual({ type: "moderation", action: "grant", user: userOf(mod.welcome), by: userOf(owner.welcome), role: "moderator" });
    await expectError(mod.socket, { type: "grant", user: member.welcome.self.id, role: "moderator" }, "forbidden");
    await expectError(member.socket, { type: "grant", user: member.welcome.self.id, role: "moderator" }, "forbidden");
    await evictDurableObject(env.ROOMS.getByName(room));
    const { welcome } = await join(room, { name: "late" });
    expect(welcome.users.find((u) => u.id === mod.welcome.self.id)).toMatchObject({ role: "moderator" });
    // The moderator acts as one after the eviction too.
    mod.socket.send({ type: "mute", user: member.welcome.self.id, ms: 60_000 });
    await member.socket.next("moderation", (m) => m.action === "mute");
    // And a grant of member takes it away.
    owner.socket.send({ type: "grant", user: mod.welcome.self.id, role: "member" });
    await mod.socket.next("moderation", (m) => m.action === "grant" && m.role === "member");
    await expectError(mod.socket, { type: "kick", user: member.welcome.self.id }, "forbidden");
  });

  it("is not_found for a user the room never saw, and forbidden on an owner", async () => {
    const { owner } = await staffedRoom("grant-rules");
    await expectError(owner.socket, { type: "grant", user: "never-seen-user-1", role: "moderator" }, "not_found");
    await expectError(owner.socket, { type: "grant", user: owner.welcome.self.id, role: "member" }, "forbidden");
    await expectError(owner.socket, { type: "grant", user: owner.welcome.self.id, role: "king" }, "bad_message");
  });
});

describe("kick", () => {
  it("closes every socket of the user with 4403 after telling everyone; they may come back", async () => {
    const { room, mod, member, owner, memberToken } = await staffedRoom("kick");
    const tab2 = await join(room, { token: memberToken });
    mod.socket.send({ type: "kick", user: member.welcome.self.id });
    expect(await owner.socket.next("moderation", (m) => m.action === "kick")).toEqual({
      type: "moderation", action: "kick", user: userOf(member.welcome), by: userOf(mod.welcome),
    });
    expect((await member.socket.closedWithin()).code).toBe(CLOSE.removed);
    expect((await tab2.socket.closedWithin()).code).toBe(CLOSE.removed);
    expect((await owner.socket.next("leave")).user.id).toBe(member.welcome.self.id);
    const back = await join(room, { name: "member" });
    expect(back.welcome.self.name).toBe("member");
  });

  it("never acts on an owner, nor a moderator on another moderator", async () => {
    const { room, owner, mod } = await staffedRoom("kick-rules");
    const mod2 = await join(room, { name: "mod2" });
    owner.socket.send({ type: "grant", user: mod2.welcome.self.id, role: "moderator" });
    await mod2.socket.next("moderation", (m) => m.action === "grant");
    await expectError(mod.socket, { type: "kick", user: owner.welcome.self.id }, "forbidden");
    await expectError(mod.socket, { type: "kick", user: mod2.welcome.self.id }, "forbidden");
    await expectError(mod.socket, { type: "ban", user: mod2.welcome.self.id, ms: 1_000 }, "forbidden");
    // An owner may act on a moderator.
    owner.socket.send({ type: "mute", user: mod2.welcome.self.id, ms: 1_000 });
    await mod2.socket.next("moderation", (m) => m.action === "mute");
  });

  it("of a user who is offline is accepted and only announced", async () => {
    const { room, mod, owner } = await staffedRoom("kick-offline");
    const gone = await join(room, { name: "gone" });
    await gone.socket.close();
    mod.socket.send({ type: "kick", user: gone.welcome.self.id });
    expect(await owner.socket.next("moderation", (m) => m.action === "kick")).toMatchObject({ user: userOf(gone.welcome) });
  });

  it("checks in order: the fields, the sender's role, the named user, the named user's role", async () => {
    const { mod, member, owner } = await staffedRoom("order");
    await expectError(member.socket, { type: "kick" }, "bad_message");
    await expectError(member.socket, { type: "kick", user: "never-seen-user-2" }, "forbidden");
    await expectError(mod.socket, { type: "kick", user: "never-seen-user-2" }, "not_found");
    await expectError(mod.socket, { type: "kick", user: owner.welcome.self.id }, "forbidden");
    await expectError(member.socket, { type: "settings" }, "bad_message");
  });
});

describe("mute", () => {
  it("refuses the user's say, edit, delete, react and rename with muted and retryAfterMs, until lifted", async () => {
    const { room, mod, member } = await staffedRoom("mute");
    const m = await member.socket.say("before the mute");
    mod.socket.send({ type: "mute", user: member.welcome.self.id, ms: 60_000 });
    const told = await member.socket.next("moderation", (f) => f.action === "mute");
    expect(told.until).toBeGreaterThan(Date.now());
    for (const frame of [
      { type: "say", id: "m1", text: "let me speak" },
      { type: "edit", id: "m2", target: m.seq, text: "x" },
      { type: "delete", id: "m3", target: m.seq },
      { type: "react", id: "m4", target: m.seq, emoji: "👍", on: true },
      { type: "rename", name: "innocent" },
    ]) {
      const error = await expectError(member.socket, frame, "muted");
      expect(error.retryAfterMs).toBeGreaterThan(59_000);
    }
    // It survives eviction.
    await evictDurableObject(env.ROOMS.getByName(room));
    await expectError(member.socket, { type: "say", id: "m5", text: "now?" }, "muted");
    mod.socket.send({ type: "mute", user: member.welcome.self.id, ms: 0 });
    const lifted = await member.socket.next("moderation", (f) => f.action === "mute");
    expect(lifted).not.toHaveProperty("until");
    expect((await member.socket.say("free again")).text).toBe("free again");
  });

  it("comes after the recipient, target and too_many checks, and a valid owner key lifts it", async () => {
    const { room, ownerKey, owner, mod, member, memberToken } = await staffedRoom("mute-order");
    const full = await mod.socket.say("twenty reactions");
    // Twenty distinct reactions, from two people (each bucket holds 20 tokens).
    for (let i = 0; i < 20; i++) {
      const by = i < 10 ? mod.socket : owner.socket;
      by.send({ type: "react", id: `r${i}`, target: full.seq, emoji: String.fromCodePoint(0x1f600 + i), on: true });
    }
    await mod.socket.next("react", (r) => r.id === "r9");
    await owner.socket.next("react", (r) => r.id === "r19");
    mod.socket.send({ type: "mute", user: member.welcome.self.id, ms: 60_000 });
    await member.socket.next("moderation", (f) => f.action === "mute");
    await expectError(member.socket, { type: "say", id: "p", text: "psst", to: "nobody-online" }, "unknown_user");
    await expectError(member.socket, { type: "react", id: "r", target: 999, emoji: "👍", on: true }, "not_found");
    await expectError(member.socket, { type: "react", id: "t", target: full.seq, emoji: "🦄", on: true }, "too_many");
    // The user's hello with the owner key lifts the mute, for every one of their sockets.
    await join(room, { token: memberToken, key: ownerKey });
    expect((await member.socket.say("unmuted by the key")).text).toBe("unmuted by the key");
  });
});

describe("ban", () => {
  it("closes the user's sockets, refuses their hello with banned and retryAfterMs until it ends, across eviction", async () => {
    const { room, mod, member, owner } = await staffedRoom("ban");
    const token = newToken();
    const target = await join(room, { name: "spammer", token });
    mod.socket.send({ type: "ban", user: target.welcome.self.id, ms: 3_600_000 });
    expect(await owner.socket.next("moderation", (f) => f.action === "ban")).toMatchObject({ user: userOf(target.welcome) });
    expect((await target.socket.closedWithin()).code).toBe(CLOSE.removed);
    await evictDurableObject(env.ROOMS.getByName(room));
    const socket = await connect(room);
    const error = await expectError(socket, { type: "hello", token, name: "spammer" }, "banned");
    expect(error.retryAfterMs).toBeGreaterThan(3_500_000);
    // The socket stays open; once lifted, the same hello is welcome.
    mod.socket.send({ type: "ban", user: target.welcome.self.id, ms: 0 });
    expect(await member.socket.next("moderation", (f) => f.action === "ban" && f.until === undefined)).toBeTruthy();
    expect((await socket.hello({ token, name: "spammer" })).self.id).toBe(target.welcome.self.id);
  });

  it("is lifted by a hello with a valid owner key, and nobody may ban a user who ever presented one", async () => {
    const { room, ownerKey, mod, owner } = await staffedRoom("ban-owner");
    const keyed = await join(room, { name: "co-owner", key: ownerKey });
    await keyed.socket.close();
    // Offline, but once an owner always protected.
    await expectError(mod.socket, { type: "ban", user: keyed.welcome.self.id, ms: 1_000 }, "forbidden");
    // A banned user with the key gets in, and the ban is lifted: the next hello needs no key.
    const token = newToken();
    const other = await join(room, { name: "other", token });
    mod.socket.send({ type: "ban", user: other.welcome.self.id, ms: 60_000 });
    await owner.socket.next("moderation", (f) => f.action === "ban");
    await other.socket.closedWithin();
    const back = await connect(room);
    await expectError(back, { type: "hello", token }, "banned");
    expect((await back.hello({ token, key: ownerKey })).self.role).toBe("owner");
    expect((await join(room, { token })).welcome.self.role).toBe("member");
  });
});

describe("settings", () => {
  it("slow mode keeps a member's says apart across sockets; moderators are exempt; a field left out is kept", async () => {
    const { room, mod, member, owner, memberToken } = await staffedRoom("slow");
    mod.socket.send({ type: "settings", slowMs: 60_000 });
    expect(await owner.socket.next("settings")).toEqual({ type: "settings", slowMs: 60_000, locked: false, by: userOf(mod.welcome) });
    await member.socket.say("one");
    const error = await expectError(member.socket, { type: "say", id: "two", text: "two" }, "slow_mode");
    expect(error.retryAfterMs).toBeGreaterThan(55_000);
    // Another socket of the same user, after the room was evicted, is still slowed.
    await evictDurableObject(env.ROOMS.getByName(room));
    const tab = await join(room, { token: memberToken });
    await expectError(tab.socket, { type: "say", id: "three", text: "three" }, "slow_mode");
    expect((await mod.socket.say("mods may")).text).toBe("mods may");
    mod.socket.send({ type: "settings", locked: true });
    expect(await owner.socket.next("settings")).toMatchObject({ slowMs: 60_000, locked: true });
    const { welcome } = await join(room, { name: "late" });
    expect(welcome.settings).toEqual({ slowMs: 60_000, locked: true });
  });

  it("locked: only moderators and owners may say, and it survives eviction", async () => {
    const { room, mod, member, owner } = await staffedRoom("lock");
    owner.socket.send({ type: "settings", locked: true });
    await member.socket.next("settings");
    await evictDurableObject(env.ROOMS.getByName(room));
    await expectError(member.socket, { type: "say", id: "l1", text: "hello?" }, "locked");
    expect((await mod.socket.say("we can")).text).toBe("we can");
    await expectError(member.socket, { type: "settings", locked: false }, "forbidden");
    expect(await (await workerFetch(`/api/rooms/${room}`)).json()).toMatchObject({ settings: { slowMs: 0, locked: true } });
  });

  it("locked (v3): members' edit and react get locked, after the target and before the bucket; their own delete still goes", async () => {
    const { room, mod, member, owner } = await staffedRoom("lock-changes");
    const mine = await member.socket.say("before the lock");
    const theirs = await mod.socket.say("the mod's");
    owner.socket.send({ type: "settings", locked: true });
    await member.socket.next("settings");
    await evictDurableObject(env.ROOMS.getByName(room));
    await expectError(member.socket, { type: "edit", id: "le1", target: mine.seq, text: "changed" }, "locked");
    await expectError(member.socket, { type: "react", id: "lr1", target: theirs.seq, emoji: "👍", on: true }, "locked");
    await expectError(member.socket, { type: "react", id: "lr2", target: mine.seq, emoji: "👍", on: false }, "locked");
    // The target is judged first: a missing or deleted one is not_found / gone, not locked.
    await expectError(member.socket, { type: "edit", id: "le2", target: 9_999, text: "x" }, "not_found");
    await expectError(member.socket, { type: "react", id: "lr3", target: 9_999, emoji: "👍", on: true }, "not_found");
    await expectError(member.socket, { type: "edit", id: "le3", target: theirs.seq, text: "x" }, "forbidden");
    // Refused frames spent nothing: the member's own delete still goes through, and is stored.
    member.socket.send({ type: "delete", id: "ld1", target: mine.seq });
    const deleted = await owner.socket.next("delete");
    expect(deleted).toMatchObject({ target: mine.seq, user: { id: member.welcome.self.id } });
    // Moderators and owners are not held back; nothing the member tried was stored.
    mod.socket.send({ type: "react", id: "mr1", target: theirs.seq, emoji: "👍", on: true });
    expect(await owner.socket.next("react")).toMatchObject({ target: theirs.seq, count: 1 });
    mod.socket.send({ type: "edit", id: "me1", target: theirs.seq, text: "the mod's, edited" });
    expect(await owner.socket.next("edit")).toMatchObject({ target: theirs.seq, text: "the mod's, edited" });
    const page = (await (await workerFetch(`/api/rooms/${room}/messages`)).json()) as { messages: { seq: number; text: string; reactions?: unknown[] }[] };
    expect(page.messages.map((m) => [m.seq, m.text])).toEqual([[mine.seq, ""], [theirs.seq, "the mod's, edited"]]);
    expect(page.messages[1]!.reactions).toEqual([{ emoji: "👍", count: 1 }]);
  });

  it("locked: the lock does not count a refused edit against the bucket (it is checked before it)", async () => {
    const { mod, member, owner } = await staffedRoom("lock-bucket");
    const mine = await member.socket.say("mine");
    owner.socket.send({ type: "settings", locked: true });
    await member.socket.next("settings");
    // More refusals than the burst of 20: none may take a token.
    for (let i = 0; i < 25; i++) await expectError(member.socket, { type: "edit", id: `lb${i}`, target: mine.seq, text: `e${i}` }, "locked");
    owner.socket.send({ type: "settings", locked: false });
    await member.socket.next("settings");
    member.socket.send({ type: "edit", id: "lb-after", target: mine.seq, text: "unlocked now" });
    expect(await mod.socket.next("edit")).toMatchObject({ target: mine.seq, text: "unlocked now" });
  });

  it.each([
    ["neither field", {}],
    ["a negative slowMs", { slowMs: -1 }],
    ["slowMs over an hour", { slowMs: 3_600_001 }],
    ["locked that is not a boolean", { locked: "yes" }],
  ])("refuses %s with bad_message", async (_, fields) => {
    const { mod } = await staffedRoom("settings-bad");
    await expectError(mod.socket, { type: "settings", ...fields }, "bad_message");
  });
});

describe("moderators and messages", () => {
  it("may delete any message they can see, but not a private one between two others", async () => {
    const { room, mod, member } = await staffedRoom("mod-delete");
    const other = await join(room, { name: "other" });
    const publicOne = await member.socket.say("spam");
    mod.socket.send({ type: "delete", id: "d1", target: publicOne.seq });
    expect(await member.socket.next("delete", (d) => d.id === "d1")).toMatchObject({ target: publicOne.seq, user: userOf(mod.welcome) });
    const secret = await member.socket.say("psst", { to: other.welcome.self.id });
    mod.socket.send({ type: "delete", id: "d2", target: secret.seq });
    expect(await mod.socket.next("error")).toMatchObject({ code: "not_found", ref: "d2" });
  });
});

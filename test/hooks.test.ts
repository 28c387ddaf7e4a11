/**
 * Incoming hooks (PROTOCOL.md v3, "Owner credentials over HTTP" and "Incoming hooks"): made, listed
 * and deleted with an owner's credential; a POST of Slack's or Discord's shape posts a public
 * message from `hook:<id>` (a bot), answered with its seq once stored; every refusal with its exact
 * status and code, after which the room still works. Runs sharded too (workers-sharded), where the
 * rooms below spread their sockets over shards.
 */
import type { HookList } from "@edge-chat/protocol/integrations";
import { describe, expect, it } from "vitest";
import { bearer, call, makeHook, ownedRoom, postToHook } from "./support/integrations.ts";
import { connect, join, newToken, roomName } from "./support/room-client.ts";
import { signToken } from "./support/signed-tokens.ts";

const ADMIN_KEY = "admin-key-of-the-test-deployment";

/** A room with its owner online and two more people (so a sharded run spreads them over shards). */
async function busyRoom(label: string) {
  const { room, ownerKey } = await ownedRoom(label);
  const owner = await join(room, { key: ownerKey, name: "owner" });
  const ann = await join(room, { name: "ann" });
  const ben = await join(room, { name: "ben" });
  return { room, ownerKey, owner: owner.socket, ann: ann.socket, ben: ben.socket, welcome: ben.welcome };
}

describe("owner credentials on the hook endpoints", () => {
  it("401 without a credential or with an unreadable one, 403 for a member's, 201 for the owner key, ADMIN_KEY or a signed owner", async () => {
    const { room, ownerKey } = await ownedRoom("hook-credentials");
    const create = (headers: Record<string, string>) =>
      call(`/api/rooms/${room}/hooks`, { method: "POST", headers, body: JSON.stringify({ name: "ci" }) });
    const none = await create({});
    expect([none.status, none.body.error]).toMatchObject([401, { code: "unauthorized" }]);
    expect((await create({ Authorization: `Basic ${ownerKey}` })).status).toBe(401);
    expect((await create(bearer("not a token!"))).status).toBe(401);
    expect((await create(bearer("a.b.c"))).status).toBe(401);
    const member = await create(bearer(newToken()));
    expect([member.status, member.body.error]).toMatchObject([403, { code: "forbidden" }]);
    const signedMember = await create(bearer(await signToken({ sub: "mia", role: "moderator" })));
    expect(signedMember.status).toBe(403);
    const elsewhere = await create(bearer(await signToken({ sub: "olga", role: "owner", rooms: ["other-room"] })));
    expect(elsewhere.status).toBe(403);
    expect((await create(bearer(ownerKey))).status).toBe(201);
    expect((await create(bearer(ADMIN_KEY))).status).toBe(201);
    expect((await create(bearer(await signToken({ sub: "olga", role: "owner" })))).status).toBe(201);
    // Another room's owner key is a member's credential here.
    const other = await ownedRoom("hook-credentials-other");
    expect((await create(bearer(other.ownerKey))).status).toBe(403);
    for (const path of [`/api/rooms/${room}/hooks`, `/api/rooms/${room}/webhooks`]) {
      expect((await call(path)).status).toBe(401);
      expect((await call(path, { headers: bearer(newToken()) })).status).toBe(403);
    }
    expect((await call(`/api/rooms/${room}/hooks/AAAAAAAAAAAAAAAA`, { method: "DELETE", headers: bearer(newToken()) })).status).toBe(403);
    // The room still works.
    const { socket } = await join(room);
    expect((await socket.say("still here")).text).toBe("still here");
  });

  it("checks the room name first, and answers 405 with Allow for a wrong method", async () => {
    expect((await call("/api/rooms/Bad Room/hooks", { method: "POST" })).status).toBe(400);
    const { room, ownerKey } = await ownedRoom("hook-methods");
    const put = await call(`/api/rooms/${room}/hooks`, { method: "PUT", headers: bearer(ownerKey) });
    expect(put.status).toBe(405);
    expect(put.headers.get("Allow")).toBe("GET, POST");
    const hook = await makeHook(room, ownerKey);
    expect((await call(hook.url, { method: "GET" })).status).toBe(405);
  });
});

describe("making, listing and deleting hooks", () => {
  it("answers 201 with an id, the name and a secret URL shown once; the list never shows a secret", async () => {
    const { room, ownerKey } = await ownedRoom("hook-make");
    const before = Date.now();
    const hook = await makeHook(room, ownerKey, "  Deploys  ");
    expect(hook.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(hook.name).toBe("Deploys");
    const secret = new RegExp(`^/api/rooms/${room}/hooks/${hook.id}/([A-Za-z0-9_-]{43})$`).exec(hook.url)?.[1];
    expect(secret).toBeDefined();
    const listed = await call<HookList>(`/api/rooms/${room}/hooks`, { headers: bearer(ownerKey) });
    expect(listed.status).toBe(200);
    expect(listed.body.hooks).toEqual([{ id: hook.id, name: "Deploys", createdAt: expect.any(Number) }]);
    expect(listed.body.hooks[0]!.createdAt).toBeGreaterThanOrEqual(before);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
  });

  it("refuses a bad body with 400 bad_body, and a 21st hook with 409 too_many", async () => {
    const { room, ownerKey } = await ownedRoom("hook-limits");
    const create = (body: string) => call(`/api/rooms/${room}/hooks`, { method: "POST", headers: bearer(ownerKey), body });
    for (const body of ["", "not json", "[]", "{}", JSON.stringify({ name: 5 }), JSON.stringify({ name: "" }), JSON.stringify({ name: "x".repeat(33) }), JSON.stringify({ name: "a\u0007b" })]) {
      const refused = await create(body);
      expect([body, refused.status, refused.body.error]).toMatchObject([body, 400, { code: "bad_body" }]);
    }
    for (let i = 0; i < 20; i++) expect((await create(JSON.stringify({ name: `hook ${i}` }))).status).toBe(201);
    const over = await create(JSON.stringify({ name: "one more" }));
    expect([over.status, over.body.error]).toMatchObject([409, { code: "too_many" }]);
    const listed = await call<HookList>(`/api/rooms/${room}/hooks`, { headers: bearer(ownerKey) });
    expect(listed.body.hooks).toHaveLength(20);
  });

  it("deletes a hook with 204: its URL stops working at once; an unknown id is 404", async () => {
    const { room, ownerKey } = await ownedRoom("hook-delete");
    const hook = await makeHook(room, ownerKey);
    expect((await postToHook(hook.url, { text: "before" })).status).toBe(200);
    const deleted = await call(`/api/rooms/${room}/hooks/${hook.id}`, { method: "DELETE", headers: bearer(ownerKey) });
    expect(deleted.status).toBe(204);
    const after = await postToHook(hook.url, { text: "after" });
    expect([after.status, after.body.error]).toMatchObject([404, { code: "not_found" }]);
    const again = await call(`/api/rooms/${room}/hooks/${hook.id}`, { method: "DELETE", headers: bearer(ownerKey) });
    expect([again.status, again.body.error]).toMatchObject([404, { code: "not_found" }]);
    expect((await call<HookList>(`/api/rooms/${room}/hooks`, { headers: bearer(ownerKey) })).body.hooks).toEqual([]);
  });
});

describe("posting to a hook", () => {
  it("stores Slack's text and Discord's content as public messages from hook:<id>, a bot, answered with the seq", async () => {
    const { room, ownerKey, ann, ben } = await busyRoom("hook-post");
    const hook = await makeHook(room, ownerKey, "CI");
    const slack = await postToHook(hook.url, { text: "  build passed  " });
    expect(slack.status).toBe(200);
    const seq = slack.body.seq as number;
    const seen = await ann.next("message", (m) => m.seq === seq);
    expect(seen).toEqual({ type: "message", seq, id: expect.any(String), from: { id: `hook:${hook.id}`, name: "CI", bot: true }, text: "build passed", ts: expect.any(Number) });
    await ben.next("message", (m) => m.seq === seq);
    const discord = await postToHook(hook.url, { content: "deploy done", username: "Deployer" });
    expect(discord.status).toBe(200);
    const named = await ben.next("message", (m) => m.seq === discord.body.seq);
    expect(named.from).toEqual({ id: `hook:${hook.id}`, name: "Deployer", bot: true });
    expect(named.text).toBe("deploy done");
    // Over HTTP and in a late joiner's welcome, the same messages, still from the bot.
    const page = await call<{ messages: { text: string; from: object }[] }>(`/api/rooms/${room}/messages`);
    expect(page.body.messages.map((m) => [m.text, m.from])).toEqual([
      ["build passed", { id: `hook:${hook.id}`, name: "CI", bot: true }],
      ["deploy done", { id: `hook:${hook.id}`, name: "Deployer", bot: true }],
    ]);
  });

  it("answers 404 for an unknown hook or a wrong secret, checked before the body", async () => {
    const { room, ownerKey } = await ownedRoom("hook-404");
    const hook = await makeHook(room, ownerKey);
    const wrongSecret = hook.url.replace(/[^/]+$/, "A".repeat(43));
    const unknown = hook.url.replace(`/hooks/${hook.id}/`, "/hooks/BBBBBBBBBBBBBBBB/");
    for (const url of [wrongSecret, unknown, `/api/rooms/${room}/hooks/short/secret`]) {
      for (const body of [{ text: "hi" }, "not json"]) {
        const refused = await postToHook(url, body);
        expect([url, refused.status, refused.body.error]).toMatchObject([url, 404, { code: "not_found" }]);
      }
    }
  });

  it("answers 400 bad_body, bad_message and too_long as the fine print says, and stores nothing", async () => {
    const { room, ownerKey, ann } = await busyRoom("hook-bodies");
    const hook = await makeHook(room, ownerKey);
    const cases: [unknown, string][] = [
      ["not json", "bad_body"],
      ["[]", "bad_body"],
      [{}, "bad_body"],
      [{ attachments: [] }, "bad_body"],
      [{ text: 5 }, "bad_body"],
      [{ content: null }, "bad_body"],
      [{ text: "hi", username: "" }, "bad_body"],
      [{ text: "hi", username: 7 }, "bad_body"],
      [{ text: "hi", username: "x".repeat(33) }, "bad_body"],
      [{ text: "   " }, "bad_message"],
      [{ content: "" }, "bad_message"],
      [{ text: "x".repeat(2001) }, "too_long"],
    ];
    for (const [body, code] of cases) {
      const refused = await postToHook(hook.url, body);
      expect([body, refused.status, refused.body.error]).toMatchObject([body, 400, { code }]);
    }
    const tooLongKey = await postToHook(hook.url, { text: "hi" }, { "Idempotency-Key": "k".repeat(65) });
    expect([tooLongKey.status, tooLongKey.body.error]).toMatchObject([400, { code: "bad_body" }]);
    // Exactly 2000 code points (emoji count as one each) is fine.
    const longest = await postToHook(hook.url, { text: "😀".repeat(2000) });
    expect(longest.status).toBe(200);
    expect((await ann.next("message", (m) => m.seq === longest.body.seq)).text).toBe("😀".repeat(2000));
    expect(longest.body.seq).toBe(1);
  });

  it("stores a post with an Idempotency-Key once: the same key again answers the stored seq", async () => {
    const { room, ownerKey, ann } = await busyRoom("hook-idempotent");
    const hook = await makeHook(room, ownerKey);
    const first = await postToHook(hook.url, { text: "once" }, { "Idempotency-Key": "alert-42" });
    expect(first.status).toBe(200);
    const again = await postToHook(hook.url, { text: "once, resent" }, { "Idempotency-Key": "alert-42" });
    expect(again).toMatchObject({ status: 200, body: { seq: first.body.seq } });
    const other = await postToHook(hook.url, { text: "another" }, { "Idempotency-Key": "alert-43" });
    expect(other.body.seq).toBe((first.body.seq as number) + 1);
    const message = await ann.next("message", (m) => m.seq === first.body.seq);
    expect(message.id).toBe("alert-42");
    await ann.next("message", (m) => m.seq === other.body.seq);
    const page = await call<{ messages: { text: string }[] }>(`/api/rooms/${room}/messages`);
    expect(page.body.messages.map((m) => m.text)).toEqual(["once", "another"]);
    // Two posts at once under one key: one message.
    const [a, b] = await Promise.all([
      postToHook(hook.url, { text: "racing" }, { "Idempotency-Key": "race" }),
      postToHook(hook.url, { text: "racing" }, { "Idempotency-Key": "race" }),
    ]);
    expect(a.body.seq).toBe(b.body.seq);
  });

  it("keeps the lock, a mute and a ban (403 locked / muted / banned); slow mode does not apply", async () => {
    const { room, ownerKey, owner, ann } = await busyRoom("hook-moderation");
    const hook = await makeHook(room, ownerKey);
    const hookUser = `hook:${hook.id}`;
    // Slow mode holds members back, not hooks.
    owner.send({ type: "settings", slowMs: 3_600_000 });
    await ann.next("settings");
    expect((await postToHook(hook.url, { text: "one" })).status).toBe(200);
    expect((await postToHook(hook.url, { text: "two" })).status).toBe(200);
    owner.send({ type: "settings", locked: true });
    await ann.next("settings", (s) => s.locked);
    const locked = await postToHook(hook.url, { text: "locked out" });
    expect([locked.status, locked.body.error]).toMatchObject([403, { code: "locked" }]);
    owner.send({ type: "settings", locked: false });
    await ann.next("settings", (s) => !s.locked);
    owner.send({ type: "mute", user: hookUser, ms: 60_000 });
    const muteFrame = await ann.next("moderation", (m) => m.action === "mute");
    expect(muteFrame.user).toEqual({ id: hookUser, name: "alerts", bot: true });
    const muted = await postToHook(hook.url, { text: "muted" });
    expect([muted.status, muted.body.error]).toMatchObject([403, { code: "muted" }]);
    owner.send({ type: "mute", user: hookUser, ms: 0 });
    await ann.next("moderation", (m) => m.action === "mute" && m.until === undefined);
    owner.send({ type: "ban", user: hookUser, ms: 60_000 });
    await ann.next("moderation", (m) => m.action === "ban");
    const banned = await postToHook(hook.url, { text: "banned" });
    expect([banned.status, banned.body.error]).toMatchObject([403, { code: "banned" }]);
    owner.send({ type: "ban", user: hookUser, ms: 0 });
    await ann.next("moderation", (m) => m.action === "ban" && m.until === undefined);
    expect((await postToHook(hook.url, { text: "back" })).status).toBe(200);
    // A moderator may delete a hook's message.
    const mine = await postToHook(hook.url, { text: "to be removed" });
    owner.send({ type: "delete", id: "del-1", target: mine.body.seq });
    expect((await ann.next("delete", (d) => d.target === mine.body.seq)).user.name).toBe("owner");
    expect((await ann.say("the room still works")).text).toBe("the room still works");
  });

  it("can be muted before it ever posts: a hook's user is seen from its creation", async () => {
    const { room, ownerKey, owner, ann } = await busyRoom("hook-seen");
    const hook = await makeHook(room, ownerKey);
    owner.send({ type: "mute", user: `hook:${hook.id}`, ms: 60_000 });
    await ann.next("moderation", (m) => m.action === "mute");
    expect((await postToHook(hook.url, { text: "hello" })).status).toBe(403);
  });

  it("has a bucket of its own: past the burst 429 rate_limited with retryAfterMs and Retry-After in whole seconds", async () => {
    const { room, ownerKey, ann } = await busyRoom("hook-bucket");
    const hook = await makeHook(room, ownerKey);
    const other = await makeHook(room, ownerKey, "other");
    for (let i = 0; i < 20; i++) expect((await postToHook(hook.url, { text: `n${i}` })).status).toBe(200);
    const over = await postToHook(hook.url, { text: "one too many" });
    expect(over.status).toBe(429);
    const error = over.body.error as { code: string; retryAfterMs: number };
    expect(error.code).toBe("rate_limited");
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(over.headers.get("Retry-After")).toBe(String(Math.ceil(error.retryAfterMs / 1000)));
    // Another hook, and the people in the room, have buckets of their own.
    expect((await postToHook(other.url, { text: "still fine" })).status).toBe(200);
    expect((await ann.say("me too")).text).toBe("me too");
  });

  it("is never online and never listed, and cannot receive private messages", async () => {
    const { room, ownerKey, ann } = await busyRoom("hook-unlisted");
    const hook = await makeHook(room, ownerKey);
    const posted = await postToHook(hook.url, { text: "hi all" });
    await ann.next("message", (m) => m.seq === posted.body.seq);
    const late = await join(room, { name: "late" });
    expect(late.welcome.online).toBe(4);
    expect(late.welcome.users.map((u) => u.id)).not.toContain(`hook:${hook.id}`);
    late.socket.send({ type: "members" });
    const members = await late.socket.next("members");
    expect(members.users.map((u) => u.id)).not.toContain(`hook:${hook.id}`);
    late.socket.send({ type: "say", id: "pm", text: "psst", to: `hook:${hook.id}` });
    expect((await late.socket.next("error")).code).toBe("unknown_user");
    const info = await call(`/api/rooms/${room}`);
    expect(info.body.online).toBe(4);
  });

  it("reaches every socket of a room in seq order among people's messages", async () => {
    const room = roomName("hook-order");
    const made = await call<{ room: string; ownerKey: string }>("/api/rooms", { method: "POST", body: JSON.stringify({ name: room }) });
    const ownerKey = made.body.ownerKey;
    const people = await Promise.all(["a", "b", "c", "d"].map(async (name) => (await join(room, { name })).socket));
    const hook = await makeHook(room, ownerKey);
    const said = people[0]!.say("from a person");
    const posted = await postToHook(hook.url, { text: "from the hook" });
    await said;
    for (const socket of people) {
      const seen = await socket.next("message", (m) => m.seq === posted.body.seq);
      expect(seen.from.bot).toBe(true);
    }
    const stranger = await connect(room);
    const welcome = await stranger.hello();
    expect(welcome.messages.map((m) => m.type === "message" && m.text)).toEqual(expect.arrayContaining(["from a person", "from the hook"]));
  });
});

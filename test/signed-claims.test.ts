/**
 * What a signed token's claims do in a room (PROTOCOL.md v3): the order of checks in `hello`, the
 * `role` claim (owner as a key holder, moderator, member over a grant), `bot` on every user object,
 * and tokens verified against the key set (RS256, ES256, EdDSA, with and without `kid`), each family
 * pinned to its own keys. Runs sharded too.
 */
import { describe, expect, it } from "vitest";
import { CLOSE } from "@edge-chat/protocol";
import { type TestSocket, connect, join, roomName, workerFetch } from "./support/room-client.ts";
import { signToken, testKeys } from "./support/signed-tokens.ts";

async function signedJoin(room: string, claims: Record<string, unknown>, fields: Record<string, unknown> = {}) {
  const socket = await connect(room);
  socket.send({ type: "hello", auth: await signToken(claims), ...fields });
  return { socket, welcome: await socket.next("welcome") };
}

async function errorOf(socket: TestSocket, frame: Record<string, unknown>): Promise<string> {
  socket.send(frame);
  return (await socket.next("error")).code;
}

async function ownedRoom(label: string): Promise<{ room: string; ownerKey: string }> {
  const response = await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: roomName(label) }) });
  return (await response.json()) as { room: string; ownerKey: string };
}

describe("the order of checks in a signed hello", () => {
  it("fields first: both token and auth, neither, or an auth that is not a string are bad_message", async () => {
    const socket = await connect(roomName("fields"));
    const auth = await signToken({ sub: "fields" });
    expect(await errorOf(socket, { type: "hello", token: "abcdefghijklmnop", auth })).toBe("bad_message");
    expect(await errorOf(socket, { type: "hello", name: "nobody" })).toBe("bad_message");
    expect(await errorOf(socket, { type: "hello", auth: 42 })).toBe("bad_message");
  });

  it("an invalid hello.name is name_invalid before the credential, unless the token claims a name", async () => {
    const socket = await connect(roomName("name-order"));
    expect(await errorOf(socket, { type: "hello", auth: "not-a-token", name: "\u0007" })).toBe("name_invalid");
    expect(await errorOf(socket, { type: "hello", auth: await signToken({ sub: "n" }), name: "" })).toBe("name_invalid");
    socket.send({ type: "hello", auth: await signToken({ sub: "n", name: "Claimed" }), name: "\u0007" });
    expect((await socket.next("welcome")).self.name).toBe("Claimed");
  });

  it("a name claim that breaks the rules of a name is name_invalid", async () => {
    const socket = await connect(roomName("bad-claim"));
    expect(await errorOf(socket, { type: "hello", auth: await signToken({ sub: "b", name: "x".repeat(40) }) })).toBe("name_invalid");
  });

  it("then the credential, then the key: a valid token with a wrong key is forbidden", async () => {
    const { room } = await ownedRoom("key-order");
    const socket = await connect(room);
    expect(await errorOf(socket, { type: "hello", auth: "not-a-token", key: "wrong" })).toBe("unauthorized");
    expect(await errorOf(socket, { type: "hello", auth: await signToken({ sub: "k" }), key: "wrong" })).toBe("forbidden");
  });

  it("then the ban: a banned sub is refused, unless its token's role is owner", async () => {
    const { room, ownerKey } = await ownedRoom("ban-order");
    const owner = await join(room, { name: "owner", key: ownerKey });
    const target = await signedJoin(room, { sub: "banned-sub", name: "Target" });
    owner.socket.send({ type: "ban", user: "banned-sub", ms: 3_600_000 });
    expect((await target.socket.closedWithin()).code).toBe(CLOSE.removed);
    const again = await connect(room);
    again.send({ type: "hello", auth: await signToken({ sub: "banned-sub" }) });
    expect((await again.next("error")).code).toBe("banned");
    again.send({ type: "hello", auth: await signToken({ sub: "banned-sub", role: "owner" }) });
    expect((await again.next("welcome")).self.role).toBe("owner");
  });
});

describe("the role claim", () => {
  it("owner makes the sub a key holder: listed as owner, never kicked, muted or banned, online or not", async () => {
    const room = roomName("owner-claim");
    const owner = await signedJoin(room, { sub: "boss", name: "Boss", role: "owner" });
    expect(owner.welcome.self.role).toBe("owner");
    const mod = await signedJoin(room, { sub: "mod", name: "Mod", role: "moderator" });
    expect(mod.welcome.users).toContainEqual({ id: "boss", name: "Boss", role: "owner" });
    expect(await errorOf(mod.socket, { type: "kick", user: "boss" })).toBe("forbidden");
    await owner.socket.close();
    expect(await errorOf(mod.socket, { type: "ban", user: "boss", ms: 60_000 })).toBe("forbidden");
  });

  it("moderator lets its sockets moderate; member wins over a grant for the sockets that present it", async () => {
    const { room, ownerKey } = await ownedRoom("member-claim");
    const owner = await join(room, { name: "owner", key: ownerKey });
    const member = await signedJoin(room, { sub: "plain", name: "Plain", role: "member" });
    owner.socket.send({ type: "grant", user: "plain", role: "moderator" });
    await member.socket.next("moderation", (m) => m.action === "grant");
    const victim = await join(room, { name: "victim" });
    expect(await errorOf(member.socket, { type: "kick", user: victim.welcome.self.id })).toBe("forbidden");
    // Without the claim, the grant holds for the same sub.
    const granted = await signedJoin(room, { sub: "plain" });
    expect(granted.welcome.self.role).toBe("moderator");

    const mod = await signedJoin(room, { sub: "claimed-mod", name: "ClaimedMod", role: "moderator" });
    expect(mod.welcome.self.role).toBe("moderator");
    mod.socket.send({ type: "kick", user: victim.welcome.self.id });
    expect((await victim.socket.closedWithin()).code).toBe(CLOSE.removed);
  });
});

describe("the bot claim", () => {
  it("puts bot: true on every user object of the bot: self, users, join, message, members, history, typing, rename, leave", async () => {
    const room = roomName("bot");
    const person = await join(room, { name: "person" });
    const bot = await signedJoin(room, { sub: "helper-bot", name: "Helper", bot: true });
    const me = { id: "helper-bot", name: "Helper", bot: true };
    expect(bot.welcome.self).toEqual({ ...me, role: "member" });
    expect((await person.socket.next("join")).user).toEqual(me);
    const said = await bot.socket.say("beep");
    expect(said.from).toEqual(me);
    expect((await person.socket.next("message", (m) => m.id === said.id)).from).toEqual(me);
    bot.socket.send({ type: "typing" });
    expect((await person.socket.next("typing")).user).toEqual(me);
    person.socket.send({ type: "members" });
    expect((await person.socket.next("members")).users).toContainEqual(me);
    person.socket.send({ type: "history" });
    expect((await person.socket.next("history")).messages.find((m) => m.id === said.id)?.from).toEqual(me);
    const later = await join(room, { name: "later" });
    expect(later.welcome.users).toContainEqual(me);
    expect(later.welcome.messages.find((m) => m.id === said.id)).toMatchObject({ from: me });
    bot.socket.send({ type: "rename", name: "Helper2" });
    expect((await person.socket.next("rename")).user).toEqual({ ...me, name: "Helper2" });
    await bot.socket.close();
    expect((await person.socket.next("leave")).user).toEqual({ ...me, name: "Helper2" });
    // Messages say so over HTTP too, after the bot left.
    const page = (await (await workerFetch(`/api/rooms/${room}/messages`)).json()) as { messages: { from: unknown }[] };
    expect(page.messages[0]!.from).toEqual({ ...me, name: "Helper" });
  });

  it("marks nobody else a bot: people, anonymous or signed, carry no bot field", async () => {
    const room = roomName("no-bot");
    const signed = await signedJoin(room, { sub: "human", name: "Human", bot: false });
    expect(signed.welcome.self).toEqual({ id: "human", name: "Human", role: "member" });
    const said = await signed.socket.say("hello");
    expect(said.from).toEqual({ id: "human", name: "Human" });
  });
});

describe("tokens of the key set (AUTH_JWKS_URL)", () => {
  for (const key of ["rsa", "ec1", "ec2", "ed"] as const) {
    it(`admits a ${testKeys()[key].alg} token named by its kid`, async () => {
      const socket = await connect(roomName(`jwks-${key}`));
      socket.send({ type: "hello", auth: await signToken({ sub: `jwks-${key}` }, { key }) });
      expect((await socket.next("welcome")).self.id).toBe(`jwks-${key}`);
    });
  }

  it("admits a token without kid that one key of the set of its type verifies (two ES256 keys there)", async () => {
    const socket = await connect(roomName("no-kid"));
    socket.send({ type: "hello", auth: await signToken({ sub: "no-kid" }, { key: "ec2", kid: null }) });
    expect((await socket.next("welcome")).self.id).toBe("no-kid");
  });

  it("refuses a kid the set lacks, and a token whose alg is not its key's", async () => {
    const socket = await connect(roomName("bad-kid"));
    expect(await errorOf(socket, { type: "hello", auth: await signToken({ sub: "k" }, { key: "ec1", kid: "nobody" }) })).toBe("unauthorized");
    expect(await errorOf(socket, { type: "hello", auth: await signToken({ sub: "k" }, { key: "ec1", kid: "test-rsa", alg: "ES256" }) })).toBe("unauthorized");
  });

  it("never checks an HS256 token against a key of the set: one keyed with a public key's bytes is refused", async () => {
    const socket = await connect(roomName("confusion"));
    const { kty, n, e } = testKeys().rsa as { kty: string; n: string; e: string };
    const publicBytes = JSON.stringify({ e, kty, n });
    const forged = await signToken({ sub: "forger" }, { secret: publicBytes, kid: "test-rsa" });
    expect(await errorOf(socket, { type: "hello", auth: forged })).toBe("unauthorized");
  });
});

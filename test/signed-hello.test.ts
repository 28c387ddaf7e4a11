/**
 * Signed identity at `hello` (PROTOCOL.md v3, "Signed identity"): HS256 with a key of AUTH_SECRET,
 * `sub` as the id, `name`, the claims' rules, the order of checks, and that a refused hello leaves
 * the socket open and the room working. Runs sharded too (guarantee 9: a shard verifies alike).
 */
import { describe, expect, it } from "vitest";
import { LIMITS } from "@edge-chat/protocol";
import { type TestSocket, connect, join, newToken, roomName, workerFetch } from "./support/room-client.ts";
import { SECOND_SECRET, nowSeconds, signToken, unsecuredToken } from "./support/signed-tokens.ts";

/** Sends a hello and returns the error the room answers. */
async function refused(socket: TestSocket, hello: Record<string, unknown>): Promise<{ code: string; message: string }> {
  socket.send({ type: "hello", ...hello });
  return socket.next("error");
}

/** A room with one anonymous member in it, who must see the room go on after every refusal. */
async function roomWithWitness(label: string) {
  const room = roomName(label);
  const witness = await join(room, { name: "witness" });
  return { room, witness: witness.socket };
}

/** After refusals on `socket`, the same socket still gets in with a good token, and the witness sees it join. */
async function stillWorks(socket: TestSocket, witness: TestSocket, sub: string): Promise<void> {
  socket.send({ type: "hello", auth: await signToken({ sub, name: `fine-${sub}` }) });
  const welcome = await socket.next("welcome");
  expect(welcome.self.id).toBe(sub);
  await witness.next("join", (j) => j.user.id === sub);
}

describe("a hello with a signed token", () => {
  it("admits the token's sub as the user's id, exactly as given, under the name the token claims", async () => {
    const room = roomName("signed");
    const socket = await connect(room);
    socket.send({ type: "hello", auth: await signToken({ sub: "user:42@Example.org", name: " Ada Lovelace " }), name: "ignored" });
    const welcome = await socket.next("welcome");
    expect(welcome.self).toEqual({ id: "user:42@Example.org", name: "Ada Lovelace", role: "member" });
    const other = await join(room, { name: "bob" });
    expect(other.welcome.users).toContainEqual({ id: "user:42@Example.org", name: "Ada Lovelace" });
    const said = await socket.say("hi from a signed user");
    expect(said.from).toEqual({ id: "user:42@Example.org", name: "Ada Lovelace" });
  });

  it("addresses an id of 64 characters of every kind a sub allows like any other: to, members, mute, history over HTTP", async () => {
    const id = "Aa0_.:@-".repeat(8);
    const created = (await (await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: roomName("long-id") }) })).json()) as { room: string; ownerKey: string };
    const owner = await join(created.room, { name: "owner", key: created.ownerKey });
    const auth = await signToken({ sub: id, name: "Long" });
    const signed = await connect(created.room);
    signed.send({ type: "hello", auth });
    expect((await signed.next("welcome")).self.id).toBe(id);
    const secret = await owner.socket.say("for the long id", { to: id });
    expect((await signed.next("message", (m) => m.id === secret.id)).to).toMatchObject({ id, name: "Long" });
    owner.socket.send({ type: "members" });
    expect((await owner.socket.next("members")).users.map((u) => u.id)).toContain(id);
    owner.socket.send({ type: "mute", user: id, ms: 60_000 });
    await signed.next("moderation", (m) => m.action === "mute" && m.user.id === id);
    signed.send({ type: "say", id: "while-muted", text: "muted?" });
    expect((await signed.next("error")).code).toBe("muted");
    const page = (await (await workerFetch(`/api/rooms/${created.room}/messages`, { headers: { Authorization: `Bearer ${auth}` } })).json()) as { messages: { text: string }[] };
    expect(page.messages.map((m) => m.text)).toEqual(["for the long id"]);
  });

  it("takes the name from hello when the token claims none, and a guest name without either", async () => {
    const room = roomName("names");
    const named = await connect(room);
    named.send({ type: "hello", auth: await signToken({ sub: "named" }), name: "Grace" });
    expect((await named.next("welcome")).self.name).toBe("Grace");
    const guest = await connect(room);
    guest.send({ type: "hello", auth: await signToken({ sub: "guest" }) });
    expect((await guest.next("welcome")).self.name).toMatch(/^guest-[0-9a-f]{4,8}$/);
  });

  it("accepts a token signed with any key of AUTH_SECRET (a rotation keeps both)", async () => {
    const socket = await connect(roomName("rotation"));
    socket.send({ type: "hello", auth: await signToken({ sub: "rotated" }, { secret: SECOND_SECRET }) });
    expect((await socket.next("welcome")).self.id).toBe("rotated");
  });

  it("gives two sockets of one sub one user, as two tabs with one anonymous token are", async () => {
    const room = roomName("two-tabs");
    const first = await connect(room);
    first.send({ type: "hello", auth: await signToken({ sub: "tabs", name: "Tab" }) });
    await first.next("welcome");
    const second = await connect(room);
    second.send({ type: "hello", auth: await signToken({ sub: "tabs", name: "Other" }) });
    const welcome = await second.next("welcome");
    expect(welcome.self.name).toBe("Tab");
    expect(welcome.online).toBe(1);
  });

  it("holds the socket's later frames behind its hello while the token is verified: none overtakes it", async () => {
    const room = roomName("order");
    const socket = await connect(room);
    // Sent back to back, before the room could have verified anything.
    socket.send({ type: "hello", auth: await signToken({ sub: "quick", name: "Quick" }, { key: "ec1" }) });
    for (let i = 0; i < 5; i++) socket.send({ type: "say", id: `m${i}`, text: `message ${i}` });
    socket.send({ type: "members" });
    const { before } = await socket.through("members");
    expect(before.map((f) => (f.type === "message" ? f.id : f.type))).toEqual(["welcome", "m0", "m1", "m2", "m3", "m4"]);
  });

  it("lets an anonymous token in beside signed ones when AUTH_REQUIRED is not set", async () => {
    const { welcome } = await join(roomName("mixed"), { token: newToken() });
    expect(welcome.self.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});

describe("a refused signed token", () => {
  const cases: [string, () => Promise<string> | string][] = [
    ["expired past the 60 s leeway", () => signToken({ sub: "late", exp: nowSeconds() - 61 })],
    ["without exp", () => signToken({ sub: "no-exp", exp: undefined })],
    ["not valid before a time more than 60 s away", () => signToken({ sub: "early", nbf: nowSeconds() + 120 })],
    ["issued more than 60 s in the future", () => signToken({ sub: "future", iat: nowSeconds() + 120 })],
    ["from another issuer", () => signToken({ sub: "elsewhere", iss: "https://other.test/" })],
    ["without iss while AUTH_ISSUER is set", () => signToken({ sub: "no-iss", iss: undefined })],
    ["for another audience", () => signToken({ sub: "other-aud", aud: ["someone-else"] })],
    ["without aud while AUTH_AUDIENCE is set", () => signToken({ sub: "no-aud", aud: undefined })],
    ["signed with a key the deployment does not have", () => signToken({ sub: "forged" }, { secret: "a-key-nobody-configured-32-bytes-long" })],
    ["unsecured (alg none)", () => unsecuredToken({ sub: "none" })],
    ["with an alg outside HS256, RS256, ES256 and EdDSA", () => signToken({ sub: "hs512" }, { alg: "HS512" })],
    ["with a sub over 64 characters", () => signToken({ sub: "x".repeat(65) })],
    ["with a sub holding a space", () => signToken({ sub: "two words" })],
    ["with an empty sub", () => signToken({ sub: "" })],
    ["without sub", () => signToken({})],
    ["with a sub of an incoming hook", () => signToken({ sub: "hook:abc" })],
    ["with rooms that is not an array of strings", () => signToken({ sub: "rooms", rooms: "team-*" })],
    ["with an unknown role", () => signToken({ sub: "admin", role: "admin" })],
    ["with a bot claim that is not a boolean", () => signToken({ sub: "bot", bot: "yes" })],
    ["that is not a JWT at all", () => "not-a-token"],
  ];
  for (const [what, make] of cases) {
    it(`is unauthorized when ${what}, and the socket and the room go on`, async () => {
      const { room, witness } = await roomWithWitness("refused");
      const socket = await connect(room);
      const error = await refused(socket, { auth: await make() });
      expect(error.code).toBe("unauthorized");
      await stillWorks(socket, witness, "after-refusal");
    });
  }

  it("accepts exp, nbf and iat within the 60 s leeway", async () => {
    const socket = await connect(roomName("leeway"));
    socket.send({ type: "hello", auth: await signToken({ sub: "skewed", exp: nowSeconds() - 30, nbf: nowSeconds() + 30, iat: nowSeconds() + 30 }) });
    expect((await socket.next("welcome")).self.id).toBe("skewed");
  });

  it(`is unauthorized over ${LIMITS.authMax} characters, however it is signed`, async () => {
    const socket = await connect(roomName("long"));
    const long = await signToken({ sub: "long", padding: "p".repeat(LIMITS.authMax) });
    expect((await refused(socket, { auth: long })).code).toBe("unauthorized");
  });
});

describe("rooms", () => {
  it("lets a token into a room it names exactly or by a prefix ending in *, and no other (forbidden)", async () => {
    const team = roomName("team");
    const exact = await connect(team);
    exact.send({ type: "hello", auth: await signToken({ sub: "exact", rooms: ["other", team] }) });
    expect((await exact.next("welcome")).self.id).toBe("exact");
    const prefixed = await connect(team);
    prefixed.send({ type: "hello", auth: await signToken({ sub: "prefixed", rooms: ["team-*"] }) });
    expect((await prefixed.next("welcome")).self.id).toBe("prefixed");

    const { room, witness } = await roomWithWitness("elsewhere");
    const outside = await connect(room);
    const error = await refused(outside, { auth: await signToken({ sub: "outside", rooms: ["team-*", room.slice(0, 5)] }) });
    expect(error.code).toBe("forbidden");
    await stillWorks(outside, witness, "outside");
  });
});

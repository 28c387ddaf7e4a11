/**
 * Credentials over HTTP (PROTOCOL.md v3): `Authorization: Bearer` with an anonymous token or a
 * signed one, or a `Cf-Access-Jwt-Assertion`, makes the room info and the messages answer for that
 * user (their private messages, `me` in reactions, `read` and `unread`); an invalid credential is
 * 401, a token whose `rooms` leave the room out 403; without one the answers are v2's. Also the
 * owner's credential of the hook and webhook endpoints (credentials.ts), judged here directly.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readAuthConfig } from "../src/server/config.ts";
import { ownerCredential } from "../src/server/identity/credentials.ts";
import { hashOwnerKey } from "../src/server/identity/owner-keys.ts";
import { TokenVerifier } from "../src/server/identity/signed-tokens.ts";
import { connect, join, newToken, roomName, workerFetch } from "./support/room-client.ts";
import { signToken } from "./support/signed-tokens.ts";

const get = (path: string, headers: Record<string, string> = {}) => workerFetch(path, { headers });

/** A room where alice (signed) and bob (anonymous) talk in public and in private, and react. */
async function conversation(label: string) {
  const room = roomName(label);
  const bobToken = newToken();
  const bob = await join(room, { token: bobToken, name: "bob" });
  const aliceAuth = await signToken({ sub: "alice", name: "Alice" });
  const signedAlice = await connect(room);
  signedAlice.send({ type: "hello", auth: aliceAuth });
  await signedAlice.next("welcome");
  const open = await signedAlice.say("in the open");
  const secret = await signedAlice.say("just for bob", { to: bob.welcome.self.id });
  await bob.socket.next("message", (m) => m.id === secret.id);
  bob.socket.send({ type: "react", id: "r1", target: open.seq, emoji: "👍", on: true });
  await bob.socket.next("react");
  await bob.socket.say("bob speaks");
  return { room, bobToken, aliceAuth, open, secret };
}

describe("GET /api/rooms/:room/messages with a credential", () => {
  it("answers what that user may see: their private messages, and me in reactions; without one, public messages only", async () => {
    const { room, bobToken, aliceAuth, secret } = await conversation("http-messages");
    const page = async (headers: Record<string, string>) => (await (await get(`/api/rooms/${room}/messages`, headers)).json()) as { messages: { id: string; text: string; reactions?: { me?: boolean }[] }[] };
    const anonymous = await page({});
    expect(anonymous.messages.map((m) => m.text)).toEqual(["in the open", "bob speaks"]);
    expect(anonymous.messages[0]!.reactions).toEqual([{ emoji: "👍", count: 1 }]);
    const asBob = await page({ Authorization: `Bearer ${bobToken}` });
    expect(asBob.messages.map((m) => m.text)).toEqual(["in the open", "just for bob", "bob speaks"]);
    expect(asBob.messages[0]!.reactions).toEqual([{ emoji: "👍", count: 1, me: true }]);
    const asAlice = await page({ Authorization: `Bearer ${aliceAuth}` });
    expect(asAlice.messages.find((m) => m.id === secret.id)?.text).toBe("just for bob");
    expect(asAlice.messages[0]!.reactions).toEqual([{ emoji: "👍", count: 1, me: false }]);
    const viaAccess = await page({ "Cf-Access-Jwt-Assertion": aliceAuth });
    expect(viaAccess.messages.map((m) => m.text)).toEqual(asAlice.messages.map((m) => m.text));
    const stranger = await page({ Authorization: `Bearer ${newToken()}` });
    expect(stranger.messages.map((m) => m.text)).toEqual(["in the open", "bob speaks"]);
  });
});

describe("GET /api/rooms/:room with a credential", () => {
  it("adds read and unread: messages the user may see, not deleted, not their own", async () => {
    const { room, bobToken, aliceAuth } = await conversation("http-info");
    const info = async (headers: Record<string, string>) => (await (await get(`/api/rooms/${room}`, headers)).json()) as Record<string, unknown>;
    expect(await info({})).not.toHaveProperty("unread");
    expect(await info({ Authorization: `Bearer ${bobToken}` })).toMatchObject({ read: 0, unread: 2 });
    expect(await info({ Authorization: `Bearer ${aliceAuth}` })).toMatchObject({ read: 0, unread: 1 });
  });
});

describe("a refused credential over HTTP", () => {
  const refusals: [string, () => Promise<Record<string, string>>, number, string][] = [
    ["a signed token that does not verify", async () => ({ Authorization: `Bearer ${await signToken({ sub: "x" }, { secret: "not-the-deployment-key-at-all-32b" })}` }), 401, "unauthorized"],
    ["an expired signed token", async () => ({ Authorization: `Bearer ${await signToken({ sub: "x", exp: 1 })}` }), 401, "unauthorized"],
    ["a value that is neither token-shaped nor signed", async () => ({ Authorization: "Bearer short" }), 401, "unauthorized"],
    ["a scheme other than Bearer", async () => ({ Authorization: `Basic ${newToken()}` }), 401, "unauthorized"],
    ["an Access assertion that does not verify", async () => ({ "Cf-Access-Jwt-Assertion": "a.b.c" }), 401, "unauthorized"],
    ["a signed token whose rooms leave the room out", async () => ({ Authorization: `Bearer ${await signToken({ sub: "x", rooms: ["elsewhere"] })}` }), 403, "forbidden"],
  ];
  for (const [what, headers, status, code] of refusals) {
    it(`answers ${status} ${code} to ${what}, on the info and the messages alike`, async () => {
      const room = roomName("http-refused");
      for (const path of [`/api/rooms/${room}`, `/api/rooms/${room}/messages`]) {
        const response = await get(path, await headers());
        expect(response.status).toBe(status);
        expect(await response.json()).toMatchObject({ error: { code } });
      }
    });
  }
});

describe("an owner's credential (hooks and webhooks)", () => {
  const verifier = new TokenVerifier(readAuthConfig(env as unknown as Record<string, string>), false);
  const adminHash = hashOwnerKey("admin-key-of-the-test-deployment");
  const roomKey = "room-owner-key-0123456789abcdefghijklmnopqrstu";
  const judge = (authorization: string | undefined, room = "owned-room") =>
    ownerCredential(new Headers(authorization === undefined ? {} : { Authorization: authorization }), room, verifier, adminHash, async () => hashOwnerKey(roomKey));

  it("takes the room's owner key, ADMIN_KEY, or a signed token with role owner that may enter the room", async () => {
    expect(await judge(`Bearer ${roomKey}`)).toEqual({ ok: true, as: "owner-key" });
    expect(await judge("Bearer admin-key-of-the-test-deployment")).toEqual({ ok: true, as: "admin" });
    expect(await judge(`Bearer ${await signToken({ sub: "boss", role: "owner", rooms: ["owned-*"] })}`)).toEqual({ ok: true, as: "signed-owner", id: "boss" });
  });

  it("is 403 for a valid credential that is not an owner's, 401 when missing or neither token-shaped nor a valid signed token", async () => {
    expect(await judge(`Bearer ${newToken()}`)).toMatchObject({ ok: false, status: 403 });
    expect(await judge(`Bearer ${await signToken({ sub: "member" })}`)).toMatchObject({ ok: false, status: 403 });
    expect(await judge(`Bearer ${await signToken({ sub: "boss", role: "owner", rooms: ["other"] })}`)).toMatchObject({ ok: false, status: 403 });
    expect(await judge(undefined)).toMatchObject({ ok: false, status: 401 });
    expect(await judge("Bearer !")).toMatchObject({ ok: false, status: 401 });
    expect(await judge(`Bearer ${await signToken({ sub: "boss", role: "owner", exp: 1 })}`)).toMatchObject({ ok: false, status: 401 });
  });
});

/**
 * A signed socket's life (PROTOCOL.md v3): the `auth` frame that refreshes its token, the close with
 * 4401 once the token's `exp` (and the 60 s leeway every token gets) is past, from the object's
 * alarm, and a socket whose identity came with its upgrade (`Cf-Access-Jwt-Assertion`). Runs
 * sharded too, where the shard holding the socket closes it.
 */
import { describe, expect, it } from "vitest";
import { CLOSE } from "@edge-chat/protocol";
import { objectsOf } from "./support/objects.ts";
import { runDurableObjectAlarm } from "cloudflare:test";
import { type TestSocket, connect, join, roomName } from "./support/room-client.ts";
import { nowSeconds, signToken } from "./support/signed-tokens.ts";

/** An `exp` whose leeway ends within the next second: the room closes such a socket at once. */
function expiringNow(): number {
  return nowSeconds() - 59;
}

async function signedJoin(room: string, claims: Record<string, unknown>) {
  const socket = await connect(room);
  socket.send({ type: "hello", auth: await signToken(claims) });
  return { socket, welcome: await socket.next("welcome") };
}

async function errorOf(socket: TestSocket, frame: Record<string, unknown>): Promise<string> {
  socket.send(frame);
  return (await socket.next("error")).code;
}

describe("the auth frame", () => {
  it("before hello is not_ready; on an anonymous socket bad_message", async () => {
    const room = roomName("auth-early");
    const early = await connect(room);
    expect(await errorOf(early, { type: "auth", auth: await signToken({ sub: "early" }) })).toBe("not_ready");
    const anonymous = await join(room, { name: "anon" });
    expect(await errorOf(anonymous.socket, { type: "auth", auth: await signToken({ sub: "anon" }) })).toBe("bad_message");
  });

  it("answers {type: auth, exp} with the new exp, and refuses a bad token (unauthorized) or another sub (forbidden) without changing anything", async () => {
    const room = roomName("auth-refresh");
    const { socket } = await signedJoin(room, { sub: "refresher", exp: nowSeconds() + 600 });
    expect(await errorOf(socket, { type: "auth", auth: "not-a-token" })).toBe("unauthorized");
    expect(await errorOf(socket, { type: "auth", auth: await signToken({ sub: "someone-else" }) })).toBe("forbidden");
    expect(await errorOf(socket, { type: "auth", auth: await signToken({ sub: "refresher", rooms: ["elsewhere"] }) })).toBe("forbidden");
    expect(await errorOf(socket, { type: "auth", auth: 7 })).toBe("bad_message");
    const exp = nowSeconds() + 7200;
    socket.send({ type: "auth", auth: await signToken({ sub: "refresher", exp, name: "Renamed?" }) });
    expect(await socket.next("auth")).toEqual({ type: "auth", exp });
    // Nothing else of the new token is taken: no rename.
    const said = await socket.say("still here");
    expect(said.from.name).not.toBe("Renamed?");
  });

  it("is not charged to the bucket: more refreshes than the burst, and a say still goes", async () => {
    const { socket } = await signedJoin(roomName("auth-free"), { sub: "eager" });
    const auth = await signToken({ sub: "eager" });
    for (let i = 0; i < 25; i++) socket.send({ type: "auth", auth });
    for (let i = 0; i < 25; i++) await socket.next("auth");
    await socket.say("the bucket is full");
  });
});

describe("expiry", () => {
  it("closes a socket with 4401 token expired once its token's exp and the leeway are past, and its user leaves", async () => {
    const room = roomName("expiry");
    const witness = await join(room, { name: "witness" });
    const { socket } = await signedJoin(room, { sub: "short-lived", exp: expiringNow() });
    await witness.socket.next("join", (j) => j.user.id === "short-lived");
    expect(await socket.closedWithin(10_000)).toEqual({ code: CLOSE.tokenExpired, reason: "token expired" });
    await witness.socket.next("leave", (l) => l.user.id === "short-lived");
  });

  it("keeps a socket that refreshed its token open past the old expiry", async () => {
    const room = roomName("refreshed");
    const token = { sub: "kept", exp: expiringNow() };
    const kept = await signedJoin(room, token);
    kept.socket.send({ type: "auth", auth: await signToken({ sub: "kept", exp: nowSeconds() + 3600 }) });
    await kept.socket.next("auth");
    // Another socket of the same token, not refreshed: its close shows the old deadline came.
    const control = await signedJoin(room, token);
    expect((await control.socket.closedWithin(10_000)).code).toBe(CLOSE.tokenExpired);
    for (const stub of await objectsOf(room)) await runDurableObjectAlarm(stub);
    expect(kept.socket.closeEvent).toBeUndefined();
    await kept.socket.say("past the old exp");
  });
});

describe("an identity that came with the upgrade (Cloudflare Access)", () => {
  it("admits a hello with neither token nor auth as the assertion's sub; token or auth in hello, and the auth frame, are bad_message", async () => {
    const room = roomName("access");
    const assertion = await signToken({ sub: "employee@corp.example", name: "Employee" }, { key: "rsa" });
    const socket = await connect(room, { "Cf-Access-Jwt-Assertion": assertion });
    expect(await errorOf(socket, { type: "hello", auth: assertion })).toBe("bad_message");
    expect(await errorOf(socket, { type: "hello", token: "abcdefghijklmnopq" })).toBe("bad_message");
    socket.send({ type: "hello" });
    expect((await socket.next("welcome")).self).toEqual({ id: "employee@corp.example", name: "Employee", role: "member" });
    expect(await errorOf(socket, { type: "auth", auth: assertion })).toBe("bad_message");
    await socket.say("from behind Access");
  });

  it("refuses a hello whose assertion does not verify (unauthorized); the socket stays open", async () => {
    const room = roomName("access-bad");
    const socket = await connect(room, { "Cf-Access-Jwt-Assertion": "not-a-token" });
    expect(await errorOf(socket, { type: "hello" })).toBe("unauthorized");
    socket.send({ type: "ping-check" });
    expect((await socket.next("error")).code).toBe("bad_message");
  });
});

/**
 * The key set endpoint when it changes, hangs or fails (DESIGN.md, "Known traps"; PROTOCOL.md v3):
 * a `kid` the set lacks fetches it again at most once per 30 s, a slow or dead endpoint never hangs
 * a hello (unauthorized after the time limit, the room and its other sockets going on), a dead one
 * is not asked again on every hello, and the last good set keeps working while it is down. The
 * endpoint is a stub in this file's isolate (support/key-set-stub.ts); runs sharded too.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type TestSocket, connect, join, roomName } from "./support/room-client.ts";
import { type KeySetStub, stubKeySet } from "./support/key-set-stub.ts";
import { signToken, testKeys } from "./support/signed-tokens.ts";

/** The public half of a test key, as a key set lists it. */
function publicJwk(name: "rsa" | "ec1" | "ec2" | "ed"): object {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = testKeys()[name] as Record<string, unknown>;
  return { ...rest, use: "sig" };
}

let stub: KeySetStub | undefined;
afterEach(() => {
  stub?.restore();
  stub = undefined;
  vi.useRealTimers();
});

/** Sends a hello; returns "welcome" or the error's code. */
async function answerOf(socket: TestSocket, auth: string): Promise<string> {
  socket.send({ type: "hello", auth });
  const answer = await socket.nextOf(["welcome", "error"], 10_000);
  return answer.type === "welcome" ? "welcome" : answer.code;
}

describe("a kid the key set lacks", () => {
  it("fetches the set again at most once per 30 s: refused during the cooldown, accepted after it once the set has the key", async () => {
    stub = stubKeySet({ keys: [publicJwk("ec1")] });
    const socket = await connect(roomName("rotate"));
    expect(await answerOf(socket, await signToken({ sub: "rotating" }, { key: "ec1" }))).toBe("welcome");
    expect(stub.requests).toBe(1);
    // The provider adds a key, and tokens naming it arrive at once (refreshes of this socket, so
    // that one object's cache is what is tested, sharded or not).
    stub.answer = { keys: [publicJwk("ec1"), publicJwk("ec2")] };
    const rotated = await signToken({ sub: "rotating" }, { key: "ec2" });
    for (let i = 0; i < 5; i++) {
      socket.send({ type: "auth", auth: rotated });
      expect((await socket.nextOf(["auth", "error"])).type).toBe("error");
    }
    expect(stub.requests).toBe(1);
    // 31 s later (the room's clock moved: it reads this isolate's Date), one fetch finds the new key.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 31_000 });
    for (let i = 0; i < 2; i++) {
      socket.send({ type: "auth", auth: rotated });
      expect((await socket.nextOf(["auth", "error"])).type).toBe("auth");
    }
    expect(stub.requests).toBe(2);
  });
});

describe("a slow or dead key set endpoint", () => {
  it("never hangs a hello: unauthorized after the time limit, while other sockets join and chat meanwhile", async () => {
    stub = stubKeySet("hang");
    const room = roomName("hang");
    const signed = await connect(room);
    const started = Date.now();
    signed.send({ type: "hello", auth: await signToken({ sub: "waiting" }, { key: "rsa" }) });
    const anonymous = await join(room, { name: "anon" });
    await anonymous.socket.say("the room is not held up");
    expect(signed.pending.some((f) => f.type === "error")).toBe(false);
    expect((await signed.next("error", undefined, 10_000)).code).toBe("unauthorized");
    expect(Date.now() - started).toBeLessThan(9_000);
    // The socket is still open for another try.
    expect(await answerOf(signed, await signToken({ sub: "hs" }))).toBe("welcome");
  });

  it("is not asked again on every hello while it is down", async () => {
    stub = stubKeySet("fail");
    const room = roomName("dead");
    const socket = await connect(room);
    const token = await signToken({ sub: "dead" }, { key: "ed" });
    for (let i = 0; i < 10; i++) expect(await answerOf(socket, token)).toBe("unauthorized");
    expect(stub.requests).toBe(1);
  });

  it("keeps the last good set working while the endpoint fails, past the set's ten minutes of age", async () => {
    stub = stubKeySet({ keys: [publicJwk("ec1")] });
    const room = roomName("stale");
    const token = await signToken({ sub: "steady", exp: Math.floor(Date.now() / 1000) + 7200 }, { key: "ec1" });
    expect(await answerOf(await connect(room), token)).toBe("welcome");
    stub.answer = "fail";
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 11 * 60_000 });
    expect(await answerOf(await connect(room), token)).toBe("welcome");
    expect(stub.requests).toBe(2);
  });
});


/**
 * Signed identities (protocol v3) through the Room: the hello carries `auth` instead of a token,
 * a provider is asked again before the token's `exp` and the socket refreshed with an `auth`
 * frame, and every way the room can refuse a token ends where it should.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AUTH_CLOSE, connect, tokenExpiry, type ConnectOptions } from "../src/index.ts";
import { FakeWebSocket, current, resetSockets, settle, sockets, welcome } from "./support/fake-websocket.ts";

/** An unsigned JWT-shaped token with this `exp` (the client only reads it; the room verifies). */
function jwt(exp: number, sub = "alice-id"): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub, exp })}.c2lnbmF0dXJl`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function options(extra: Partial<ConnectOptions>): ConnectOptions {
  return { url: "http://chat.test", room: "lobby", WebSocket: FakeWebSocket, ...extra };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_800_000_000_000);
  resetSockets();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("signed identity", () => {
  it("reads a token's exp, and nothing from what is not a token", () => {
    expect(tokenExpiry(jwt(1234))).toBe(1234);
    expect(tokenExpiry("not-a-token")).toBeUndefined();
    expect(tokenExpiry("a.%%%.c")).toBeUndefined();
  });

  it("says hello with auth and no token when given a signed token", async () => {
    const token = jwt(nowSeconds() + 3600);
    const pending = connect(options({ auth: token, name: "ignored-when-claimed" }));
    await settle();
    current().open();
    await settle();
    expect(current().frames()).toEqual([{ type: "hello", auth: token, name: "ignored-when-claimed" }]);
    current().receive(welcome());
    await pending;
  });

  it("asks the provider again before exp and refreshes the open socket with an auth frame", async () => {
    const provider = vi.fn(async () => jwt(nowSeconds() + 600));
    const pending = connect(options({ auth: provider }));
    await settle();
    current().open();
    await settle();
    current().receive(welcome());
    const room = await pending;
    expect(provider).toHaveBeenCalledTimes(1);
    // The token lives 600 s: the refresh goes 60 s before it runs out.
    await vi.advanceTimersByTimeAsync(539_000);
    expect(current().frames().filter((f) => f.type === "auth")).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(provider).toHaveBeenCalledTimes(2);
    const refresh = current().last();
    expect(refresh).toMatchObject({ type: "auth" });
    const exp = nowSeconds() + 600;
    const answers: number[] = [];
    room.on("auth", (frame) => answers.push(frame.exp));
    current().receive({ type: "auth", exp });
    expect(answers).toEqual([exp]);
    // And the next one before the new exp, on the same socket.
    await vi.advanceTimersByTimeAsync(540_000);
    expect(current().frames().filter((f) => f.type === "auth")).toHaveLength(2);
    expect(sockets).toHaveLength(1);
  });

  it("starts over with a fresh token when the room refuses a refresh", async () => {
    const provider = vi.fn(async () => jwt(nowSeconds() + 600));
    const pending = connect(options({ auth: provider }));
    await settle();
    current().open();
    await settle();
    current().receive(welcome());
    const room = await pending;
    await vi.advanceTimersByTimeAsync(540_000);
    current().receive({ type: "error", code: "unauthorized", message: "bad token" });
    await settle();
    expect(room.state.state).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    await settle();
    expect(current().frames()[0]).toMatchObject({ type: "hello", auth: expect.any(String) });
    expect(provider).toHaveBeenCalledTimes(3);
  });

  it("asks the provider once more when the hello is refused as unauthorized, then gives up", async () => {
    const provider = vi.fn(async () => jwt(nowSeconds() + 600));
    const pending = connect(options({ auth: provider }));
    await settle();
    current().open();
    await settle();
    current().receive({ type: "error", code: "unauthorized", message: "expired" });
    await settle();
    expect(provider).toHaveBeenCalledTimes(2);
    expect(current().frames().filter((f) => f.type === "hello")).toHaveLength(2);
    current().receive({ type: "error", code: "unauthorized", message: "still no" });
    await expect(pending).rejects.toMatchObject({ code: "unauthorized" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });

  it("behind Cloudflare Access says hello with neither token nor auth, on every connect, and keeps no anonymous token", async () => {
    const written: string[] = [];
    const storage = { getItem: () => null, setItem: (key: string) => void written.push(key), removeItem: () => undefined };
    const pending = connect(options({ access: true, name: "ada", storage }));
    await settle();
    current().open();
    await settle();
    expect(current().frames()).toEqual([{ type: "hello", name: "ada" }]);
    current().receive(welcome());
    const room = await pending;
    current().drop(1006, "gone");
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    await settle();
    expect(current().frames()[0]).toEqual({ type: "hello", name: "ada", since: expect.any(Number), epoch: expect.any(String) });
    expect(written.filter((key) => key.includes("token"))).toEqual([]);
    await room.close();
  });

  it("closes as forbidden when the token's rooms leave this room out", async () => {
    const pending = connect(options({ auth: jwt(nowSeconds() + 600) }));
    await settle();
    current().open();
    await settle();
    current().receive({ type: "error", code: "forbidden", message: "not this room" });
    await expect(pending).rejects.toMatchObject({ code: "forbidden" });
  });

  it("reconnects with a fresh token after a 4401 close when it has a provider, and closes without one", async () => {
    const provider = vi.fn(async () => jwt(nowSeconds() + 600));
    const pending = connect(options({ auth: provider }));
    await settle();
    current().open();
    await settle();
    current().receive(welcome());
    const withProvider = await pending;
    current().drop(AUTH_CLOSE, "token expired");
    expect(withProvider.state.state).toBe("reconnecting");

    const fixed = connect(options({ auth: jwt(nowSeconds() + 600) }));
    await settle();
    current().open();
    await settle();
    current().receive(welcome());
    const withFixed = await fixed;
    current().drop(AUTH_CLOSE, "token expired");
    expect(withFixed.state).toEqual({ state: "closed", reason: "unauthorized" });
  });

  it("retries later when the provider itself fails", async () => {
    let fail = true;
    const provider = vi.fn(async () => {
      if (fail) throw new Error("token endpoint down");
      return jwt(nowSeconds() + 600);
    });
    const pending = connect(options({ auth: provider }));
    await settle();
    current().open();
    await settle();
    expect(current().frames()).toEqual([]);
    fail = false;
    await vi.advanceTimersByTimeAsync(10_000);
    current().open();
    await settle();
    current().receive(welcome());
    await expect(pending).resolves.toBeDefined();
  });
});

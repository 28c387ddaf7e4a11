/**
 * The room's outer guards: which browser origins may open a socket, what happens to a frame over
 * 64 KiB, and how a socket that has gone silent leaves presence. The idle case cannot wait 60 real
 * seconds, so it ages the sockets' attachments and runs the room's sweep alarm by hand.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CLOSE, LIMITS, TIMINGS } from "@edge-chat/protocol";
import { ageSockets, sweepAll } from "./support/objects.ts";
import { TestSocket, connect, join, newToken, roomName, workerFetch, userOf } from "./support/room-client.ts";

/** The origin `workerFetch` serves the page from. */
const OWN_ORIGIN = "https://chat.test";

/** What a browser sends on an upgrade, with `origin` as its Origin header (none when undefined). */
function upgrade(room: string, origin?: string): Promise<Response> {
  const headers: Record<string, string> = {
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
  if (origin !== undefined) headers.Origin = origin;
  return workerFetch(`/api/rooms/${room}/ws`, { headers });
}

/** True when the Durable Object of `room` has ever been created. */
async function roomExists(room: string): Promise<boolean> {
  const id = env.ROOMS.idFromName(room);
  return (await listDurableObjectIds(env.ROOMS)).some((other) => other.equals(id));
}

const utf8 = new TextEncoder();

/** A valid `say` padded by an ignored field to exactly `bytes` bytes of UTF-8, the pad made of `fill`. */
function sayOfBytes(bytes: number, id: string, fill = "a"): string {
  const head = `{"type":"say","id":"${id}","text":"big","pad":"`;
  const tail = `"}`;
  const room = bytes - utf8.encode(head + tail).byteLength;
  const fillBytes = utf8.encode(fill).byteLength;
  const count = Math.floor(room / fillBytes);
  const frame = head + fill.repeat(count) + "a".repeat(room - count * fillBytes) + tail;
  expect(utf8.encode(frame).byteLength).toBe(bytes);
  return frame;
}

describe("origin", () => {
  it("a browser upgrade from a foreign origin is refused with 403 and a JSON error, and no room is touched", async () => {
    const foreign = [
      "https://evil.example",
      "null",
      "http://chat.test", // the page's host, another scheme
      "https://chat.test:8443", // the page's host, another port
      "https://chat.test.evil.example",
      "https://evil.chat.test",
      "https://friend.example.evil.example", // a listed origin as a prefix
      "https://evil-friend.example",
      "http://friend.example",
      "https://friend.example:8443",
      "https://friend.example,https://evil.example", // a header that smuggles the list's separator
    ];
    for (const origin of foreign) {
      const room = roomName("origin-refused");
      const response = await upgrade(room, origin);
      expect(response.status, origin).toBe(403);
      expect(response.webSocket, origin).toBeNull();
      expect(response.headers.get("Content-Type"), origin).toMatch(/^application\/json/);
      const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
      expect(typeof body.error?.code, origin).toBe("string");
      expect(typeof body.error?.message, origin).toBe("string");
      // Refused in the Worker: the room's Durable Object was never created, so it never held a socket.
      expect(await roomExists(room), origin).toBe(false);
    }
  });

  it("an upgrade without Origin, from the page's own origin, or from a listed origin gets a working socket", async () => {
    // The listed ones are written with spaces and a trailing slash in the test config.
    for (const origin of [undefined, OWN_ORIGIN, "https://friend.example", "https://second.example"]) {
      const room = roomName("origin-allowed");
      const response = await upgrade(room, origin);
      expect(response.status, String(origin)).toBe(101);
      const ws = response.webSocket;
      if (!ws) throw new Error(`no socket for ${String(origin)}`);
      // A socket that really talks to the room, not just a 101.
      const socket = new TestSocket(ws);
      const welcome = await socket.hello({ name: "visitor" });
      expect(welcome.self.name).toBe("visitor");
      expect(await roomExists(room)).toBe(true);
      await socket.close();
    }
  });
});

describe("frame size", () => {
  it("a text frame of exactly 65,536 bytes is handled, and one byte more closes the socket with 1009", async () => {
    const room = roomName("frame-size");
    const { socket: observer } = await join(room, { name: "observer" });
    const { socket, welcome } = await join(room, { name: "sender" });
    await observer.next("join");

    socket.send(sayOfBytes(LIMITS.frameBytes, "at-limit"));
    expect(await socket.next("message", (m) => m.id === "at-limit")).toMatchObject({ text: "big" });

    socket.send(sayOfBytes(LIMITS.frameBytes + 1, "over-limit"));
    expect(await socket.closedWithin()).toMatchObject({ code: CLOSE.tooBig });
    // The closed socket left presence: the others are told.
    expect((await observer.next("leave")).user).toEqual(userOf(welcome));
    // And the oversized say was never stored: the next message takes seq 2.
    expect(await observer.say("after")).toMatchObject({ seq: 2 });
  });

  it("the limit counts UTF-8 bytes, not characters", async () => {
    const room = roomName("frame-bytes");
    const { socket } = await join(room);
    // "€" is 3 bytes: 65,536 bytes of them are only ~21,850 characters, well under the limit in chars.
    socket.send(sayOfBytes(LIMITS.frameBytes, "euro-at-limit", "€"));
    await socket.next("message", (m) => m.id === "euro-at-limit");
    socket.send(sayOfBytes(LIMITS.frameBytes + 1, "euro-over", "€"));
    expect(await socket.closedWithin()).toMatchObject({ code: CLOSE.tooBig });
  });

  it("a binary frame over 64 KiB closes with 1009, while one at the limit only gets an error", async () => {
    const room = roomName("frame-binary");
    const { socket } = await join(room);
    socket.ws.send(new Uint8Array(LIMITS.frameBytes));
    expect(await socket.next("error")).toMatchObject({ code: "bad_message" });
    expect(socket.closeEvent).toBeUndefined();
    socket.ws.send(new Uint8Array(LIMITS.frameBytes + 1));
    expect(await socket.closedWithin()).toMatchObject({ code: CLOSE.tooBig });
  });

  it("an oversized frame before hello closes the socket with 1009 too", async () => {
    const socket = await connect(roomName("frame-early"));
    socket.send(sayOfBytes(LIMITS.frameBytes + 1, "early"));
    expect(await socket.closedWithin()).toMatchObject({ code: CLOSE.tooBig });
  });
});

describe("silent sockets", () => {
  it("a socket that sends nothing for 60 s, not even a ping, is closed with 4408 and leaves presence", async () => {
    const room = roomName("idle");
    const { socket: pinger, welcome: pingerWelcome } = await join(room, { name: "pinger" });
    const { socket: silent, welcome: silentWelcome } = await join(room, { name: "silent" });
    await pinger.next("join");
    // The pinger keeps its connection alive the way clients do; the runtime answers without the room.
    pinger.send("ping");
    await pinger.pong();

    await ageSockets(room, TIMINGS.idleTimeoutMs + 1_000);
    expect(await sweepAll(room)).toBe(1);

    expect(await silent.closedWithin()).toMatchObject({ code: CLOSE.timeout });
    expect((await pinger.next("leave")).user).toEqual(userOf(silentWelcome));
    // The pinger was heard recently (its ping), so it stays and is still served; the close
    // that the silent client sends back later is no second leave.
    await pinger.say("still here");
    expect(pinger.closeEvent).toBeUndefined();
    expect(pinger.pending.filter((f) => f.type === "leave")).toEqual([]);
    // Presence is true for a newcomer: the silent user is gone.
    const { welcome } = await join(room, { name: "newcomer" });
    expect(welcome.users.map((u) => u.id).sort()).toEqual([pingerWelcome.self.id, welcome.self.id].sort());
    // The sweep stays armed, so whoever goes silent next is closed within the next 60 s.
    const alarm = await runInDurableObject(env.ROOMS.getByName(room), (_room, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(Date.now() + TIMINGS.idleTimeoutMs);
  });

  it("a silent tab of a user who has another live tab is closed without a leave", async () => {
    const room = roomName("idle-tab");
    const token = newToken();
    const { socket: observer } = await join(room, { name: "observer" });
    const { socket: silentTab } = await join(room, { token, name: "twotabs" });
    const { socket: liveTab } = await join(room, { token });
    await observer.next("join");
    observer.send("ping");
    liveTab.send("ping");
    await Promise.all([observer.pong(), liveTab.pong()]);

    await ageSockets(room, TIMINGS.idleTimeoutMs + 1_000);
    expect(await sweepAll(room)).toBe(2);

    expect(await silentTab.closedWithin()).toMatchObject({ code: CLOSE.timeout });
    // Barrier: the live tab's message reaches the observer after anything the sweep sent; no leave before it.
    const said = await liveTab.say("one tab is enough");
    const { before } = await observer.through("message", (m) => m.seq === said.seq);
    expect(before.filter((f) => f.type === "leave")).toEqual([]);
  });
});

/**
 * The light client against a scripted room (a `ws` server on 127.0.0.1): it must take protocol
 * v2's presence in its stride (`welcome.online` beyond a capped `users`, `join`/`leave` carrying
 * `online`, `occupancy` frames, which a v1 decoder does not know) and still tell a malformed
 * frame, which is a fault, from an unknown type, which is not. The frames are valid v2, so the
 * tests hold with the v1 decoder of this branch and with the v2 one the lead is writing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { LightClient } from "../../bench/light/light-client.ts";
import { readRoomText } from "../../bench/light/room-text.ts";

const user = (i: number) => ({ id: `user-${String(i).padStart(11, "0")}`, name: `user ${i}` });
const limits = { text: 2000, name: 32, burst: 20, perSecond: 5, reactions: 20, usersListed: 100 };
/** A v2 welcome in a room of 5,000: the list capped at 100, `online` counting everyone. */
const welcome = {
  type: "welcome",
  self: { ...user(0), role: "member" },
  users: Array.from({ length: 100 }, (_, i) => user(i)),
  online: 5_000,
  messages: [],
  seq: 0,
  epoch: "e1",
  resumed: false,
  settings: { slowMs: 0, locked: false },
  limits,
};

let server: WebSocketServer | undefined;
afterEach(async () => {
  for (const socket of server?.clients ?? []) socket.terminate();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/**
 * A room on a free port that answers `hello` with `welcome`, and the client's next frame with
 * `then`, one text frame each: the test looks at the client in between.
 */
async function scriptedRoom(welcome: string, then: string[]): Promise<string> {
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (ws: WebSocket) => {
    ws.once("message", () => {
      ws.send(welcome);
      ws.once("message", () => {
        for (const text of then) ws.send(text);
      });
    });
  });
  await new Promise((resolve) => server!.once("listening", resolve));
  const address = server.address();
  return `ws://127.0.0.1:${address !== null && typeof address === "object" ? address.port : 0}/api/rooms/r/ws`;
}

/** Waits until `done` holds, failing after 5 s. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the light client", () => {
  it("follows v2's online counts through welcome, join, leave and occupancy, whether its decoder knows occupancy or not", async () => {
    const welcomeText = JSON.stringify(welcome);
    const url = await scriptedRoom(welcomeText, [
      JSON.stringify({ type: "batch", frames: [{ type: "occupancy", online: 5_003 }, { type: "join", user: user(7), online: 5_004 }] }),
      JSON.stringify({ type: "leave", user: user(7), online: 5_001 }),
      JSON.stringify({ type: "occupancy", online: 4_990 }),
    ]);
    const others: string[] = [];
    const client = new LightClient({ url, events: { other: (frame) => others.push(frame.type) } });
    await client.connect(5_000);
    expect(client.online).toBe(5_000);
    expect(client.welcome?.users).toHaveLength(100);
    expect(client.welcomeBytes).toBe(Buffer.byteLength(welcomeText));
    client.send({ type: "typing" });
    await until(() => client.online === 4_990);
    // A decoder that knows occupancy passes it on; one that does not (v1) has it counted apart.
    const occupancy = (client.unknownTypes.get("occupancy") ?? 0) + others.filter((type) => type === "occupancy").length;
    expect([occupancy, others.filter((type) => type !== "occupancy")]).toEqual([2, ["join", "leave"]]);
    expect(client.malformedFrames).toBe(0);
    await client.close();
  });

  it("counts a frame of a type nobody knows apart, and a malformed frame as malformed", async () => {
    const url = await scriptedRoom(JSON.stringify(welcome), [
      JSON.stringify({ type: "batch", frames: [{ type: "future-frame", online: 1 }, { type: "message", seq: "one" }] }),
      "not json",
    ]);
    const malformed: string[] = [];
    const client = new LightClient({ url, events: { malformed: (text) => malformed.push(text) } });
    await client.connect(5_000);
    client.send({ type: "typing" });
    await until(() => client.malformedFrames === 2);
    expect(Object.fromEntries(client.unknownTypes)).toEqual({ "future-frame": 1 });
    // Only occupancy carries the count: an unknown frame's `online` is not taken.
    expect(client.online).toBe(5_000);
    expect(malformed.at(-1)).toBe("not json");
    await client.close();
  });
});

describe("reading a room's text frame", () => {
  it("sorts what the decoder left out into unknown types and malformed frames, and knows a pong", () => {
    expect(readRoomText("pong").pong).toBe(true);
    const read = readRoomText(JSON.stringify({ type: "batch", frames: [{ type: "future-frame", n: 3 }, { type: "batch", frames: [] }, { type: "leave", user: user(1), online: 2 }] }));
    expect(read.frames.map((f) => f.frame.type)).toEqual(["leave"]);
    expect(read.frames[0]!.raw.online).toBe(2);
    expect(read.unknown.map((u) => [u.type, u.raw.n])).toEqual([["future-frame", 3]]);
    // A batch inside a batch breaks the protocol: malformed, not unknown.
    expect([read.malformed, read.single]).toEqual([1, false]);
    expect(readRoomText(JSON.stringify({ type: "future-frame" })).unknown).toHaveLength(1);
    expect(readRoomText(JSON.stringify({ type: "welcome" })).malformed).toBe(1);
  });
});

/**
 * The Worker's HTTP surface, per PROTOCOL.md's endpoint table: status codes, JSON error bodies,
 * room-name checks before any Durable Object is touched, Origin rules, and the history API.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Room } from "../src/server/objects/room.ts";
import { seedMessages } from "./support/seed.ts";
import { join, roomName, workerFetch } from "./support/room-client.ts";

async function expectJsonError(response: Response, status: number): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toContain("application/json");
  const body = (await response.json()) as { error: { code: unknown; message: unknown } };
  expect(typeof body.error.code).toBe("string");
  expect(typeof body.error.message).toBe("string");
}

describe("the Worker's routes", () => {
  it("answers /api/health with ok", async () => {
    const response = await workerFetch("/api/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("answers a room socket request without an Upgrade header with 426 and a JSON error", async () => {
    await expectJsonError(await workerFetch(`/api/rooms/${roomName("no-upgrade")}/ws`), 426);
  });

  it.each([
    ["upper case", "Lobby"],
    ["too long", "a".repeat(65)],
    ["a percent-encoded space", "a%20b"],
    ["a percent-encoded letter", "%61bc"],
    ["a dot", "a.b"],
    ["empty", ""],
    ["non-ASCII", "caf%C3%A9"],
  ])("refuses a room name that is %s with 400 before any Durable Object is touched", async (_, room) => {
    const before = (await listDurableObjectIds(env.ROOMS)).length;
    await expectJsonError(await workerFetch(`/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket" } }), 400);
    await expectJsonError(await workerFetch(`/api/rooms/${room}/messages`), 400);
    expect((await listDurableObjectIds(env.ROOMS)).length).toBe(before);
  });

  it("accepts a 64-character room name of every allowed character", async () => {
    const room = "abc_-019".repeat(8);
    const response = await workerFetch(`/api/rooms/${room}/messages`);
    expect(response.status).toBe(200);
  });

  it("refuses a browser upgrade from a foreign Origin with 403 and no socket", async () => {
    const response = await workerFetch(`/api/rooms/${roomName("origin")}/ws`, {
      headers: { Upgrade: "websocket", Origin: "https://evil.example" },
    });
    expect(response.webSocket).toBeNull();
    await expectJsonError(response, 403);
  });

  it("accepts an upgrade from the page's own origin and one with no Origin", async () => {
    const room = roomName("same-origin");
    const own = await workerFetch(`/api/rooms/${room}/ws`, {
      headers: { Upgrade: "websocket", Origin: "https://chat.test" },
    });
    expect(own.status).toBe(101);
    own.webSocket?.accept();
    own.webSocket?.close(1000);
    const none = await workerFetch(`/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket" } });
    expect(none.status).toBe(101);
    none.webSocket?.accept();
    none.webSocket?.close(1000);
  });

  it("creates private rooms with 201 and 32 lowercase hex characters, a valid room name", async () => {
    const first = await workerFetch("/api/rooms", { method: "POST" });
    expect(first.status).toBe(201);
    const { room } = (await first.json()) as { room: string };
    expect(room).toMatch(/^[0-9a-f]{32}$/);
    const second = (await (await workerFetch("/api/rooms", { method: "POST" })).json()) as { room: string };
    expect(second.room).not.toBe(room);
    expect((await workerFetch(`/api/rooms/${room}/messages`)).status).toBe(200);
  });

  it("answers a wrong method with 405 and an unknown API path with 404, both as JSON", async () => {
    await expectJsonError(await workerFetch("/api/rooms"), 405);
    await expectJsonError(await workerFetch("/api/health", { method: "POST" }), 405);
    await expectJsonError(await workerFetch(`/api/rooms/${roomName("m")}/messages`, { method: "DELETE" }), 405);
    await expectJsonError(await workerFetch("/api/nothing-here"), 404);
  });

  it("serves the chat page at / and at a room URL", async () => {
    for (const path of ["/", "/r/lobby"]) {
      const response = await workerFetch(path, { headers: { Accept: "text/html" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toContain("text/html");
    }
  });
});

describe("the public history API", () => {
  it("pages public messages in ascending seq with hasMore, and never lists private ones", async () => {
    const room = roomName("history-api");
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob, welcome: bobWelcome } = await join(room, { name: "bob" });
    for (let i = 1; i <= 5; i++) await alice.say(`public ${i}`);
    await alice.say("secret", { to: bobWelcome.self.id });
    await bob.say("public 6");

    const newest = (await (await workerFetch(`/api/rooms/${room}/messages?limit=3`)).json()) as {
      messages: { seq: number; text: string; to?: unknown }[];
      hasMore: boolean;
    };
    expect(newest.messages.map((m) => m.text)).toEqual(["public 4", "public 5", "public 6"]);
    expect(newest.hasMore).toBe(true);

    const older = (await (await workerFetch(`/api/rooms/${room}/messages?before=${newest.messages[0]!.seq}&limit=100`)).json()) as {
      messages: { text: string }[];
      hasMore: boolean;
    };
    expect(older.messages.map((m) => m.text)).toEqual(["public 1", "public 2", "public 3"]);
    expect(older.hasMore).toBe(false);

    const all = (await (await workerFetch(`/api/rooms/${room}/messages`)).json()) as { messages: { text: string; to?: unknown }[] };
    expect(all.messages.map((m) => m.text)).not.toContain("secret");
    expect(all.messages.every((m) => m.to === undefined)).toBe(true);
  });

  it("answers the newest 50 public messages when no limit is given", async () => {
    const room = roomName("history-api-default");
    await seedMessages(room, 60);
    const page = (await (await workerFetch(`/api/rooms/${room}/messages`)).json()) as { messages: { seq: number }[]; hasMore: boolean };
    expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(page.hasMore).toBe(true);
  });

  it("answers a failure inside the room with a JSON 500, never a bare one", async () => {
    const room = roomName("history-api-fails");
    const stub = env.ROOMS.getByName(room);
    const { socket } = await join(room, { name: "alice" });
    // A message, so that the page must read the reaction counts, which then go missing.
    await socket.say("one");
    await runInDurableObject(stub, (_: Room, state) => state.storage.sql.exec("ALTER TABLE reaction_counts RENAME TO counts_away"));
    await expectJsonError(await workerFetch(`/api/rooms/${room}/messages`), 500);
    await runInDurableObject(stub, (_: Room, state) => state.storage.sql.exec("ALTER TABLE counts_away RENAME TO reaction_counts"));
    expect((await workerFetch(`/api/rooms/${room}/messages`)).status).toBe(200);
  });

  it("answers an empty room with no messages and hasMore false", async () => {
    const response = await workerFetch(`/api/rooms/${roomName("empty")}/messages`);
    expect(await response.json()).toEqual({ messages: [], hasMore: false });
  });

  it.each(["before=-1", "before=abc", "before=1.5", "limit=0", "limit=101", "limit=ten", "limit=", "before="])(
    "refuses the query %s with 400",
    async (query) => {
      await expectJsonError(await workerFetch(`/api/rooms/${roomName("bad-query")}/messages?${query}`), 400);
    },
  );
});

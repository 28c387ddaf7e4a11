/**
 * AUTH_REQUIRED = "true" (PROTOCOL.md v3): only signed identities enter. A hello with an anonymous
 * token is unauthorized (the upgrade itself is not refused: its hello decides); the room info, the
 * messages and POST /api/rooms answer 401 without a valid signed credential, an anonymous token as
 * a Bearer included. Its own project (vitest.config.ts), so the rest of the suite stays anonymous.
 */
import { describe, expect, it } from "vitest";
import { connect, newToken, roomName, workerFetch } from "../support/room-client.ts";
import { signToken } from "../support/signed-tokens.ts";

describe("AUTH_REQUIRED", () => {
  it("refuses an anonymous hello with unauthorized, and lets a signed one in on the same socket", async () => {
    const socket = await connect(roomName("required"));
    socket.send({ type: "hello", token: newToken(), name: "anon" });
    expect((await socket.next("error")).code).toBe("unauthorized");
    socket.send({ type: "hello", auth: await signToken({ sub: "member-1", name: "Member" }) });
    expect((await socket.next("welcome")).self.id).toBe("member-1");
  });

  it("answers 401 to the room info, the messages and the search without a credential or with an anonymous one, and 200 with a signed one", async () => {
    const room = roomName("required-http");
    const signed = await signToken({ sub: "reader" });
    for (const path of [`/api/rooms/${room}`, `/api/rooms/${room}/messages`, `/api/rooms/${room}/search?q=hello`]) {
      for (const headers of [{}, { Authorization: `Bearer ${newToken()}` }] as Record<string, string>[]) {
        const response = await workerFetch(path, { headers });
        expect(response.status, path).toBe(401);
        expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
      }
      expect((await workerFetch(path, { headers: { Authorization: `Bearer ${signed}` } })).status).toBe(200);
    }
  });

  it("lets only a signed identity create a room, one its rooms allow", async () => {
    const name = roomName("team-created");
    expect((await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name }) })).status).toBe(401);
    const anonymous = await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name }), headers: { Authorization: `Bearer ${newToken()}` } });
    expect(anonymous.status).toBe(401);
    const outside = await signToken({ sub: "creator", rooms: ["other-*"] });
    expect((await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name }), headers: { Authorization: `Bearer ${outside}` } })).status).toBe(403);
    const creator = await signToken({ sub: "creator", rooms: ["team-*"] });
    const created = await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name }), headers: { Authorization: `Bearer ${creator}` } });
    expect(created.status).toBe(201);
  });
});

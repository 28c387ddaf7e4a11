/**
 * Moderation reasons (PROTOCOL.md v3 fine print): `kick`, `mute` and `ban` accept an optional
 * `reason` of at most 200 code points after trimming (longer: `too_long`; empty after trimming: as
 * if absent), and the `moderation` frame about them carries it, to everyone online.
 */
import { describe, expect, it } from "vitest";
import { TestSocket, join, roomName, workerFetch } from "./support/room-client.ts";

/** A room with an owner and two members, all online. */
async function roomWithOwner(label: string) {
  const response = await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: roomName(label) }) });
  const { room, ownerKey } = (await response.json()) as { room: string; ownerKey: string };
  const owner = await join(room, { name: "owner", key: ownerKey });
  const ann = await join(room, { name: "ann" });
  const ben = await join(room, { name: "ben" });
  return { room, owner, ann, ben };
}

async function expectError(socket: TestSocket, frame: Record<string, unknown>, code: string) {
  socket.send(frame);
  const error = await socket.next("error");
  expect(error.code, JSON.stringify(frame)).toBe(code);
  expect(socket.ws.readyState).toBe(WebSocket.OPEN);
}

describe("moderation reasons (v3)", () => {
  it("carries a trimmed reason on kick, mute and ban to everyone, the person acted on included", async () => {
    const { owner, ann, ben } = await roomWithOwner("reasons");
    const annId = ann.welcome.self.id;
    const benId = ben.welcome.self.id;

    owner.socket.send({ type: "mute", user: annId, ms: 60_000, reason: "  spam in #general  " });
    for (const s of [owner.socket, ann.socket, ben.socket]) {
      expect(await s.next("moderation", (f) => f.action === "mute")).toMatchObject({ user: { id: annId }, reason: "spam in #general" });
    }
    // Lifting a mute may say why too; 200 code points (emoji count as one) is the limit.
    const longest = "🙂".repeat(200);
    owner.socket.send({ type: "mute", user: annId, ms: 0, reason: longest });
    const lifted = await ann.socket.next("moderation", (f) => f.action === "mute");
    expect(lifted.until).toBeUndefined();
    expect(lifted.reason).toBe(longest);

    owner.socket.send({ type: "kick", user: annId, reason: "cool off" });
    expect(await ann.socket.next("moderation", (f) => f.action === "kick")).toMatchObject({ reason: "cool off" });
    expect(await ben.socket.next("moderation", (f) => f.action === "kick")).toMatchObject({ reason: "cool off" });

    owner.socket.send({ type: "ban", user: benId, ms: 3_600_000, reason: "threats" });
    const ban = await ben.socket.next("moderation", (f) => f.action === "ban");
    expect(ban).toMatchObject({ reason: "threats", user: { id: benId } });
    expect(ban.until).toBeGreaterThan(Date.now());
  });

  it("sends no reason when none was given or it was empty after trimming", async () => {
    const { owner, ann } = await roomWithOwner("no-reason");
    const annId = ann.welcome.self.id;
    owner.socket.send({ type: "mute", user: annId, ms: 60_000 });
    expect(Object.keys(await ann.socket.next("moderation"))).not.toContain("reason");
    owner.socket.send({ type: "mute", user: annId, ms: 60_000, reason: " \n\t " });
    expect(Object.keys(await ann.socket.next("moderation"))).not.toContain("reason");
  });

  it("refuses a reason over 200 code points with too_long and one that is not a string with bad_message; nothing happens and the room keeps working", async () => {
    const { owner, ann, ben } = await roomWithOwner("bad-reason");
    const annId = ann.welcome.self.id;
    await expectError(owner.socket, { type: "kick", user: annId, reason: "x".repeat(201) }, "too_long");
    await expectError(owner.socket, { type: "mute", user: annId, ms: 60_000, reason: `  ${"é".repeat(201)}  ` }, "too_long");
    await expectError(owner.socket, { type: "ban", user: annId, ms: 60_000, reason: 42 }, "bad_message");
    await expectError(owner.socket, { type: "ban", user: annId, ms: 60_000, reason: "ab\ud800" }, "bad_message");
    // ann was neither kicked, muted nor banned: she still posts, and ben sees it.
    const said = await ann.socket.say("still here");
    expect((await ben.socket.next("message", (m) => m.seq === said.seq)).text).toBe("still here");
    expect(ann.socket.closeEvent).toBeUndefined();
    expect(owner.socket.pending.filter((f) => f.type === "moderation")).toEqual([]);
  });
});

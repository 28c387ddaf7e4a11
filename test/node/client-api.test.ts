/**
 * @edge-chat/client against a real `wrangler dev` (the same room code a deployment runs): two
 * people and an owner use the Room API as an app would. Folded state on both sides, requests and
 * their answers, moderation with an owner key, the outbox across a network drop (sent once), and a
 * gap-free resume across a restart of the server process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Room } from "@edge-chat/client";
import type { CreatedRoom } from "@edge-chat/protocol";
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";
import { nextEvent, until, untilOpen } from "./client-support.ts";

let server: DevServer;
const rooms: Room[] = [];
beforeAll(async () => {
  server = await startDevServer();
}, 90_000);
afterAll(async () => {
  for (const room of rooms) await room.close();
  await server?.stop();
});

/** Connects one person to `room`, closed after the tests. */
async function join(room: string, name: string, key?: string): Promise<Room> {
  const joined = await connect({ url: server.url, room, name, ...(key ? { key } : {}) });
  rooms.push(joined);
  return joined;
}

describe("the client against wrangler dev", () => {
  it("keeps both sides' messages in their current state through say, reply, edit, react and delete", async () => {
    const ada = await join("api-fold", "ada");
    const bob = await join("api-fold", "bob");
    expect(bob.online).toBe(2);
    expect(bob.users.map((u) => u.name)).toEqual(["bob", "ada"]);
    const first = await ada.say("first");
    const reply = await bob.say("an answer", { replyTo: first.seq });
    expect(reply.replyTo).toMatchObject({ seq: first.seq, text: "first" });
    const edited = nextEvent(bob, "edit", (e) => e.target === first.seq);
    await ada.edit(first.seq, "first, edited");
    await edited;
    expect(bob.message(first.seq)).toMatchObject({ text: "first, edited", edited: expect.any(Number) });
    expect(bob.message(reply.seq)!.replyTo).toMatchObject({ text: "first, edited" });
    const reacted = nextEvent(ada, "react", (r) => r.target === reply.seq);
    await bob.react(reply.seq, "👍");
    await reacted;
    expect(ada.message(reply.seq)!.reactions).toEqual([{ emoji: "👍", count: 1, me: false }]);
    expect(bob.message(reply.seq)!.reactions).toEqual([{ emoji: "👍", count: 1, me: true }]);
    const deleted = nextEvent(bob, "delete", (d) => d.target === first.seq);
    await ada.delete(first.seq);
    await deleted;
    expect(bob.message(first.seq)).toMatchObject({ deleted: true, text: "" });
    expect(bob.message(reply.seq)!.replyTo).toMatchObject({ deleted: true, text: "" });
    await expect(bob.edit(first.seq, "not mine")).rejects.toMatchObject({ code: "forbidden" });
  });

  it("answers history, members and rename, and rejects a private message to nobody", async () => {
    const ada = await join("api-requests", "ada");
    for (let n = 1; n <= 60; n++) await ada.say(`m${n}`);
    const cy = await join("api-requests", "cy");
    expect(cy.messages).toHaveLength(50);
    const page = await cy.history({ before: cy.messages[0]!.seq, limit: 100 });
    expect(page.messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 1}`));
    expect(page.hasMore).toBe(false);
    expect(cy.messages).toHaveLength(60);
    const members = await cy.members();
    expect(members.users.map((u) => u.name).sort()).toEqual(["ada", "cy"]);
    const renamed = nextEvent(ada, "rename", (r) => r.old === "cy");
    await expect(cy.rename("ADA")).resolves.toEqual({ id: cy.self.id, name: "ADA-2" });
    expect((await renamed).user.name).toBe("ADA-2");
    await expect(cy.say("hello?", { to: "nobody-ever-seen" })).rejects.toMatchObject({ code: "unknown_user" });
  });

  it("lets an owner moderate: mute refuses the muted user's say, settings lock the room", async () => {
    const created = (await (await fetch(`${server.url}/api/rooms`, { method: "POST" })).json()) as CreatedRoom;
    const owner = await join(created.room, "owner", created.ownerKey);
    expect(owner.self.role).toBe("owner");
    const bob = await join(created.room, "bob");
    const told = nextEvent(bob, "moderation", (m) => m.action === "mute");
    const muted = await owner.mute(bob.self, 60_000);
    expect(muted).toMatchObject({ action: "mute", user: { id: bob.self.id }, by: { id: owner.self.id } });
    await told;
    await expect(bob.say("let me speak")).rejects.toMatchObject({ code: "muted", retryAfterMs: expect.any(Number) });
    await owner.mute(bob.self, 0);
    await expect(bob.kick(owner.self)).rejects.toMatchObject({ code: "forbidden" });
    const locked = await owner.settings({ locked: true });
    expect(locked).toMatchObject({ locked: true, slowMs: 0 });
    await until(bob, "settings", () => bob.roomSettings.locked);
    await expect(bob.say("locked out")).rejects.toMatchObject({ code: "locked" });
    const removed = nextEvent(bob, "state", (s) => s.state === "closed");
    await owner.kick(bob.self);
    expect(await removed).toEqual({ state: "closed", reason: "removed" });
  });

  it("sends what was said during a network drop once, in order, after reconnecting", async () => {
    const ada = await join("api-outbox", "ada");
    const bob = await join("api-outbox", "bob");
    const heard: string[] = [];
    bob.on("message", (m) => heard.push(m.text));
    ada.goOffline();
    const sent = [ada.say("offline 1"), ada.say("offline 2"), ada.say("offline 3")];
    expect(ada.outbox).toHaveLength(3);
    ada.reconnect();
    const stored = await Promise.all(sent);
    expect(stored.map((m) => m.seq)).toEqual([...stored.map((m) => m.seq)].sort((a, b) => a - b));
    await until(bob, "message", () => heard.length >= 3);
    expect(heard).toEqual(["offline 1", "offline 2", "offline 3"]);
    expect(ada.outbox).toEqual([]);
  });

  it("resumes without a gap after the server process restarts, with what was said meanwhile", async () => {
    const ada = await join("api-restart", "ada");
    await ada.say("before");
    const { port, persistDir } = server;
    await server.stop();
    const queued = ada.say("said while the server was down");
    server = await startDevServer({ port, persistDir });
    await untilOpen(ada);
    const late = await join("api-restart", "late");
    await queued;
    expect(late.messages.map((m) => m.text)).toEqual(["before", "said while the server was down"]);
    const resets: unknown[] = [];
    ada.on("reset", (w) => resets.push(w));
    expect(ada.messages.map((m) => m.text)).toEqual(["before", "said while the server was down"]);
    expect(resets).toEqual([]);
  }, 120_000);
});

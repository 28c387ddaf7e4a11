/**
 * Presence that scales (PROTOCOL.md "Presence"): at most 100 users in `welcome`, `join`/`leave`
 * with `online` only while at most 100 are online, `occupancy` above that at most once a second,
 * `members` pages in ascending id order, typing dropped above 100, and all of it still true after
 * the room is evicted with more than 100 users online.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { LIMITS, TIMINGS } from "@edge-chat/protocol";
import type { WelcomeFrame } from "@edge-chat/protocol";
import { TestSocket, join, roomName, workerFetch } from "./support/room-client.ts";

/** Joins `count` users (`u000`, `u001`, …) a few at a time; returns them in joining order. */
async function crowd(room: string, count: number, prefix = "u"): Promise<{ socket: TestSocket; welcome: WelcomeFrame }[]> {
  const out: { socket: TestSocket; welcome: WelcomeFrame }[] = [];
  for (let start = 0; start < count; start += 25) {
    const wave = Array.from({ length: Math.min(25, count - start) }, (_, i) => join(room, { name: `${prefix}${String(start + i).padStart(3, "0")}` }));
    out.push(...(await Promise.all(wave)));
  }
  return out;
}

/** Sends a say from `socket` and waits until `observer` has it: everything sent before has arrived. */
async function barrier(socket: TestSocket, observer: TestSocket, text: string) {
  socket.send({ type: "say", id: text, text });
  return (await observer.through("message", (m) => m.id === text, 10_000)).before;
}

describe("presence above 100 users", () => {
  it("stops joins above 100 online, sends occupancy instead, and resumes leaves at 100", async () => {
    const room = roomName("cross-100");
    const { socket: observer } = await join(room, { name: "observer" });
    const others = await crowd(room, 99);
    // Up to 100 online, every join carries the count.
    const joins = [];
    for (let i = 0; i < 99; i++) joins.push(await observer.next("join", undefined, 10_000));
    expect(joins.map((j) => j.online)).toEqual(Array.from({ length: 99 }, (_, i) => i + 2));

    // When the room hands each occupancy to a socket, by the room's clock: a receiver's clock
    // would add whatever delay the first frame met on its way under load.
    const sentAt = new Map<number, number>();
    const original = WebSocket.prototype.send;
    const sends = vi.spyOn(WebSocket.prototype, "send").mockImplementation(function (this: WebSocket, data) {
      if (typeof data === "string") for (const m of data.matchAll(/"type":"occupancy","online":(\d+)/g)) if (!sentAt.has(Number(m[1]))) sentAt.set(Number(m[1]), Date.now());
      return original.call(this, data);
    });
    onTestFinished(() => sends.mockRestore());

    // The 101st: no join for anyone, an occupancy instead; its welcome lists 100 with itself.
    const { socket: extra, welcome } = await join(room, { name: "extra" });
    expect(welcome.online).toBe(101);
    expect(welcome.users).toHaveLength(LIMITS.usersListed);
    expect(welcome.users[0]).toEqual({ id: welcome.self.id, name: "extra" });
    const occupancy = await observer.next("occupancy", undefined, 5_000);
    expect(occupancy.online).toBe(101);

    // Typing is dropped while more than 100 are online.
    others[0]!.socket.send({ type: "typing" });
    const before = await barrier(others[0]!.socket, observer, "after-typing");
    expect(before.filter((f) => f.type === "typing" || f.type === "join")).toEqual([]);

    // 101 → 100: no leave (101 were online before it), the count comes as occupancy, a second on.
    await extra.close();
    const down = await observer.next("occupancy", (o) => o.online === 100, 5_000);
    expect(down.online).toBe(100);
    expect(sentAt.get(100)! - sentAt.get(101)!).toBeGreaterThanOrEqual(TIMINGS.occupancyMs - 50);
    expect(observer.pending.filter((f) => f.type === "leave")).toEqual([]);

    // 100 → 99: a leave again, with the count.
    await others[5]!.socket.close();
    expect(await observer.next("leave", undefined, 5_000)).toEqual({ type: "leave", user: { id: others[5]!.welcome.self.id, name: "u005" }, online: 99 });
    // And a join at 99 → 100 is announced again.
    const { welcome: back } = await join(room, { name: "back" });
    expect(await observer.next("join", (j) => j.user.id === back.self.id, 5_000)).toMatchObject({ online: 100 });
  });

  it("keeps every welcome the same size however many are online", async () => {
    const room = roomName("welcome-size");
    await crowd(room, 100, "a");
    const sizes: number[] = [];
    for (const extra of [0, 150]) {
      if (extra > 0) await crowd(room, extra, "b");
      const { socket, welcome } = await join(room, { name: `probe${extra}` });
      expect(welcome.users).toHaveLength(LIMITS.usersListed);
      sizes.push(socket.texts.find((t) => t.includes('"type":"welcome"'))!.length);
    }
    // Only the count and the probe's name differ: a handful of bytes, not 150 users' worth.
    expect(Math.abs(sizes[1]! - sizes[0]!)).toBeLessThan(20);
    expect(sizes[1]!).toBeLessThan(20_000);
  });
});

describe("members", () => {
  it("pages everyone online in ascending id order, with next until the last page", async () => {
    const room = roomName("members");
    const people = await crowd(room, 249);
    const { socket: asker, welcome } = await join(room, { name: "asker" });
    const ids = [...people.map((p) => p.welcome.self.id), welcome.self.id].sort();

    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 4; page++) {
      asker.send(after === undefined ? { type: "members" } : { type: "members", after });
      const answer = await asker.next("members");
      seen.push(...answer.users.map((u) => u.id));
      if (answer.next === undefined) break;
      expect(answer.users).toHaveLength(LIMITS.membersDefault);
      expect(answer.next).toBe(answer.users.at(-1)!.id);
      after = answer.next;
    }
    expect(seen).toEqual(ids);

    // A larger limit, and a cursor by value that need not be online.
    asker.send({ type: "members", limit: 500 });
    const all = await asker.next("members");
    expect(all.users.map((u) => u.id)).toEqual(ids);
    expect(all.next).toBeUndefined();
    const cursor = `${ids[120]!}~`;
    asker.send({ type: "members", after: cursor, limit: 5 });
    expect((await asker.next("members")).users.map((u) => u.id)).toEqual(ids.filter((id) => id > cursor).slice(0, 5));
  });

  it.each([
    ["limit 0", { limit: 0 }],
    ["limit 501", { limit: 501 }],
    ["a fractional limit", { limit: 1.5 }],
    ["an after that is not a string", { after: 5 }],
    ["an empty after", { after: "" }],
  ])("refuses %s with bad_message, and the next members request is answered", async (_, fields) => {
    const { socket } = await join(roomName("members-bad"), { name: "alice" });
    socket.send({ type: "members", ...fields });
    expect((await socket.next("error")).code).toBe("bad_message");
    socket.send({ type: "members" });
    expect((await socket.next("members")).users).toHaveLength(1);
  });

  it("takes a token from the bucket, and answers rate_limited when it is empty", async () => {
    const { socket } = await join(roomName("members-bucket"), { name: "alice" });
    for (let i = 0; i < 20; i++) socket.send({ type: "members" });
    for (let i = 0; i < 20; i++) await socket.next("members");
    socket.send({ type: "members" });
    const error = await socket.next("error");
    expect(error.code).toBe("rate_limited");
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });

  it("shows roles in the list: owner for a user with a keyed socket", async () => {
    const room = roomName("members-roles");
    const created = (await (await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: room }) })).json()) as { ownerKey: string };
    const { socket: owner, welcome } = await join(room, { name: "boss", key: created.ownerKey });
    expect(welcome.self.role).toBe("owner");
    await join(room, { name: "member" });
    owner.send({ type: "members" });
    const page = await owner.next("members");
    expect(page.users.find((u) => u.id === welcome.self.id)).toEqual({ id: welcome.self.id, name: "boss", role: "owner" });
    expect(page.users.find((u) => u.name === "member")).not.toHaveProperty("role");
  });
});

describe("presence after an eviction with more than 100 online", () => {
  it("rebuilds the count, the pages and the leaves of 150 users from the sockets alone", async () => {
    const room = roomName("evict-150");
    const people = await crowd(room, 150);
    await evictDurableObject(env.ROOMS.getByName(room));

    const { socket: asker, welcome } = await join(room, { name: "after" });
    expect(welcome.online).toBe(151);
    expect(welcome.users).toHaveLength(LIMITS.usersListed);
    asker.send({ type: "members", limit: 500 });
    const all = await asker.next("members");
    expect(all.users.map((u) => u.id).sort()).toEqual([...people.map((p) => p.welcome.self.id), welcome.self.id].sort());
    // Names are still unique after the wake: u007 is taken.
    expect((await join(room, { name: "U007" })).welcome.self.name).toBe("U007-2");

    // Leaving still counts: 152 → 100 takes 52 closes, the count arrives as occupancy.
    for (const person of people.slice(0, 51)) await person.socket.close();
    const down = await asker.next("occupancy", (o) => o.online === 101, 5_000);
    expect(down.online).toBe(101);
  });
});

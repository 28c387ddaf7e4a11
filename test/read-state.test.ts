/**
 * Read state (PROTOCOL.md v3): the `read` frame, the position kept per user across devices, the
 * `read` frame to the user's other sockets, `welcome.read`/`welcome.unread`, the room info's
 * `read`/`unread` with a credential, and a position durable within 2 s that survives eviction.
 * Runs sharded too (workers-sharded): a third socket of a room lives on a shard there.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Room } from "../src/server/objects/room.ts";
import { connect, join, newToken, roomName, workerFetch, type TestSocket } from "./support/room-client.ts";
import { roomSql, seedMessages } from "./support/seed.ts";

/** Two sockets of one user (two devices), and a room seq to read up to. */
async function twoDevices(label: string) {
  const room = roomName(label);
  const token = newToken();
  const phone = await join(room, { token, name: "ada" });
  const laptop = await join(room, { token });
  return { room, token, phone: phone.socket, laptop: laptop.socket, id: phone.welcome.self.id };
}

/** Waits until `check` holds, polling the room (every wait has a deadline). */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The stored position of a user, or undefined when none is written. */
async function storedPosition(room: string, id: string): Promise<number | undefined> {
  return (await roomSql<{ seq: number }>(room, "SELECT seq FROM read_positions WHERE user_id = ?", id))[0]?.seq;
}

/** A barrier: the room answers one socket in order, so what it sent before this answer has arrived. */
async function settled(socket: TestSocket): Promise<void> {
  socket.send({ type: "members" });
  await socket.next("members");
}

describe("the read frame", () => {
  it("before hello is not_ready, and the socket may still say hello", async () => {
    const room = roomName("read-not-ready");
    const { socket } = await join(room, { name: "first" });
    const fresh = await connect(room);
    fresh.send({ type: "read", seq: 1 });
    expect(await fresh.next("error")).toMatchObject({ code: "not_ready" });
    expect((await fresh.hello({ name: "later" })).read).toBe(0);
    await socket.say("room still works");
  });

  it("refuses a seq that is not a whole number from 0 with bad_message, and the room goes on", async () => {
    const { phone, laptop } = await twoDevices("read-bad-seq");
    for (const seq of [-1, 1.5, "3", null]) {
      phone.send({ type: "read", seq });
      expect(await phone.next("error")).toMatchObject({ code: "bad_message" });
    }
    phone.send({ type: "read" });
    expect(await phone.next("error")).toMatchObject({ code: "bad_message" });
    const said = await phone.say("still here");
    phone.send({ type: "read", seq: said.seq });
    expect(await laptop.next("read")).toEqual({ type: "read", seq: said.seq });
  });

  it("moves the position forward only; the sender gets no answer, the user's other sockets get the new position", async () => {
    const { phone, laptop } = await twoDevices("read-moves");
    const first = await phone.say("one");
    const second = await phone.say("two");
    await laptop.next("message", (m) => m.seq === second.seq);
    phone.send({ type: "read", seq: second.seq });
    expect(await laptop.next("read")).toEqual({ type: "read", seq: second.seq });
    // Backwards, and the same again: nothing moves, nobody hears of it.
    phone.send({ type: "read", seq: first.seq });
    phone.send({ type: "read", seq: second.seq });
    laptop.send({ type: "read", seq: first.seq });
    await settled(phone);
    await settled(laptop);
    expect(phone.pending.filter((f) => f.type === "read")).toEqual([]);
    expect(laptop.pending.filter((f) => f.type === "read")).toEqual([]);
    // From the laptop: the phone hears, the laptop does not.
    const third = await phone.say("three");
    laptop.send({ type: "read", seq: third.seq });
    expect(await phone.next("read")).toEqual({ type: "read", seq: third.seq });
    await settled(laptop);
    expect(laptop.pending.filter((f) => f.type === "read")).toEqual([]);
  });

  it("reaches every other socket of the user, wherever it is held (sharded: the third is on a shard)", async () => {
    const { room, token, phone, laptop } = await twoDevices("read-three");
    const { socket: tablet } = await join(room, { token });
    const first = await phone.say("first");
    const second = await phone.say("second");
    await tablet.next("message", (m) => m.seq === second.seq);
    tablet.send({ type: "read", seq: first.seq });
    expect(await phone.next("read")).toEqual({ type: "read", seq: first.seq });
    expect(await laptop.next("read")).toEqual({ type: "read", seq: first.seq });
    phone.send({ type: "read", seq: second.seq });
    expect(await tablet.next("read")).toEqual({ type: "read", seq: second.seq });
    expect(await laptop.next("read")).toEqual({ type: "read", seq: second.seq });
    await settled(tablet);
    expect(tablet.pending.filter((f) => f.type === "read")).toEqual([]);
  });

  it("is capped at the room's latest seq, change events included", async () => {
    const { phone, laptop } = await twoDevices("read-capped");
    const said = await phone.say("to be edited");
    phone.send({ type: "edit", id: "e1", target: said.seq, text: "edited" });
    const edit = await phone.next("edit");
    expect(edit.seq).toBe(said.seq + 1);
    phone.send({ type: "read", seq: 1_000_000 });
    expect(await laptop.next("read")).toEqual({ type: "read", seq: edit.seq });
  });

  it("is never shown to anyone else: other users get no read frame, and their welcome shows their own position", async () => {
    const { room, phone, laptop } = await twoDevices("read-private");
    const other = await join(room, { name: "bea" });
    const said = await phone.say("hello bea");
    await other.socket.next("message", (m) => m.seq === said.seq);
    phone.send({ type: "read", seq: said.seq });
    await laptop.next("read");
    await settled(other.socket);
    expect(other.socket.pending.filter((f) => f.type === "read")).toEqual([]);
    const again = await join(room, { name: "cyd" });
    expect(again.welcome.read).toBe(0);
  });

  it("is not charged to the bucket", async () => {
    const room = roomName("read-free");
    await seedMessages(room, 30);
    const { socket } = await join(room, { name: "reader" });
    // 25 reads that each move the position: more than the burst of 20.
    for (let seq = 1; seq <= 25; seq++) socket.send({ type: "read", seq });
    for (let i = 0; i < 20; i++) socket.send({ type: "history", limit: 1 });
    for (let i = 0; i < 20; i++) await socket.next("history");
    expect(socket.pending.filter((f) => f.type === "error")).toEqual([]);
  });
});

describe("welcome.read and welcome.unread", () => {
  // 0 seeded: the newest rows kept for welcomes hold the whole log (counted in memory); 150: the count is a query.
  it.each([0, 150])("count the messages the user may see above the position: not deleted, not their own, private ones to them included (%i older messages)", async (older) => {
    const room = roomName("read-welcome");
    if (older > 0) await seedMessages(room, older);
    const token = newToken();
    const ada = await join(room, { token, name: "ada" });
    const bea = await join(room, { name: "bea" });
    const cyd = await join(room, { name: "cyd" });
    const adaId = ada.welcome.self.id;
    await bea.socket.say("public from bea");
    const toAda = await bea.socket.say("private to ada", { to: adaId });
    await bea.socket.say("private to cyd", { to: cyd.welcome.self.id });
    const gone = await cyd.socket.say("deleted soon");
    cyd.socket.send({ type: "delete", id: "d1", target: gone.seq });
    await cyd.socket.next("delete");
    await ada.socket.say("ada's own");
    const last = await cyd.socket.say("public from cyd");
    await ada.socket.next("message", (m) => m.seq === last.seq);

    const fresh = await join(room, { token });
    // Visible, not deleted, not her own: bea's public, bea's private to her, cyd's last (and the older ones).
    expect({ read: fresh.welcome.read, unread: fresh.welcome.unread }).toEqual({ read: 0, unread: 3 + older });
    fresh.socket.send({ type: "read", seq: toAda.seq });
    await ada.socket.next("read");
    const later = await join(room, { token });
    expect({ read: later.welcome.read, unread: later.welcome.unread }).toEqual({ read: toAda.seq, unread: 1 });
  });

  it("counts up to 1,000 in a room with more", async () => {
    const room = roomName("read-unread-cap");
    await seedMessages(room, 1_005);
    const { welcome } = await join(room, { name: "late" });
    expect({ read: welcome.read, unread: welcome.unread }).toEqual({ read: 0, unread: 1_000 });
  });
});

describe("a read position", () => {
  it("is written by the alarm within about a second, coalesced, and survives eviction", async () => {
    const { room, phone, laptop, id, token } = await twoDevices("read-durable");
    const said = await phone.say("read me");
    const sentAt = Date.now();
    for (let seq = 1; seq <= said.seq; seq++) phone.send({ type: "read", seq });
    await laptop.next("read", (f) => f.seq === said.seq);
    const alarm = await runInDurableObject(env.ROOMS.getByName(room), (_: Room, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(alarm!).toBeGreaterThanOrEqual(sentAt);
    await until(async () => (await storedPosition(room, id)) === said.seq, 10_000, "the position was not written");
    // Every read moved it, yet one row was written for all of them.
    const stats = await runInDurableObject(env.ROOMS.getByName(room), (instance: Room) => instance.stats());
    expect(stats[0]!.readRows).toBe(1);
    await evictDurableObject(env.ROOMS.getByName(room));
    const back = await join(room, { token });
    expect(back.welcome.read).toBe(said.seq);
  });

  it("is written at once when a socket of the room closes", async () => {
    const { room, phone, laptop, id } = await twoDevices("read-on-close");
    const said = await phone.say("last words");
    phone.send({ type: "read", seq: said.seq });
    await laptop.next("read");
    await laptop.close();
    // The close is handled in the room's next turn: wait for the position, well before the alarm's second.
    await until(async () => (await storedPosition(room, id)) === said.seq, 5_000, "the close did not write the position");
  });
});

describe("GET /api/rooms/:room with a credential", () => {
  it("answers that user's read and unread, and nothing of them without one", async () => {
    const { room, token, phone, laptop } = await twoDevices("read-info");
    const other = await join(room, { name: "bea" });
    await other.socket.say("one");
    const two = await other.socket.say("two");
    await phone.next("message", (m) => m.seq === two.seq);
    phone.send({ type: "read", seq: two.seq - 1 });
    await laptop.next("read");
    const info = async (headers: Record<string, string>) => (await (await workerFetch(`/api/rooms/${room}`, { headers })).json()) as Record<string, unknown>;
    expect(await info({ Authorization: `Bearer ${token}` })).toMatchObject({ read: two.seq - 1, unread: 1 });
    const anonymous = await info({});
    expect(anonymous).not.toHaveProperty("read");
    expect(anonymous).not.toHaveProperty("unread");
    expect(await info({ Authorization: `Bearer ${newToken()}` })).toMatchObject({ read: 0, unread: 2 });
  });
});

/**
 * Files on messages (PROTOCOL.md v3, "Files"): `say.files` and each of its refusals (the room goes
 * on after every one), the files in every path a message shows (live, welcome, a resume, history,
 * the HTTP API), private messages' files listed only to the pair, and erasure: a deleted message
 * lists no files, its files' URLs answer 404 from the delete on, and R2 itself no longer holds them.
 * Three people in a room, so that under `workers-sharded` (SHARD_CAPACITY=2) one of them is on a shard.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { FileRef, MessageFrame } from "@edge-chat/protocol";
import { describe, expect, it, vi } from "vitest";
import { png, webp } from "./support/images.ts";
import { join, messagesOf, newToken, roomName, workerFetch, type TestSocket } from "./support/room-client.ts";
import { upload } from "./support/uploads.ts";

/** Alice, Bob and Carol in one room; each keeps their token for uploads. */
async function threePeople(label: string) {
  const room = roomName(label);
  const people = [];
  for (const name of ["alice", "bob", "carol"]) {
    const token = newToken();
    const { socket, welcome } = await join(room, { token, name });
    people.push({ token, socket, welcome, id: welcome.self.id });
  }
  const [alice, bob, carol] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
  return { room, alice, bob, carol };
}

/** Sends a say with files and returns the error or the echo. */
async function sayWith(socket: TestSocket, fields: Record<string, unknown>) {
  const id = typeof fields.id === "string" ? fields.id : crypto.randomUUID();
  socket.send({ type: "say", id, text: "", ...fields });
  // Others' messages arriving meanwhile are passed over.
  for (;;) {
    const frame = await socket.nextOf(["message", "error"]);
    if (frame.type === "error" ? frame.ref === id : frame.id === id) return frame;
  }
}

/** The R2 object of a file, or null once it is erased. */
function inBucket(room: string, file: FileRef) {
  return env.FILES.head(`${room}/${file.id}`);
}

const strip = (files: readonly FileRef[]) => files.map((f) => ({ ...f }));

describe("say.files", () => {
  it("attaches 1–4 of the sender's files, in the order given, with an empty text; everyone sees them live", async () => {
    const { room, alice, bob, carol } = await threePeople("attach");
    const files = [await upload(room, png(10, 20), { credential: alice.token, name: "one.png" }), await upload(room, webp(30, 40), { credential: alice.token, type: "image/webp" })];
    const sent = await sayWith(alice.socket, { files: [files[1]!.id, files[0]!.id] });
    expect(sent.type).toBe("message");
    const echo = sent as MessageFrame;
    expect(echo.text).toBe("");
    expect(echo.files).toEqual([files[1], files[0]]);
    for (const other of [bob, carol]) {
      const seen = await other.socket.next("message", (m) => m.id === echo.id);
      expect(seen.files).toEqual(strip(echo.files!));
    }
    const four = await Promise.all([1, 2, 3, 4].map((n) => upload(room, png(n, n), { credential: bob.token })));
    const withText = await sayWith(bob.socket, { text: "  four pictures  ", files: four.map((f) => f.id) });
    expect(withText).toMatchObject({ type: "message", text: "four pictures", files: four });
  });

  it("refuses 5 ids, [], a value that is not an array, and an empty text without files (bad_message); the room goes on", async () => {
    const { room, alice, bob } = await threePeople("attach-shape");
    const five = await Promise.all([1, 2, 3, 4, 5].map((n) => upload(room, png(n, n), { credential: alice.token })));
    const refusals: Record<string, unknown>[] = [
      { files: five.map((f) => f.id) },
      { files: [] },
      { files: five[0]!.id },
      { files: [5] },
      { files: [five[0]!.id, five[0]!.id] },
      { text: "   " },
      {},
    ];
    for (const fields of refusals) {
      const answer = await sayWith(alice.socket, fields);
      expect([JSON.stringify(fields), answer.type === "error" && answer.code]).toEqual([JSON.stringify(fields), "bad_message"]);
    }
    // None of them was taken: the files still attach, and the room goes on for everyone.
    const ok = await sayWith(alice.socket, { text: "now", files: five.slice(0, 4).map((f) => f.id) });
    expect(ok.type).toBe("message");
    await bob.socket.next("message", (m) => m.id === (ok as MessageFrame).id);
  });

  it("refuses another person's file, another room's, one attached already, and an unknown id (not_found); the room goes on", async () => {
    const { room, alice, bob } = await threePeople("attach-owner");
    const bobs = await upload(room, png(2, 2), { credential: bob.token });
    const elsewhere = await upload(roomName("elsewhere"), png(2, 2), { credential: alice.token });
    const mine = await upload(room, png(2, 2), { credential: alice.token });
    expect((await sayWith(alice.socket, { files: [mine.id] })).type).toBe("message");
    for (const files of [[bobs.id], [elsewhere.id], [mine.id], ["A".repeat(22)], ["not-a-file-id"]]) {
      const answer = await sayWith(alice.socket, { text: "look", files });
      expect([files[0], answer.type === "error" && answer.code]).toEqual([files[0], "not_found"]);
    }
    // Two says naming the same file in one burst: only the first takes it.
    const shared = await upload(room, png(2, 2), { credential: alice.token });
    alice.socket.send({ type: "say", id: "first", text: "", files: [shared.id] });
    alice.socket.send({ type: "say", id: "second", text: "", files: [shared.id] });
    expect((await alice.socket.next("message", (m) => m.id === "first")).files?.[0]?.id).toBe(shared.id);
    expect(await alice.socket.next("error", (e) => e.ref === "second")).toMatchObject({ code: "not_found" });
    // Bob's own file is still his to attach.
    expect((await sayWith(bob.socket, { files: [bobs.id] })).type).toBe("message");
  });

  it("answers a resent duplicate id with the stored message and its files, taking nothing", async () => {
    const { room, alice } = await threePeople("attach-duplicate");
    const file = await upload(room, png(2, 2), { credential: alice.token });
    const first = (await sayWith(alice.socket, { id: "dup", files: [file.id] })) as MessageFrame;
    alice.socket.send({ type: "say", id: "dup", text: "", files: [file.id] });
    const again = await alice.socket.next("message", (m) => m.id === "dup");
    expect(again.seq).toBe(first.seq);
    expect(again.files).toEqual(strip(first.files!));
  });
});

describe("files in every path a message shows", () => {
  it("lists them in welcome, a resume, history and the HTTP API; a private message's only to its pair", async () => {
    const { room, alice, bob, carol } = await threePeople("paths");
    const pub = await upload(room, png(3, 3), { credential: alice.token, name: "public.png" });
    const priv = await upload(room, png(4, 4), { credential: alice.token, name: "private.png" });
    const open = (await sayWith(alice.socket, { text: "for all", files: [pub.id] })) as MessageFrame;
    const secret = (await sayWith(alice.socket, { text: "for bob", to: bob.id, files: [priv.id] })) as MessageFrame;
    expect(secret.files).toEqual([priv]);
    await bob.socket.next("message", (m) => m.id === secret.id);
    expect(carol.socket.pending.some((f) => f.type === "message" && f.id === secret.id)).toBe(false);

    const fresh = await join(room, { token: bob.token });
    const listed = messagesOf(fresh.welcome);
    expect(listed.find((m) => m.id === open.id)?.files).toEqual([pub]);
    expect(listed.find((m) => m.id === secret.id)?.files).toEqual([priv]);

    const resumed = await join(room, { token: bob.token, since: open.seq - 1, epoch: fresh.welcome.epoch });
    expect(resumed.welcome.resumed).toBe(true);
    expect(messagesOf(resumed.welcome).find((m) => m.id === open.id)?.files).toEqual([pub]);

    carol.socket.send({ type: "history" });
    const history = await carol.socket.next("history");
    expect(history.messages.find((m) => m.id === open.id)).toMatchObject({ files: [pub] });
    expect(history.messages.some((m) => m.id === secret.id)).toBe(false);

    const page = async (credential?: string) =>
      ((await (await workerFetch(`/api/rooms/${room}/messages`, { headers: credential ? { Authorization: `Bearer ${credential}` } : {} })).json()) as { messages: MessageFrame[] }).messages;
    const anonymous = await page();
    expect(anonymous.find((m) => m.id === open.id)?.files).toEqual([pub]);
    expect(JSON.stringify(anonymous)).not.toContain(priv.id);
    expect(JSON.stringify(await page(carol.token))).not.toContain(priv.id);
    expect((await page(bob.token)).find((m) => m.id === secret.id)?.files).toEqual([priv]);
  });
});

describe("deleting a message erases its files", () => {
  it("from the delete on their URLs answer 404, R2 holds them no longer, and the message lists no files by any path", async () => {
    const { room, alice, bob, carol } = await threePeople("erase");
    const files = [await upload(room, png(5, 5), { credential: alice.token }), await upload(room, png(6, 6), { credential: alice.token })];
    const kept = await upload(room, png(7, 7), { credential: alice.token });
    const message = (await sayWith(alice.socket, { text: "gone soon", files: files.map((f) => f.id) })) as MessageFrame;
    const other = (await sayWith(alice.socket, { text: "stays", files: [kept.id] })) as MessageFrame;
    for (const file of files) expect((await workerFetch(file.url)).status).toBe(200);

    alice.socket.send({ type: "delete", id: "del", target: message.seq });
    await alice.socket.next("delete", (d) => d.target === message.seq);
    await carol.socket.next("delete", (d) => d.target === message.seq);
    // At once: the room's record flipped in the commit of the delete.
    for (const file of files) expect((await workerFetch(file.url)).status).toBe(404);
    // The bytes themselves: deleted from R2 right after that commit.
    await vi.waitFor(async () => {
      for (const file of files) expect(await inBucket(room, file)).toBeNull();
    }, { timeout: 5_000, interval: 20 });
    expect(await inBucket(room, kept)).not.toBeNull();
    expect((await workerFetch(kept.url)).status).toBe(200);

    const welcome = (await join(room, { token: bob.token })).welcome;
    const deleted = messagesOf(welcome).find((m) => m.seq === message.seq)!;
    expect(deleted).toEqual({ type: "message", seq: message.seq, id: message.id, from: message.from, ts: message.ts, text: "", deleted: true });
    expect(messagesOf(welcome).find((m) => m.seq === other.seq)?.files).toEqual([kept]);
    const page = (await (await workerFetch(`/api/rooms/${room}/messages`)).json()) as { messages: MessageFrame[] };
    expect(page.messages.find((m) => m.seq === message.seq)).not.toHaveProperty("files");
    // Nothing of the erased files is left in the room's storage either.
    const rows = await runInDurableObject(env.ROOMS.getByName(room), (_: unknown, state: DurableObjectState) =>
      state.storage.sql.exec<{ id: string }>("SELECT id FROM files").toArray().map((r) => r.id),
    );
    expect(rows).toEqual([kept.id]);
    // The room goes on.
    await bob.socket.say("after the delete");
  });

  it("a moderator's delete erases them too, and a file attached to a deleted message cannot be attached again", async () => {
    const room = roomName("erase-moderator");
    const ownerKey = ((await (await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: room }) })).json()) as { ownerKey: string }).ownerKey;
    const owner = await join(room, { key: ownerKey, name: "owner" });
    const token = newToken();
    const member = await join(room, { token, name: "member" });
    const file = await upload(room, png(2, 2), { credential: token });
    const message = (await sayWith(member.socket, { files: [file.id] })) as MessageFrame;
    owner.socket.send({ type: "delete", id: "mod-del", target: message.seq });
    await member.socket.next("delete", (d) => d.target === message.seq);
    expect((await workerFetch(file.url)).status).toBe(404);
    await vi.waitFor(async () => expect(await inBucket(room, file)).toBeNull(), { timeout: 5_000, interval: 20 });
    const again = await sayWith(member.socket, { files: [file.id] });
    expect(again).toMatchObject({ type: "error", code: "not_found" });
  });
});

describe("welcome.limits", () => {
  it("carries files: 4 and fileBytes, the room's FILE_MAX_BYTES", async () => {
    const { welcome } = await join(roomName("limits"));
    expect(welcome.limits).toMatchObject({ files: 4, fileBytes: 262_144 });
  });
});

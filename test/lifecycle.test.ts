/**
 * Replies, edits, deletes and reactions (PROTOCOL.md v2): every change an event with its own seq,
 * messages served in their current state by every path, private changes private, and a delete
 * that erases the text for good. Each rule is broken once and the room must answer the exact error
 * and keep working.
 */
import { describe, expect, it } from "vitest";
import { LIMITS } from "@edge-chat/protocol";
import type { MessageFrame } from "@edge-chat/protocol";
import { TestSocket, join, messagesOf, newToken, roomName, userOf, workerFetch } from "./support/room-client.ts";
import { roomSql } from "./support/seed.ts";

let counter = 0;
const nextId = () => `c${++counter}`;

/** Sends a frame and waits for its echo of `type` (a `message` echoes a `say`). */
async function echoed<T extends "message" | "edit" | "delete" | "react">(socket: TestSocket, type: T, frame: Record<string, unknown>) {
  const id = nextId();
  socket.send({ ...frame, type: type === "message" ? "say" : type, id });
  return socket.next(type, (f) => (f as { id: string }).id === id);
}

/** Sends a frame that must be refused, and returns the error. */
async function refused(socket: TestSocket, frame: Record<string, unknown>) {
  const id = (frame.id as string | undefined) ?? nextId();
  socket.send({ ...frame, id });
  return socket.next("error", (e) => e.ref === id);
}

/** Alice and bob in a fresh room. */
async function pair(label: string) {
  const room = roomName(label);
  const alice = await join(room, { name: "alice" });
  const bob = await join(room, { name: "bob" });
  await alice.socket.next("join");
  return { room, alice: alice.socket, bob: bob.socket, a: alice.welcome, b: bob.welcome };
}

async function historyOf(socket: TestSocket): Promise<MessageFrame[]> {
  socket.send({ type: "history" });
  return (await socket.next("history")).messages;
}

describe("replies", () => {
  it("quote the message they answer as it stands, cut to 200 code points", async () => {
    const { alice, bob, a } = await pair("reply");
    const long = "中".repeat(250);
    const original = await alice.say(long);
    const reply = await echoed(bob, "message", { text: "answer", replyTo: original.seq });
    expect(reply.replyTo).toEqual({ seq: original.seq, from: userOf(a), text: "中".repeat(LIMITS.quote) });
    expect(await alice.next("message", (m) => m.seq === reply.seq)).toEqual(reply);
    // The quote shows later edits when served again.
    await echoed(alice, "edit", { target: original.seq, text: "shorter now" });
    const listed = (await historyOf(bob)).find((m) => m.seq === reply.seq)!;
    expect(listed.replyTo).toEqual({ seq: original.seq, from: userOf(a), text: "shorter now" });
  });

  it.each([
    ["seq 0", 0],
    ["a seq nobody used", 999],
  ])("to %s are not_found, and nothing is stored", async (_, replyTo) => {
    const { alice } = await pair("reply-missing");
    expect((await refused(alice, { type: "say", text: "hm", replyTo })).code).toBe("not_found");
    expect((await alice.say("still works")).seq).toBe(1);
  });

  it("to a change event, to a deleted message or to someone else's private message are not_found", async () => {
    const { room, alice, bob, b } = await pair("reply-invisible");
    const { socket: carol } = await join(room, { name: "carol" });
    const m = await alice.say("soon gone");
    const edit = await echoed(alice, "edit", { target: m.seq, text: "edited" });
    expect((await refused(bob, { type: "say", text: "x", replyTo: edit.seq })).code).toBe("not_found");
    const secret = await alice.say("psst", { to: b.self.id });
    expect((await refused(carol, { type: "say", text: "x", replyTo: secret.seq })).code).toBe("not_found");
    await echoed(alice, "delete", { target: m.seq });
    expect((await refused(bob, { type: "say", text: "x", replyTo: m.seq })).code).toBe("not_found");
  });

  it("to a private message must be private to the same two people, else forbidden", async () => {
    const { room, alice, bob, a, b } = await pair("reply-private");
    const { welcome: carol } = await join(room, { name: "carol" });
    const secret = await alice.say("psst", { to: b.self.id });
    expect((await refused(bob, { type: "say", text: "in public?", replyTo: secret.seq })).code).toBe("forbidden");
    expect((await refused(bob, { type: "say", text: "to carol?", replyTo: secret.seq, to: carol.self.id })).code).toBe("forbidden");
    const ok = await echoed(bob, "message", { text: "back at you", replyTo: secret.seq, to: a.self.id });
    expect(ok.replyTo?.seq).toBe(secret.seq);
    expect(ok.to).toEqual(userOf(a));
  });

  it("to a private message between two people is never a note to oneself: forbidden, for either of them", async () => {
    const { alice, bob, a, b } = await pair("reply-private-self");
    const secret = await alice.say("psst", { to: b.self.id });
    // Private to alice alone, or to bob alone, is not the same pair as alice and bob.
    expect((await refused(alice, { type: "say", text: "note to self", replyTo: secret.seq, to: a.self.id })).code).toBe("forbidden");
    expect((await refused(bob, { type: "say", text: "note to self", replyTo: secret.seq, to: b.self.id })).code).toBe("forbidden");
    // A note to oneself may still answer a note to oneself, and the pair may still answer each other.
    const note = await alice.say("mine", { to: a.self.id });
    expect((await echoed(alice, "message", { text: "still mine", replyTo: note.seq, to: a.self.id })).replyTo?.seq).toBe(note.seq);
    expect((await echoed(alice, "message", { text: "to bob", replyTo: secret.seq, to: b.self.id })).replyTo?.seq).toBe(secret.seq);
    expect((await bob.next("message", (m) => m.text === "to bob")).to).toEqual(userOf(b));
  });

  it("refuses a replyTo that is not a whole number from 0 with bad_message and ref", async () => {
    const { alice } = await pair("reply-bad");
    for (const replyTo of [-1, 1.5, "3", null]) {
      const error = await refused(alice, { type: "say", text: "x", replyTo });
      expect(error.code).toBe("bad_message");
    }
  });
});

describe("edits", () => {
  it("take their own seq, reach everyone, and change the message's text and edited mark everywhere", async () => {
    const { room, alice, bob } = await pair("edit");
    const m = await alice.say("helo");
    const edit = await echoed(alice, "edit", { target: m.seq, text: "  hello  " });
    expect(edit).toMatchObject({ seq: m.seq + 1, target: m.seq, text: "hello", user: { name: "alice" } });
    expect(await bob.next("edit", (e) => e.seq === edit.seq)).toEqual(edit);
    const listed = (await historyOf(bob)).find((x) => x.seq === m.seq)!;
    expect(listed).toMatchObject({ text: "hello", edited: edit.ts });
    const api = (await (await workerFetch(`/api/rooms/${room}/messages`)).json()) as { messages: MessageFrame[] };
    expect(api.messages).toEqual([{ ...listed }]);
  });

  it("are refused on someone else's message (forbidden), a deleted one (gone) and no message (not_found)", async () => {
    const { alice, bob } = await pair("edit-rules");
    const m = await alice.say("mine");
    expect((await refused(bob, { type: "edit", target: m.seq, text: "yours now" })).code).toBe("forbidden");
    expect((await refused(bob, { type: "edit", target: 77, text: "x" })).code).toBe("not_found");
    await echoed(alice, "delete", { target: m.seq });
    expect((await refused(alice, { type: "edit", target: m.seq, text: "undo?" })).code).toBe("gone");
    expect((await alice.say("the room still works")).text).toBe("the room still works");
  });

  it("follow the text rules of say: empty is bad_message, over 2000 is too_long", async () => {
    const { alice } = await pair("edit-text");
    const m = await alice.say("ok");
    expect((await refused(alice, { type: "edit", target: m.seq, text: "   " })).code).toBe("bad_message");
    expect((await refused(alice, { type: "edit", target: m.seq, text: "x".repeat(2001) })).code).toBe("too_long");
    expect((await refused(alice, { type: "edit", target: -1, text: "x" })).code).toBe("bad_message");
  });

  it("to a private message stay between its two people, with to", async () => {
    const { room, alice, bob, b } = await pair("edit-private");
    const { socket: carol } = await join(room, { name: "carol" });
    const secret = await alice.say("psst", { to: b.self.id });
    const edit = await echoed(alice, "edit", { target: secret.seq, text: "psst!" });
    expect(edit.to).toEqual(userOf(b));
    expect(await bob.next("edit", (e) => e.seq === edit.seq)).toEqual(edit);
    await alice.say("public barrier");
    const { before: carolSaw } = await carol.through("message", (m) => m.text === "public barrier");
    expect(carolSaw.filter((f) => f.type === "edit" || f.type === "message")).toEqual([]);
  });

  it("reusing the client id of a stored say is a duplicate, answered with that message and nothing spent", async () => {
    const { alice } = await pair("edit-dup");
    const m = await alice.say("original", { id: "same" });
    alice.send({ type: "edit", id: "same", target: m.seq, text: "changed?" });
    const answer = await alice.next("message", (x) => x.id === "same");
    expect(answer).toMatchObject({ seq: m.seq, text: "original" });
    expect(answer.edited).toBeUndefined();
  });
});

describe("deletes", () => {
  it("erase the message, its edits and its reactions from storage, and no path serves them again", async () => {
    const { room, alice, bob, b } = await pair("delete");
    const m = await alice.say("secret plan");
    await echoed(alice, "edit", { target: m.seq, text: "secret plan v2" });
    await echoed(bob, "react", { target: m.seq, emoji: "👀", on: true });
    const reply = await echoed(bob, "message", { text: "nice", replyTo: m.seq });
    const del = await echoed(alice, "delete", { target: m.seq });
    expect(await bob.next("delete", (d) => d.seq === del.seq)).toEqual(del);

    const rows = await roomSql<{ seq: number; text: string | null; emoji: string | null }>(room, "SELECT seq, text, emoji FROM events");
    expect(JSON.stringify(rows)).not.toContain("secret plan");
    expect(JSON.stringify(rows)).not.toContain("👀");
    expect(await roomSql(room, "SELECT * FROM reaction_counts")).toEqual([]);
    expect(await roomSql(room, "SELECT * FROM user_reactions")).toEqual([]);

    const deleted = { type: "message", seq: m.seq, id: m.id, from: m.from, ts: m.ts, deleted: true, text: "" };
    const listed = await historyOf(bob);
    expect(listed.find((x) => x.seq === m.seq)).toEqual(deleted);
    expect(listed.find((x) => x.seq === reply.seq)!.replyTo).toEqual({ seq: m.seq, from: m.from, text: "", deleted: true });
    const api = (await (await workerFetch(`/api/rooms/${room}/messages`)).json()) as { messages: MessageFrame[] };
    expect(api.messages.find((x) => x.seq === m.seq)).toEqual(deleted);
    // A resume from before replays the events about it with nothing left in them.
    const { welcome: resumed } = await join(room, { token: newToken(), since: 0, epoch: b.epoch });
    expect(resumed.resumed).toBe(true);
    expect(JSON.stringify(resumed.messages)).not.toContain("secret plan");
    expect(resumed.messages.find((e) => e.type === "react")).toMatchObject({ emoji: "", count: 0 });
    expect(resumed.messages.find((e) => e.type === "edit")).toMatchObject({ text: "" });
  });

  it("are allowed on one's own message, refused on someone else's for a member, and gone once done", async () => {
    const { alice, bob } = await pair("delete-rules");
    const m = await alice.say("mine");
    expect((await refused(bob, { type: "delete", target: m.seq })).code).toBe("forbidden");
    await echoed(alice, "delete", { target: m.seq });
    expect((await refused(alice, { type: "delete", target: m.seq })).code).toBe("gone");
    expect((await refused(alice, { type: "delete", target: 123 })).code).toBe("not_found");
  });

  it("answer a resent duplicate edit of a deleted message with its text erased", async () => {
    const { alice } = await pair("delete-dup");
    const m = await alice.say("typo");
    alice.send({ type: "edit", id: "fix", target: m.seq, text: "fixed typo" });
    await alice.next("edit", (e) => e.id === "fix");
    await echoed(alice, "delete", { target: m.seq });
    alice.send({ type: "edit", id: "fix", target: m.seq, text: "fixed typo" });
    expect(await alice.next("edit", (e) => e.id === "fix")).toMatchObject({ text: "" });
  });
});

describe("reactions", () => {
  it("count per emoji, in the order each was first added, with me for the viewer, and move to the end when re-added", async () => {
    const { room, alice, bob } = await pair("react");
    const m = await alice.say("react to me");
    const up = await echoed(alice, "react", { target: m.seq, emoji: "👍", on: true });
    expect(up).toMatchObject({ target: m.seq, emoji: "👍", on: true, count: 1 });
    expect(await bob.next("react", (r) => r.seq === up.seq)).toEqual(up);
    await echoed(bob, "react", { target: m.seq, emoji: " 🎉 ", on: true });
    expect(await echoed(bob, "react", { target: m.seq, emoji: "👍", on: true })).toMatchObject({ count: 2 });
    let listed = (await historyOf(bob)).find((x) => x.seq === m.seq)!;
    expect(listed.reactions).toEqual([{ emoji: "👍", count: 2, me: true }, { emoji: "🎉", count: 1, me: true }]);
    listed = (await historyOf(alice)).find((x) => x.seq === m.seq)!;
    expect(listed.reactions).toEqual([{ emoji: "👍", count: 2, me: true }, { emoji: "🎉", count: 1, me: false }]);
    // 👍 falls to 0 and leaves; added again it goes to the end.
    await echoed(alice, "react", { target: m.seq, emoji: "👍", on: false });
    expect(await echoed(bob, "react", { target: m.seq, emoji: "👍", on: false })).toMatchObject({ count: 0 });
    await echoed(alice, "react", { target: m.seq, emoji: "👍", on: true });
    const api = (await (await workerFetch(`/api/rooms/${room}/messages`)).json()) as { messages: MessageFrame[] };
    expect(api.messages[0]!.reactions).toEqual([{ emoji: "🎉", count: 1 }, { emoji: "👍", count: 1 }]);
  });

  it("store a change that changes nothing, and the count stays", async () => {
    const { alice } = await pair("react-noop");
    const m = await alice.say("x");
    const off = await echoed(alice, "react", { target: m.seq, emoji: "🙂", on: false });
    expect(off).toMatchObject({ seq: m.seq + 1, on: false, count: 0 });
    await echoed(alice, "react", { target: m.seq, emoji: "🙂", on: true });
    expect(await echoed(alice, "react", { target: m.seq, emoji: "🙂", on: true })).toMatchObject({ count: 1 });
  });

  it("hold at most 20 distinct emoji: a new 21st is too_many, a known one still counts", async () => {
    const { alice, bob } = await pair("react-many");
    const m = await alice.say("popular");
    const emoji = Array.from({ length: 20 }, (_, i) => String.fromCodePoint(0x1f600 + i));
    for (const e of emoji.slice(0, 10)) await echoed(alice, "react", { target: m.seq, emoji: e, on: true });
    for (const e of emoji.slice(10)) await echoed(bob, "react", { target: m.seq, emoji: e, on: true });
    expect((await refused(bob, { type: "react", target: m.seq, emoji: "🦄", on: true })).code).toBe("too_many");
    expect(await echoed(bob, "react", { target: m.seq, emoji: emoji[0], on: true })).toMatchObject({ count: 2 });
  });

  it.each([
    ["whitespace inside", "👍 👍"],
    ["over 16 code points", "a".repeat(17)],
    ["empty", "  "],
    ["a control character", "a\u0007"],
    ["not a string", 5],
  ])("refuse an emoji with %s as bad_message", async (_, emoji) => {
    const { alice } = await pair("react-bad");
    const m = await alice.say("x");
    expect((await refused(alice, { type: "react", target: m.seq, emoji, on: true })).code).toBe("bad_message");
    expect((await refused(alice, { type: "react", target: m.seq, emoji: "👍", on: "yes" })).code).toBe("bad_message");
  });

  it("on a deleted message are gone, on no message not_found", async () => {
    const { alice } = await pair("react-gone");
    const m = await alice.say("x");
    await echoed(alice, "delete", { target: m.seq });
    expect((await refused(alice, { type: "react", target: m.seq, emoji: "👍", on: true })).code).toBe("gone");
    expect((await refused(alice, { type: "react", target: 50, emoji: "👍", on: true })).code).toBe("not_found");
  });
});

describe("changes in the one order", () => {
  it("replays change events in a resume, after the messages they follow, in seq order", async () => {
    const room = roomName("resume-changes");
    const token = newToken();
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob, welcome } = await join(room, { name: "bob", token });
    const m = await alice.say("first");
    await bob.next("message", (x) => x.seq === m.seq);
    await bob.close();
    const e = await echoed(alice, "edit", { target: m.seq, text: "first!" });
    const r = await echoed(alice, "react", { target: m.seq, emoji: "✨", on: true });
    const n = await alice.say("second");
    const d = await echoed(alice, "delete", { target: n.seq });
    const { welcome: back } = await join(room, { token, since: m.seq, epoch: welcome.epoch });
    expect(back.resumed).toBe(true);
    expect(back.messages.map((x) => `${x.type}:${x.seq}`)).toEqual([`edit:${e.seq}`, `react:${r.seq}`, `message:${n.seq}`, `delete:${d.seq}`]);
    // The message itself is served in its current state: deleted.
    expect(messagesOf(back)[0]).toMatchObject({ seq: n.seq, deleted: true, text: "" });
  });

  it("charge every stored event to the bucket", async () => {
    const { alice } = await pair("changes-bucket");
    const m = await alice.say("one");
    for (let i = 0; i < 9; i++) await alice.say(`say ${i}`);
    for (let i = 0; i < 5; i++) await echoed(alice, "edit", { target: m.seq, text: `edit ${i}` });
    for (let i = 0; i < 5; i++) await echoed(alice, "react", { target: m.seq, emoji: "👍", on: i % 2 === 0 });
    const error = await refused(alice, { type: "delete", target: m.seq });
    expect(error.code).toBe("rate_limited");
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });
});

/**
 * Every rule of PROTOCOL.md's "Client → room" table, broken on purpose: each gets the right
 * `error` frame, changes nothing, leaves the socket open, and the room keeps working after it.
 */
import { describe, expect, it } from "vitest";
import { TIMINGS, type ErrorFrame } from "@edge-chat/protocol";
import { connect, join, newToken, roomName, type TestSocket, userOf } from "./support/room-client.ts";
import { seedMessages } from "./support/seed.ts";

/** Sends a frame, expects exactly the error `code` (and `ref`), then proves the socket still works. */
async function expectRefused(socket: TestSocket, frame: object | string | ArrayBuffer, code: string, ref?: string) {
  socket.send(frame);
  const error: ErrorFrame = await socket.next("error");
  expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(0);
  expect(error.ref).toBe(ref);
  expect(socket.ws.readyState).toBe(WebSocket.OPEN);
  return error;
}

describe("frames that are not protocol frames", () => {
  it.each([
    ["not JSON", "{nope", "bad_json"],
    ["a JSON array", "[1,2]", "bad_message"],
    ["a JSON string", '"hello"', "bad_message"],
    ["JSON null", "null", "bad_message"],
    ["an object without type", '{"text":"hi"}', "bad_message"],
    ["an unknown type", '{"type":"shout"}', "bad_message"],
    ["a type that is not a string", '{"type":7}', "bad_message"],
  ])("answers %s with %s and keeps the room working", async (_, frame, code) => {
    const { socket } = await join(roomName("not-protocol"), { name: "alice" });
    await expectRefused(socket, frame, code);
    expect((await socket.say("still works")).text).toBe("still works");
  });

  it("answers a binary frame with bad_message", async () => {
    const { socket } = await join(roomName("binary"), { name: "alice" });
    await expectRefused(socket, new TextEncoder().encode('{"type":"typing"}').buffer as ArrayBuffer, "bad_message");
    expect((await socket.say("still works")).seq).toBe(1);
  });
});

describe("hello", () => {
  it("must come first: anything else first gets not_ready, and hello still works after", async () => {
    const socket = await connect(roomName("not-ready"));
    await expectRefused(socket, { type: "say", id: "early", text: "too soon" }, "not_ready", "early");
    await expectRefused(socket, { type: "history" }, "not_ready");
    await expectRefused(socket, { type: "typing" }, "not_ready");
    const welcome = await socket.hello({ name: "alice" });
    expect(welcome.messages).toEqual([]);
  });

  it.each([
    ["missing", undefined],
    ["too short", "abc123"],
    ["too long", "a".repeat(129)],
    ["with a character outside base64url", "abcdefghijklmnop+"],
    ["not a string", 12345678901234567890],
  ])("refuses a token that is %s with bad_message, and the socket may try again", async (_, token) => {
    const socket = await connect(roomName("bad-token"));
    await expectRefused(socket, { type: "hello", token }, "bad_message");
    expect((await socket.hello({ name: "retry" })).self.name).toBe("retry");
  });

  it.each([
    ["empty after trimming", "   "],
    ["33 code points", "n".repeat(33)],
    ["with a control character", "al\u0007ice"],
    ["with a newline", "al\nice"],
    ["with a right-to-left override", "al\u202Eice"],
    ["with a zero-width space", "al\u200Bice"],
    ["with a word joiner", "al\u2060ice"],
    ["with a byte order mark inside", "al\uFEFFice"],
    ["with a soft hyphen", "al\u00ADice"],
    ["with a left-to-right mark", "alice\u200E"],
    ["with a Hangul filler", "\u3164"],
    ["nothing but a zero-width joiner", "\u200D"],
    ["nothing but emoji selectors", "\uFE0F\uFE0E"],
    ["not a string", 42],
    ["null", null],
  ])("refuses a name that is %s with name_invalid, and the socket may try again", async (_, name) => {
    const socket = await connect(roomName("bad-name"));
    await expectRefused(socket, { type: "hello", token: newToken(), name }, "name_invalid");
    expect((await socket.hello({ name: "fine" })).self.name).toBe("fine");
  });

  it("refuses bad since and epoch fields with bad_message", async () => {
    const socket = await connect(roomName("bad-since"));
    await expectRefused(socket, { type: "hello", token: newToken(), since: -1 }, "bad_message");
    await expectRefused(socket, { type: "hello", token: newToken(), since: 1.5 }, "bad_message");
    await expectRefused(socket, { type: "hello", token: newToken(), since: "3" }, "bad_message");
    await expectRefused(socket, { type: "hello", token: newToken(), epoch: 5 }, "bad_message");
    expect((await socket.hello()).resumed).toBe(false);
  });

  it("refuses a second hello after one was accepted with bad_message, and nothing changes", async () => {
    const { socket, welcome } = await join(roomName("second-hello"), { name: "alice" });
    await expectRefused(socket, { type: "hello", token: newToken(), name: "mallory" }, "bad_message");
    expect((await socket.say("who am I")).from).toEqual(userOf(welcome));
  });
});

describe("say", () => {
  it.each([
    ["a missing id", { text: "hi" }],
    ["an empty id", { id: "", text: "hi" }],
    ["an id over 64 characters", { id: "x".repeat(65), text: "hi" }],
    ["an id that is a number", { id: 7, text: "hi" }],
  ])("refuses %s with bad_message and no ref", async (_, fields) => {
    const { socket } = await join(roomName("say-id"), { name: "alice" });
    await expectRefused(socket, { type: "say", ...fields }, "bad_message", undefined);
    expect((await socket.say("still works")).seq).toBe(1);
  });

  it.each([
    ["empty text", "bad_message", ""],
    ["whitespace-only text", "bad_message", " \n\t "],
    ["text of 2001 code points", "too_long", "x".repeat(2001)],
    ["text of 2001 emoji", "too_long", "😀".repeat(2001)],
    ["text that is not a string", "bad_message", 42],
    ["text with a lone surrogate", "bad_message", "ab\ud800cd"],
  ])("refuses %s with %s and a ref to the say", async (_, code, text) => {
    const { socket } = await join(roomName("say-text"), { name: "alice" });
    await expectRefused(socket, { type: "say", id: "m1", text }, code, "m1");
    // The refused id was not used up: it can still carry a valid message.
    expect((await socket.say("fixed", { id: "m1" })).seq).toBe(1);
  });

  it("accepts 2000 code points of any script, stored and sent trimmed", async () => {
    const { socket } = await join(roomName("say-limit"), { name: "alice" });
    const emoji = "😀".repeat(2000);
    expect((await socket.say(`  ${emoji}\n`)).text).toBe(emoji);
    expect((await socket.say("中".repeat(2000))).text).toHaveLength(2000);
  });

  it("refuses a private message to a user the room never saw with unknown_user, and to a malformed id with bad_message; one who left may still get one (v3)", async () => {
    const room = roomName("say-to");
    const { socket } = await join(room, { name: "alice" });
    const { socket: bob, welcome: bobWelcome } = await join(room, { name: "bob" });
    await expectRefused(socket, { type: "say", id: "p1", text: "hi", to: "nobody-here-1234" }, "unknown_user", "p1");
    await expectRefused(socket, { type: "say", id: "p2", text: "hi", to: 5 }, "bad_message", "p2");
    await bob.close();
    await socket.next("leave");
    expect((await socket.say("public still works")).seq).toBe(1);
    expect((await socket.say("for later", { id: "p3", to: bobWelcome.self.id })).to).toEqual({ id: bobWelcome.self.id, name: "bob" });
  });

  it("ignores a from field sent by the client", async () => {
    const room = roomName("say-from");
    const { socket, welcome } = await join(room, { name: "alice" });
    socket.send({ type: "say", id: "m1", text: "hi", from: { id: "someone-else", name: "boss" } });
    expect((await socket.next("message")).from).toEqual(userOf(welcome));
  });
});

describe("names", () => {
  it("gives a second holder of a name, in any case, the first free suffix", async () => {
    const room = roomName("names");
    const { welcome: a } = await join(room, { name: "alice" });
    const { welcome: b } = await join(room, { name: "Alice" });
    const { welcome: c } = await join(room, { name: "ALICE" });
    expect([a.self.name, b.self.name, c.self.name]).toEqual(["alice", "Alice-2", "ALICE-3"]);
  });

  it("compares names after NFKC, lower case and without the emoji invisibles: look-alikes get a suffix", async () => {
    const room = roomName("names-v2");
    const { welcome: a } = await join(room, { name: "alice" });
    const { welcome: wide } = await join(room, { name: "ＡＬＩＣＥ" });
    const { welcome: joined } = await join(room, { name: "ali\u200Dce" });
    expect(a.self.name).toBe("alice");
    expect(wide.self.name).toBe("ＡＬＩＣＥ-2");
    // The base of a suffixed name is the name as asked, invisibles and all.
    expect(joined.self.name).toBe("ali\u200Dce-3");
    // Lower case, not case folding: straße and STRASSE are two names.
    const { welcome: strasse } = await join(room, { name: "straße" });
    const { welcome: upper } = await join(room, { name: "STRASSE" });
    expect([strasse.self.name, upper.self.name]).toEqual(["straße", "STRASSE"]);
  });

  it("keeps U+200D, U+FE0E and U+FE0F in the base of a suffixed name: ali\u200Dce with alice…alice-4 taken gets ali\u200Dce-5", async () => {
    const room = roomName("names-base");
    for (const name of ["alice", "alice-2", "alice-3", "alice-4"]) await join(room, { name });
    const { socket, welcome } = await join(room, { name: "ali\u200Dce" });
    expect(welcome.self.name).toBe("ali\u200Dce-5");
    // A rename asking for the same name again ends on the current one: nothing is sent or spent.
    socket.send({ type: "rename", name: "ali\u200Dce" });
    socket.send({ type: "rename", name: "bob" });
    expect((await socket.next("rename")).user.name).toBe("bob");
  });

  it("accepts the invisibles emoji need: a zero-width joiner sequence and a variation selector", async () => {
    const room = roomName("names-emoji");
    const { welcome: coder } = await join(room, { name: "👩\u200D💻 dev" });
    const { welcome: heart } = await join(room, { name: "❤\uFE0F" });
    expect(coder.self.name).toBe("👩\u200D💻 dev");
    expect(heart.self.name).toBe("❤\uFE0F");
    // Without its selector the heart is the same name.
    expect((await join(room, { name: "❤" })).welcome.self.name).toBe("❤-2");
  });

  it("shortens the base so a suffixed name still fits in 32 code points", async () => {
    const room = roomName("names-long");
    const long = "名".repeat(32);
    await join(room, { name: long });
    const { welcome } = await join(room, { name: long });
    expect(welcome.self.name).toBe(`${"名".repeat(30)}-2`);
  });

  it("stores names trimmed, in any script", async () => {
    const { welcome } = await join(roomName("names-cjk"), { name: "  小明  " });
    expect(welcome.self.name).toBe("小明");
  });

  it("frees a name when its holder leaves", async () => {
    const room = roomName("names-free");
    const { socket } = await join(room, { name: "alice" });
    await socket.close();
    expect((await join(room, { name: "alice" })).welcome.self.name).toBe("alice");
  });

  it("assigns guest- and 4–8 lowercase hex characters when hello has no name", async () => {
    const { welcome } = await join(roomName("names-guest"));
    expect(welcome.self.name).toMatch(/^guest-[0-9a-f]{4,8}$/);
  });

  it("derives a stable 16-character public id from the token, never the token itself", async () => {
    const room = roomName("ids");
    const token = newToken();
    const { socket, welcome: first } = await join(room, { token });
    await socket.close();
    const { welcome: again } = await join(room, { token });
    expect(again.self.id).toBe(first.self.id);
    expect(first.self.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(token).not.toContain(first.self.id);
    expect((await join(room)).welcome.self.id).not.toBe(first.self.id);
  });
});

describe("rename", () => {
  it("renames on every socket of the user and tells everyone, the user's own sockets too", async () => {
    const room = roomName("rename");
    const token = newToken();
    const { socket: tab1, welcome } = await join(room, { name: "alice", token });
    const { socket: tab2 } = await join(room, { token });
    const { socket: bob } = await join(room, { name: "bob" });
    tab1.send({ type: "rename", name: "  Alicia " });
    const expected = { type: "rename", user: { id: welcome.self.id, name: "Alicia" }, old: "alice" };
    for (const s of [tab1, tab2, bob]) expect(await s.next("rename")).toEqual(expected);
    expect((await tab2.say("hi")).from.name).toBe("Alicia");
  });

  it("applies the suffix rule, and never counts the user's own name as taken", async () => {
    const room = roomName("rename-taken");
    await join(room, { name: "bob" });
    const { socket } = await join(room, { name: "alice" });
    socket.send({ type: "rename", name: "BOB" });
    expect((await socket.next("rename")).user.name).toBe("BOB-2");
    socket.send({ type: "rename", name: "bob-2" });
    expect((await socket.next("rename")).user.name).toBe("bob-2");
    // A look-alike of a name someone else holds is taken too; the suffixed look-alike of one's
    // own name is not, so this is a change of how the name looks.
    socket.send({ type: "rename", name: "ＢＯＢ" });
    expect((await socket.next("rename")).user.name).toBe("ＢＯＢ-2");
  });

  it("refuses an invalid name with name_invalid and keeps the old one", async () => {
    const { socket, welcome } = await join(roomName("rename-bad"), { name: "alice" });
    await expectRefused(socket, { type: "rename", name: "" }, "name_invalid");
    await expectRefused(socket, { type: "rename" }, "name_invalid");
    await expectRefused(socket, { type: "rename", name: "x".repeat(33) }, "name_invalid");
    expect((await socket.say("same me")).from).toEqual(userOf(welcome));
  });
});

describe("typing", () => {
  it("passes on at most one typing per user per 2 s, to everyone else", async () => {
    const room = roomName("typing");
    const { socket: alice, welcome } = await join(room, { name: "alice" });
    const { socket: bob } = await join(room, { name: "bob" });
    for (let i = 0; i < 5; i++) alice.send({ type: "typing" });
    await alice.say("barrier");
    await bob.next("message", (m) => m.text === "barrier");
    const notices = bob.pending.splice(0).filter((f) => f.type === "typing");
    expect(notices).toEqual([{ type: "typing", user: userOf(welcome) }]);
    expect(alice.pending.filter((f) => f.type === "typing")).toEqual([]);
  });

  it("passes the next typing on once 2 s have gone by: the throttle resets", async () => {
    const room = roomName("typing-again");
    const { socket: alice, welcome } = await join(room, { name: "alice" });
    const { socket: bob } = await join(room, { name: "bob" });
    alice.send({ type: "typing" });
    expect(await bob.next("typing")).toEqual({ type: "typing", user: userOf(welcome) });
    // The rule is about time itself, so here the test does wait: no event marks 2 s passing.
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.typingThrottleMs + 100));
    alice.send({ type: "typing" });
    expect(await bob.next("typing")).toEqual({ type: "typing", user: userOf(welcome) });
  });
});

describe("history", () => {
  it("pages backwards with before and limit, ascending, with hasMore", async () => {
    const { socket } = await join(roomName("history"), { name: "alice" });
    for (let i = 1; i <= 7; i++) await socket.say(`m${i}`);
    socket.send({ type: "history", limit: 3 });
    const newest = await socket.next("history");
    expect(newest.messages.map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(newest.hasMore).toBe(true);
    socket.send({ type: "history", before: 5, limit: 100 });
    const rest = await socket.next("history");
    expect(rest.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(rest.hasMore).toBe(false);
  });

  it("answers the newest 50 visible messages when no limit is given", async () => {
    const room = roomName("history-default");
    await seedMessages(room, 60);
    const { socket } = await join(room, { name: "reader" });
    socket.send({ type: "history" });
    const page = await socket.next("history");
    expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(page.hasMore).toBe(true);
  });

  it.each([
    ["limit 0", { limit: 0 }],
    ["limit 101", { limit: 101 }],
    ["a fractional limit", { limit: 2.5 }],
    ["a negative before", { before: -1 }],
    ["a string before", { before: "5" }],
  ])("refuses %s with bad_message", async (_, fields) => {
    const { socket } = await join(roomName("history-bad"), { name: "alice" });
    await expectRefused(socket, { type: "history", ...fields }, "bad_message");
    socket.send({ type: "history" });
    expect((await socket.next("history")).messages).toEqual([]);
  });
});

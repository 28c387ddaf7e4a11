/**
 * A live room in workerd under 10,000+ random and mutated frames: broken JSON, wrong types, huge
 * numbers, deep nesting, odd Unicode, lone surrogates, binary. Every bad frame must get exactly one
 * `error` with the code the protocol module prescribes (itself checked against PROTOCOL.md in
 * fuzz-protocol.test.ts), no exception may escape (no `internal`), nothing may change (no message
 * stored, no presence or name change seen by others), and a normal `say` must still be served.
 *
 * Frames go out in chunks, each closed by a barrier frame whose answer is recognisable: the room
 * answers one socket in order, so the frames that arrive before the barrier's answer are exactly
 * the answers to the chunk, which lets the test count them without sleeping. Each chunk, barrier
 * included, fits in one socket's answer budget (100 errors; past it the room closes the socket
 * with 1008, uncharged-work.test.ts): after hello the chunks take turns on fresh sockets of the
 * same user, whose first socket stays open, so that the others see nothing of them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMITS } from "@edge-chat/protocol";
import type { ErrorCode, ErrorFrame, SingleServerFrame } from "@edge-chat/protocol";
import { nameKey } from "@edge-chat/protocol/names";
import { decodeClientFrame, frameRef } from "@edge-chat/protocol/validate";
import {
  anyFrameText,
  awkwardNumberText,
  loneSurrogate,
  nearValidObject,
  nestedJson,
  validFrame,
  validId,
  weirdValue,
} from "./support/frame-arbitraries.ts";
import { TestSocket, connect, join, newToken, roomName, userOf } from "./support/room-client.ts";
import { ANSWER_BUDGET } from "../src/server/objects/answer-budget.ts";

/** One frame to send and the answers it may get: one of `codes`, with `ref` one of `refs`. */
interface Shot {
  data: string | Uint8Array;
  codes: ErrorCode[];
  refs: (string | undefined)[];
}

const utf8 = new TextEncoder();

/** Frames a socket may have refused at once and keep its socket, the barrier's error included. */
const CHUNK = ANSWER_BUDGET.burst - 1;
/** Frames before the socket's hello, one chunk per socket. */
const EARLY_SOCKETS = 20;
const EARLY_PER_SOCKET = CHUNK;
/** Frames after hello, in chunks. */
const LATE_CHUNKS = 81;
/** Generous per-chunk wait: a chunk takes 1–2 s on a busy 2-core machine. */
const CHUNK_TIMEOUT_MS = 30_000;

/** A say whose text breaks a rule (too long, blank, not text), under a valid or broken id. */
const troubledSay = fc
  .record({
    id: fc.oneof(validId, weirdValue),
    text: fc.oneof(
      fc.array(fc.constantFrom("a", "中", "\u{1f600}", " "), { minLength: LIMITS.text + 1, maxLength: LIMITS.text + 60 }).map((c) => `x${c.join("")}x`),
      fc.constantFrom(" ", "\n\t", "\u3000", ""),
      weirdValue,
    ),
  })
  .map((fields) => JSON.stringify({ type: "say", ...fields }));

/** Raw material: any text a client could send, and binary frames (some of them valid frames' bytes). */
const rawFrame: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { weight: 10, arbitrary: anyFrameText },
  // Field-level faults, so the flood has every error code and many refs, not only broken JSON.
  { weight: 6, arbitrary: nearValidObject.map((frame) => JSON.stringify(frame)) },
  { weight: 2, arbitrary: troubledSay },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  { weight: 1, arbitrary: validFrame.map((frame) => utf8.encode(JSON.stringify(frame))) },
  // Raw lone surrogates in the frame's text: `shots` sends them as U+FFFD, as a browser would.
  // (Escaped ones, \ud800 inside JSON strings, come from the JSON arbitraries and arrive intact.)
  {
    weight: 1,
    arbitrary: fc.tuple(loneSurrogate, fc.constantFrom("say", "rename", "hello")).map(([half, type]) =>
      type === "say" ? `{"type":"say","id":"s${half}","text":"a${half}b"}` : `{"type":"${type}","name":"n${half}","token":"${half}"}`,
    ),
  },
  { weight: 1, arbitrary: awkwardNumberText.map((n) => `{"type":"history","before":${n},"limit":${n}}`) },
);

/**
 * The texts the room may receive for `text`. A browser sends a lone surrogate as U+FFFD; workerd's
 * client sends its 3 WTF-8 bytes, which the room decodes as 3 U+FFFD. Either is fine for the room.
 */
function onTheWire(text: string): string[] {
  const browser = text.toWellFormed();
  const lenient = text.replace(/\p{Cs}/gu, "\ufffd\ufffd\ufffd");
  return browser === lenient ? [browser] : [browser, lenient];
}

/** Joins the answers allowed for each text the room may receive; null when any would be accepted. */
function judgeWire(data: string, judge: (text: string) => Omit<Shot, "data"> | null): Shot | null {
  const answers = onTheWire(data).map(judge);
  if (answers.some((a) => a === null)) return null;
  const allowed = answers as Omit<Shot, "data">[];
  return { data, codes: allowed.flatMap((a) => a.codes), refs: allowed.flatMap((a) => a.refs) };
}

/**
 * The answer a frame must get from a socket that has said hello: binary and any hello are
 * `bad_message`; a frame the module refuses gets the module's code and ref. Frames the module
 * accepts are not bad frames (they would change the room), so they are left out (null).
 */
function afterHello(data: string | Uint8Array): Shot | null {
  if (typeof data !== "string") return { data, codes: ["bad_message"], refs: [undefined] };
  return judgeWire(data, (text) => {
    const decoded = decodeClientFrame(text);
    if (decoded.type === "hello") return { codes: ["bad_message"], refs: [undefined] };
    if (decoded.ok) return null;
    return { codes: [decoded.code], refs: [decoded.ref] };
  });
}

/**
 * The answer a frame must get before hello. Reading of PROTOCOL.md: a known non-hello type gets
 * `not_ready` ("anything else first"); a frame that names no known type (binary, bad JSON, no
 * object) may get its own error or `not_ready`. A valid hello or say is left out: the first would
 * be accepted, the second is checked on its own below.
 */
function beforeHello(data: string | Uint8Array): Shot | null {
  if (typeof data !== "string") return { data, codes: ["bad_message", "not_ready"], refs: [undefined] };
  return judgeWire(data, (text) => {
    const decoded = decodeClientFrame(text);
    if (decoded.type === "hello") return decoded.ok ? null : { codes: [decoded.code], refs: [undefined] };
    if (decoded.type === "say" && decoded.ok) return null;
    // "ref: present whenever that frame had a valid id", for every frame that carries one.
    if (decoded.type !== undefined) return { codes: ["not_ready"], refs: [decoded.ok ? frameRef(decoded.frame) : decoded.ref] };
    return { codes: [decoded.code, "not_ready"], refs: [undefined] };
  });
}

/** `count` shots drawn from the raw frames, keeping those `judge` maps to an expected error. */
function shots(count: number, seed: number, judge: (data: string | Uint8Array) => Shot | null): Shot[] {
  const out: Shot[] = [];
  let round = 0;
  while (out.length < count) {
    for (const raw of fc.sample(rawFrame, { numRuns: count, seed: seed + round++ })) {
      // Sent as a browser would: lone surrogates in the text become U+FFFD (escaped ones stay).
      const data = typeof raw === "string" ? raw.toWellFormed() : raw;
      // A frame over 64 KiB would close the socket (tested in origin-limits.test.ts).
      const bytes = typeof data === "string" ? utf8.encode(data).byteLength : data.byteLength;
      const shot = bytes <= LIMITS.frameBytes ? judge(data) : null;
      if (shot && out.length < count) out.push(shot);
    }
  }
  return out;
}

/** Hand-picked hostile frames: the shapes the issue names, each present for sure. */
function handPicked(): (string | Uint8Array)[] {
  const token = "T".repeat(16);
  return [
    "",
    "{",
    "}{",
    "null",
    "[]",
    '"say"',
    "\u0000",
    "\ufeff{\"type\":\"typing\"}", // a BOM before JSON is not JSON
    "{\"type\":\"say\",\"id\":\"\ud800\",\"text\":\"\"}",
    "{\"type\":\"say\",\"id\":\"lone\",\"text\":\"\\udc00\"}",
    "{\"type\":\"say\",\"id\":\"lone-raw\",\"text\":\"\udc00\"}", // sent as U+FFFD: a valid text, so left out
    `{"type":"hello","token":"${token}","since":1e400}`,
    `{"type":"hello","token":"${token}","since":-1e400}`,
    `{"type":"history","before":123456789012345678901234567890}`,
    `{"type":"history","limit":1e-400}`,
    `{"type":"history","limit":-0}`,
    nestedJson(30_000, "array"),
    nestedJson(10_000, "object"),
    `{"type":"say","id":"deep","text":${nestedJson(20_000, "array")}}`,
    `{"type":"rename","name":${nestedJson(20_000, "array", '"x"')}}`,
    nestedJson(30_000, "array").slice(0, 45_000), // unclosed
    JSON.stringify({ type: "say", id: "long", text: "\u{1f600}".repeat(LIMITS.text + 1) }),
    JSON.stringify({ type: "rename", name: "\u202e".repeat(40) }),
    JSON.stringify({ type: "rename", name: "a\u0007b" }),
    JSON.stringify({ type: "say", id: "x".repeat(65), text: "hi" }),
    JSON.stringify({ type: "say", id: "to", text: "hi", to: { id: "someone" } }),
    new Uint8Array(0),
    new Uint8Array([0xff, 0xfe, 0x00]),
    utf8.encode('{"type":"say","id":"binary-say","text":"valid JSON, but binary"}'),
    new Uint8Array(LIMITS.frameBytes), // at the limit: refused as binary, not closed
  ];
}

/** Sends every shot, then the barrier, and checks the answers that came before the barrier's. */
async function fire(
  socket: TestSocket,
  batch: Shot[],
  barrier: { send: () => void; awaitAnswer: () => Promise<SingleServerFrame[]> },
  context: string,
): Promise<void> {
  for (const shot of batch) socket.ws.send(shot.data);
  barrier.send();
  const answers = await barrier.awaitAnswer();
  const errors = answers.filter((f): f is ErrorFrame => f.type === "error");
  // Exactly one answer per frame, each an error: none lost, none doubled, nothing else sent back.
  expect(errors.length, `${context}: ${answers.length} answers to ${batch.length} frames`).toBe(batch.length);
  expect(answers.length, context).toBe(batch.length);
  batch.forEach((shot, i) => {
    const error = errors[i]!;
    const where = `${context}, frame ${i}: ${show(shot.data)} got ${JSON.stringify(error).slice(0, 300).toWellFormed()}`;
    expect(shot.codes, where).toContain(error.code);
    // Compared JSON-escaped: a raw lone surrogate in a failing assertion cannot reach Vitest's reporter.
    expect(shot.refs.map((ref) => JSON.stringify(ref)), where).toContain(JSON.stringify(error.ref));
    expect(typeof error.message, where).toBe("string");
    expect(/\n\s+at |\.ts:\d+|\.js:\d+/.test(error.message), `${where}: a stack trace`).toBe(false);
  });
  expect(socket.closeEvent, context).toBeUndefined();
}

/** A frame, printed short enough for a failure message. */
function show(data: string | Uint8Array): string {
  if (typeof data !== "string") return `<${data.byteLength} binary bytes>`;
  // JSON escapes lone surrogates; cutting may split a pair, so the cut is made well-formed again.
  // (A lone surrogate in a failure message breaks the channel that reports it.)
  const text = JSON.stringify(data);
  return text.length > 200 ? `${text.slice(0, 200).toWellFormed()}… (${data.length} chars)` : text;
}

/** A barrier for a socket that has said hello: a history request, answered by one history frame. */
function historyBarrier(socket: TestSocket) {
  return {
    send: () => socket.send({ type: "history", limit: 1 }),
    awaitAnswer: async () => (await socket.through("history", () => true, CHUNK_TIMEOUT_MS)).before,
  };
}

/**
 * A barrier before or after hello that no bucket charges (the late chunks outnumber a bucket's
 * tokens): a say with an empty text and a unique id, refused with that id as ref.
 */
function earlyBarrier(socket: TestSocket, id: string) {
  return {
    send: () => socket.send({ type: "say", id, text: "" }),
    awaitAnswer: async () => (await socket.through("error", (e) => e.ref === id, CHUNK_TIMEOUT_MS)).before,
  };
}

const seed = Date.now() % 2 ** 31;

describe("room fuzz", () => {
  it(`answers each of ${LATE_CHUNKS * CHUNK} random and mutated frames after hello with one error, changes nothing, and still serves a say`, async () => {
    const room = roomName("fuzz-late");
    const { socket: observer, welcome: observerWelcome } = await join(room, { name: "observer" });
    const token = newToken();
    const { socket, welcome } = await join(room, { name: "fuzzer", token });
    await observer.next("join");

    for (let chunk = 0; chunk < LATE_CHUNKS; chunk++) {
      const { socket: tab } = await join(room, { name: "fuzzer", token });
      const batch = shots(CHUNK, seed + chunk * 1_000, afterHello);
      await fire(tab, batch, earlyBarrier(tab, `barrier-${chunk}`), `seed ${seed}, chunk ${chunk}`);
      await tab.close();
    }

    // Nothing changed: the first stored message is seq 1, and the observer saw nothing before it.
    const message = await socket.say("still here");
    expect(message).toMatchObject({ seq: 1, text: "still here", from: userOf(welcome) });
    const { before } = await observer.through("message", (m) => m.seq === 1);
    expect(before, `the observer saw: ${JSON.stringify(before).slice(0, 500)}`).toEqual([]);
    const { welcome: late } = await join(room, { name: "latecomer" });
    expect(late.users).toEqual(expect.arrayContaining([userOf(welcome), userOf(observerWelcome)]));
    expect(late.users).toHaveLength(3);
  }, 120_000);

  it(`answers each of ${EARLY_SOCKETS * EARLY_PER_SOCKET} random frames before hello with one error, then accepts hello`, async () => {
    const room = roomName("fuzz-early");
    for (let n = 0; n < EARLY_SOCKETS; n++) {
      const socket = await connect(room);
      const batch = shots(EARLY_PER_SOCKET, seed + 500_000 + n * 1_000, beforeHello);
      await fire(socket, batch, earlyBarrier(socket, `barrier-${n}`), `seed ${seed}, early socket ${n}`);
      // A refused hello or anything else left the socket usable: it joins and speaks.
      const welcome = await socket.hello({ name: `early-${n}` });
      expect(welcome.self.name).toBe(`early-${n}`);
      expect((await socket.say(`hello ${n}`)).seq).toBe(n + 1);
      await socket.close();
    }
  }, 120_000);

  it("answers each hand-picked hostile frame (deep nesting, huge numbers, lone surrogates, binary) with one error", async () => {
    const room = roomName("fuzz-hand");
    const early = await connect(room);
    const earlyShots = handPicked().map(beforeHello).filter((s): s is Shot => s !== null);
    await fire(early, earlyShots, earlyBarrier(early, "barrier-hand"), "hand-picked, before hello");
    await early.hello();
    const lateShots = handPicked().map(afterHello).filter((s): s is Shot => s !== null);
    expect(lateShots.length).toBeGreaterThan(25);
    await fire(early, lateShots, historyBarrier(early), "hand-picked, after hello");
    expect(await early.say("still here")).toMatchObject({ seq: 1 });
  }, 60_000);
});

describe("room fuzz findings", () => {
  it("a valid say sent before hello is refused with not_ready carrying its id as ref", async () => {
    // PROTOCOL.md: ref is "present whenever that say had a valid id". A valid say has one.
    const socket = await connect(roomName("early-say"));
    socket.send({ type: "say", id: "early-1", text: "too soon" });
    expect(await socket.next("error")).toMatchObject({ code: "not_ready", ref: "early-1" });
  });

  it("a say whose id holds a lone surrogate is refused, or keeps that exact id in its echo, its resend and history", async () => {
    // A client matches echoes to its outbox by id; a stored id that reads back changed is never acked.
    // Ids are compared JSON-escaped: a raw lone surrogate in a failure message breaks Vitest's reporter.
    const escaped = (id: string | undefined) => JSON.stringify(id);
    const { socket } = await join(roomName("lone-id"), { token: newToken() });
    const id = "id-\ud800-x";
    socket.send({ type: "say", id, text: "first" });
    // Barrier: whatever the say got (an echo or an error) arrives before the history answer.
    socket.send({ type: "history", limit: 1 });
    const { before } = await socket.through("history");
    const answer = before[0];
    if (answer?.type === "error") {
      expect(answer.code).toBe("bad_message");
      return;
    }
    if (answer?.type !== "message") throw new Error(`no echo: ${JSON.stringify(before)}`);
    expect(escaped(answer.id), "live echo").toBe(escaped(id));
    socket.send({ type: "say", id, text: "first" });
    const resent = await socket.next("message");
    expect(resent.seq, "the resend is a duplicate").toBe(answer.seq);
    expect(escaped(resent.id), "the resend's answer").toBe(escaped(id));
    socket.send({ type: "history" });
    expect((await socket.next("history")).messages.map((m) => escaped(m.id)), "history").toEqual([escaped(id)]);
  });
});

describe("room fuzz of names", () => {
  it("never lets two users online hold look-alike names, however they spell them in hello and rename", async () => {
    const spelling = fc.constantFrom(
      (s: string) => s,
      (s: string) => s.toUpperCase(),
      (s: string) => s.replace(/[!-~]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)),
      (s: string) => [...s].join("\u200D"),
      (s: string) => `${s}\uFE0F`,
      (s: string) => `${s}-2`,
    );
    const step = fc.tuple(fc.boolean(), fc.constantFrom("ann", "bo"), spelling);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 9 }), async (steps) => {
        const room = roomName("fuzz-names");
        const online: { socket: TestSocket; id: string; name: string }[] = [];
        for (const [index, [renameInstead, name, spell]] of steps.entries()) {
          const last = online.at(-1);
          if (renameInstead && last) {
            last.socket.send({ type: "rename", name: spell(name) });
            last.socket.send({ type: "say", id: `barrier-${index}`, text: "barrier" });
            const { before } = await last.socket.through("message", (m) => m.id === `barrier-${index}`);
            const renamed = before.filter((f) => f.type === "rename" && f.user.id === last.id);
            if (renamed.length > 0) last.name = (renamed.at(-1) as { user: { name: string } }).user.name;
          } else {
            const { socket, welcome } = await join(room, { name: spell(name) });
            online.push({ socket, id: welcome.self.id, name: welcome.self.name });
          }
        }
        const { socket: observer, welcome } = await join(room);
        const listed = welcome.users.filter((u) => u.id !== welcome.self.id);
        // What the room lists is what each user was told, and no two listed names look alike.
        expect(new Map(listed.map((u) => [u.id, u.name]))).toEqual(new Map(online.map((u) => [u.id, u.name])));
        const keys = welcome.users.map((u) => nameKey(u.name));
        expect(new Set(keys).size).toBe(keys.length);
        await Promise.all([observer, ...online.map((u) => u.socket)].map((s) => s.close()));
      }),
      { numRuns: 25, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true },
    );
  });
});

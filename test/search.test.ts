/**
 * Search (PROTOCOL.md v3): the `search` frame and `GET /api/rooms/:room/search`, over an FTS5
 * trigram index and a gram table for short terms, kept in the events' own transaction. Substrings
 * in every script (CJK without spaces, two-character words included), NFKC and lower case,
 * deleted text gone, edits replacing the indexed text, private messages found only by their pair,
 * pages newest first with `next`, the bucket, the index following retention. Runs sharded too
 * (workers-sharded); short terms in detail: search-short-terms.test.ts.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SearchFrame } from "@edge-chat/protocol";
import { connect, join, newToken, roomName, workerFetch, type TestSocket } from "./support/room-client.ts";
import { roomSql, seedMessages } from "./support/seed.ts";

/** Sends a search and returns its answer. */
async function search(socket: TestSocket, fields: { q: string; before?: number; limit?: number }): Promise<SearchFrame> {
  socket.send({ type: "search", ...fields });
  return socket.next("search");
}

const texts = (frame: { messages: { text: string }[] }) => frame.messages.map((m) => m.text);

/** The corpus: CJK without spaces, emoji, accents, fullwidth letters, Korean, German. */
const CORPUS = [
  "今天天气很好，我们去公园吧",
  "東京タワーに行きました",
  "Un café au lait, s'il vous plaît",
  "ＦＵＬＬＷＩＤＴＨ letters here",
  "party 🎉 tonight 🎉🎉",
  "Die Straße ist lang",
  "a naïve approach",
  "한국어 문장입니다",
  "plain cafe without accent",
];

async function corpusRoom(label: string) {
  const room = roomName(label);
  const writer = await join(room, { name: "writer" });
  const seqs: number[] = [];
  for (const text of CORPUS) seqs.push((await writer.socket.say(text)).seq);
  const reader = await join(room, { name: "reader" });
  return { room, writer: writer.socket, reader: reader.socket, seqs };
}

describe("the search frame", () => {
  it("before hello is not_ready", async () => {
    const room = roomName("search-not-ready");
    const socket = await connect(room);
    socket.send({ type: "search", q: "hello" });
    expect(await socket.next("error")).toMatchObject({ code: "not_ready" });
  });

  it("refuses bad fields (empty, too long, over 10 terms, bad limit and before) and the room goes on", async () => {
    const { socket } = await join(roomName("search-fields"), { name: "asker" });
    const cases: [object, string][] = [
      [{ q: "   " }, "bad_message"],
      [{ q: "" }, "bad_message"],
      [{ q: "x".repeat(201) }, "too_long"],
      [{ q: ` ${"é".repeat(200)} ` }, "search"],
      [{ q: "a b c d e f g h i j k" }, "bad_message"],
      [{ q: 42 }, "bad_message"],
      [{}, "bad_message"],
      [{ q: "ok", limit: 0 }, "bad_message"],
      [{ q: "ok", limit: 51 }, "bad_message"],
      [{ q: "ok", limit: 2.5 }, "bad_message"],
      [{ q: "ok", before: -1 }, "bad_message"],
      [{ q: "\uD800abc" }, "bad_message"],
    ];
    for (const [fields, expected] of cases) {
      socket.send({ type: "search", ...fields });
      const answer = await socket.nextOf(["error", "search"]);
      expect(answer.type === "error" ? answer.code : answer.type, JSON.stringify(fields)).toBe(expected);
    }
    const said = await socket.say("still works");
    expect((await search(socket, { q: "a b c d e f g h i works" })).messages).toEqual([]);
    expect((await search(socket, { q: "still works" })).messages.map((m) => m.seq)).toEqual([said.seq]);
  });

  it("finds substrings in every script: CJK without spaces (two characters too), emoji, Korean", async () => {
    const { reader } = await corpusRoom("search-scripts");
    expect(texts(await search(reader, { q: "天气" }))).toEqual([CORPUS[0]]);
    expect(texts(await search(reader, { q: "天气很好" }))).toEqual([CORPUS[0]]);
    expect(texts(await search(reader, { q: "好" }))).toEqual([CORPUS[0]]);
    expect(texts(await search(reader, { q: "タワー" }))).toEqual([CORPUS[1]]);
    expect(texts(await search(reader, { q: "京タ" }))).toEqual([CORPUS[1]]);
    expect(texts(await search(reader, { q: "🎉" }))).toEqual([CORPUS[4]]);
    expect(texts(await search(reader, { q: "🎉🎉🎉" }))).toEqual([]);
    expect(texts(await search(reader, { q: "🎉🎉" }))).toEqual([CORPUS[4]]);
    expect(texts(await search(reader, { q: "문장" }))).toEqual([CORPUS[7]]);
    expect(texts(await search(reader, { q: "ty 🎉 to" }))).toEqual([CORPUS[4]]);
  });

  it("compares after NFKC and lower case: fullwidth and capitals match, accents and ß stay themselves", async () => {
    const { reader } = await corpusRoom("search-normal");
    expect(texts(await search(reader, { q: "fullwidth" }))).toEqual([CORPUS[3]]);
    expect(texts(await search(reader, { q: "ｌｅｔｔｅｒｓ" }))).toEqual([CORPUS[3]]);
    expect(texts(await search(reader, { q: "CAFÉ" }))).toEqual([CORPUS[2]]);
    expect(texts(await search(reader, { q: "ＣＡＦÉ" }))).toEqual([CORPUS[2]]);
    expect(texts(await search(reader, { q: "cafe" }))).toEqual([CORPUS[8]]);
    expect(texts(await search(reader, { q: "naïve" }))).toEqual([CORPUS[6]]);
    // NFKC composes: an e with a combining acute is é.
    expect(texts(await search(reader, { q: "cafe\u0301" }))).toEqual([CORPUS[2]]);
    expect(texts(await search(reader, { q: "STRASSE" }))).toEqual([]);
    expect(texts(await search(reader, { q: "STRAßE" }))).toEqual([CORPUS[5]]);
  });

  it("needs every term: a message holding one of two terms is not found", async () => {
    const { reader } = await corpusRoom("search-terms");
    expect(texts(await search(reader, { q: "café lait" }))).toEqual([CORPUS[2]]);
    expect(texts(await search(reader, { q: "café tea" }))).toEqual([]);
    expect(texts(await search(reader, { q: "天气 公园" }))).toEqual([CORPUS[0]]);
    expect(texts(await search(reader, { q: "天气 东京" }))).toEqual([]);
    // One-letter terms take the short path: "café" holds no plain "e", "fullwidth letters" no "a".
    expect(texts(await search(reader, { q: "a e" }))).toEqual([CORPUS[8], CORPUS[6], CORPUS[5]]);
  });

  it("echoes q exactly, pages newest first below before, and gives next only when an older match exists", async () => {
    const room = roomName("search-pages");
    const { socket } = await join(room, { name: "pager" });
    const seqs: number[] = [];
    for (let i = 1; i <= 5; i++) {
      seqs.push((await socket.say(`match number ${i}`)).seq);
      await socket.say(`other ${i}`);
    }
    const first = await search(socket, { q: "  Match  NUMBER ", limit: 2 });
    expect(first.q).toBe("  Match  NUMBER ");
    expect(first.messages.map((m) => m.seq)).toEqual([seqs[4], seqs[3]]);
    expect(first.next).toBe(seqs[3]);
    const second = await search(socket, { q: "match", limit: 2, before: first.next! });
    expect(second.messages.map((m) => m.seq)).toEqual([seqs[2], seqs[1]]);
    expect(second.next).toBe(seqs[1]);
    // The last page is exactly full: no next.
    const third = await search(socket, { q: "match", limit: 1, before: second.next! });
    expect(third.messages.map((m) => m.seq)).toEqual([seqs[0]]);
    expect(third).not.toHaveProperty("next");
    const all = await search(socket, { q: "match", limit: 5 });
    expect(all.messages).toHaveLength(5);
    expect(all).not.toHaveProperty("next");
    const defaults = await search(socket, { q: "number" });
    expect(defaults.messages).toHaveLength(5);
    // Messages as history shows them: whole frames in their current state.
    expect(defaults.messages[0]).toMatchObject({ type: "message", seq: seqs[4], from: { name: "pager" }, text: "match number 5" });
  });

  it("never finds deleted text, and finds an edited message by its current text only", async () => {
    const room = roomName("search-changes");
    const { socket } = await join(room, { name: "changer" });
    const doomed = await socket.say("secret plans for friday");
    const edited = await socket.say("meet at noon");
    socket.send({ type: "delete", id: "d1", target: doomed.seq });
    await socket.next("delete");
    socket.send({ type: "edit", id: "e1", target: edited.seq, text: "meet at dusk" });
    await socket.next("edit");
    expect((await search(socket, { q: "secret" })).messages).toEqual([]);
    expect((await search(socket, { q: "noon" })).messages).toEqual([]);
    expect((await search(socket, { q: "dusk" })).messages.map((m) => [m.seq, m.text, m.edited !== undefined])).toEqual([[edited.seq, "meet at dusk", true]]);
    // The index itself holds nothing of the deleted or replaced text.
    const rows = await roomSql<{ body: string }>(room, "SELECT body FROM search_text");
    expect(rows.map((r) => r.body)).toEqual(["meet at dusk"]);
    expect(rows.some((r) => r.body.includes("secret") || r.body.includes("noon"))).toBe(false);
  });

  it("finds a private message only for its sender and recipient", async () => {
    const room = roomName("search-private");
    const ada = await join(room, { name: "ada" });
    const bea = await join(room, { name: "bea" });
    const cyd = await join(room, { name: "cyd" });
    const note = await ada.socket.say("the vault code is 4711", { to: bea.welcome.self.id });
    await bea.socket.next("message", (m) => m.seq === note.seq);
    expect((await search(ada.socket, { q: "vault" })).messages.map((m) => m.seq)).toEqual([note.seq]);
    expect((await search(bea.socket, { q: "vault" })).messages.map((m) => m.seq)).toEqual([note.seq]);
    expect((await search(cyd.socket, { q: "vault" })).messages).toEqual([]);
    expect((await search(cyd.socket, { q: "47" })).messages).toEqual([]);
  });

  it("takes a token from the bucket: the 21st search in a burst is rate_limited, and the room goes on", async () => {
    const room = roomName("search-bucket");
    const { socket } = await join(room, { name: "asker" });
    const other = await join(room, { name: "other" });
    for (let i = 0; i < 20; i++) socket.send({ type: "search", q: "anything" });
    for (let i = 0; i < 20; i++) await socket.next("search");
    socket.send({ type: "search", q: "anything" });
    expect(await socket.next("error")).toMatchObject({ code: "rate_limited" });
    expect((await search(other.socket, { q: "anything" })).messages).toEqual([]);
  });

  it("follows retention: messages pruned from the log leave the index", async () => {
    const room = roomName("search-prune");
    await seedMessages(room, 60, 20);
    const rows = await roomSql<{ n: number; low: number }>(room, "SELECT COUNT(*) AS n, MIN(rowid) AS low FROM search_text");
    expect(rows[0]).toEqual({ n: 20, low: 41 });
    expect(await roomSql(room, "SELECT COUNT(*) AS n, MIN(rowid) AS low FROM search_grams")).toEqual([{ n: 20, low: 41 }]);
    const { socket } = await join(room, { name: "late" });
    expect((await search(socket, { q: "m1" })).messages.map((m) => m.text)).toEqual([]);
    expect((await search(socket, { q: "m4" })).messages.map((m) => m.text)).toEqual(["m49", "m48", "m47", "m46", "m45", "m44", "m43", "m42", "m41"]);
  });

  it("indexes a log stored before search once, when the room wakes", async () => {
    const room = roomName("search-backfill");
    const { socket } = await join(room, { name: "old" });
    await socket.say("stored before the index existed");
    await socket.close();
    await roomSql(room, "DROP TABLE search_text");
    await evictDurableObject(env.ROOMS.getByName(room));
    const { socket: again } = await join(room, { name: "new" });
    expect(texts(await search(again, { q: "before the index" }))).toEqual(["stored before the index existed"]);
    // The short-term table is filled again with it, from the log: one row per message, not two.
    expect(texts(await search(again, { q: "xi" }))).toEqual(["stored before the index existed"]);
    expect(await roomSql(room, "SELECT COUNT(*) AS n FROM search_grams")).toEqual([{ n: 1 }]);
  });
});

describe("GET /api/rooms/:room/search", () => {
  const get = (path: string, headers: Record<string, string> = {}) => workerFetch(path, { headers });

  it("answers pages of public messages, and a credential's user's private ones too", async () => {
    const room = roomName("search-http");
    const token = newToken();
    const ada = await join(room, { token, name: "ada" });
    const bea = await join(room, { name: "bea" });
    const open = await bea.socket.say("lunch at one?");
    const secret = await bea.socket.say("lunch is on me", { to: ada.welcome.self.id });
    await ada.socket.next("message", (m) => m.seq === secret.seq);
    const anonymous = await get(`/api/rooms/${room}/search?q=lunch`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ messages: [expect.objectContaining({ seq: open.seq, text: "lunch at one?" })] });
    const asAda = (await (await get(`/api/rooms/${room}/search?q=LUNCH&limit=1`, { Authorization: `Bearer ${token}` })).json()) as { messages: { seq: number }[]; next?: number };
    expect(asAda).toEqual({ messages: [expect.objectContaining({ seq: secret.seq })], next: secret.seq });
    const older = (await (await get(`/api/rooms/${room}/search?q=lunch&before=${asAda.next}`, { Authorization: `Bearer ${token}` })).json()) as object;
    expect(older).toEqual({ messages: [expect.objectContaining({ seq: open.seq })] });
    const stranger = (await (await get(`/api/rooms/${room}/search?q=lunch`, { Authorization: `Bearer ${newToken()}` })).json()) as { messages: unknown[] };
    expect(stranger.messages).toHaveLength(1);
  });

  it("answers 400 bad_query for a missing, empty or bad q, before or limit; 401 for a bad credential", async () => {
    const room = roomName("search-http-bad");
    const { socket } = await join(room, { name: "x" });
    await socket.say("something");
    for (const query of ["", "?q=", "?q=%20%20", `?q=${"x".repeat(201)}`, "?q=a+b+c+d+e+f+g+h+i+j+k", "?q=ok&limit=0", "?q=ok&limit=51", "?q=ok&limit=x", "?q=ok&before=-1", "?q=ok&before=1.5"]) {
      const response = await get(`/api/rooms/${room}/search${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("bad_query");
    }
    const unauthorized = await get(`/api/rooms/${room}/search?q=some`, { Authorization: "Bearer not a token" });
    expect(unauthorized.status).toBe(401);
    expect((await get(`/api/rooms/${room}/search?q=some`)).status).toBe(200);
    expect((await get(`/api/rooms/BAD/search?q=some`)).status).toBe(400);
  });
});

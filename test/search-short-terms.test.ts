/**
 * Search terms of 1 and 2 code points (PROTOCOL.md v3 "Search"; docs/protocol.md "Short terms"):
 * answered by the gram table (each message's distinct unigrams and bigrams) instead of a walk of
 * every key text, and finding exactly what the walk found: a message whose key text (NFKC, lower
 * case) holds the term as a substring, in every script, in its current text only, private ones
 * for their pair only. Runs sharded too (workers-sharded).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { User } from "@edge-chat/protocol";
import { searchKey } from "@edge-chat/protocol/search";
import type { Room } from "../src/server/objects/room.ts";
import { EventLog, type NewEvent } from "../src/server/storage/event-log.ts";
import { join, roomName, workerFetch, type TestSocket } from "./support/room-client.ts";
import { roomSql } from "./support/seed.ts";

/** Sends a search and returns the texts it found, newest first. */
async function found(socket: TestSocket, q: string): Promise<string[]> {
  socket.send({ type: "search", q });
  return (await socket.next("search")).messages.map((m) => m.text);
}

const ADA: User = { id: "ada-id", name: "ada" };
const BEA: User = { id: "bea-id", name: "bea" };
const CYD: User = { id: "cyd-id", name: "cyd" };

/** A stored message: its text, sender, recipient when private, and what later happened to it. */
interface Stored {
  text: string;
  from: User;
  to?: User;
  editedTo?: string;
  deleted?: boolean;
}

/** Every script the rules name: CJK without spaces, emoji with a skin tone, accents (composed and combining), fullwidth, ligatures NFKC splits, word boundaries. */
const STORED: Stored[] = [
  { text: "今天天气很好，我们去公园吧", from: ADA },
  { text: "東京タワーに行きました", from: BEA },
  { text: "Un café au lait", from: ADA },
  { text: "a decomposed cafe\u0301 too", from: CYD },
  { text: "ＦＵＬＬＷＩＤＴＨ ＯＫ", from: BEA },
  { text: "ok, fine", from: ADA },
  { text: "party 🎉 tonight 🎉🎉", from: CYD },
  { text: "thumbs 👍🏽 up", from: ADA },
  { text: "well-known x.y", from: BEA },
  { text: "Die Straße ﬁne", from: CYD },
  { text: "an umlaut ¨ alone", from: ADA },
  { text: "한국어 문장입니다", from: BEA },
  { text: "秘密 zq 47", from: ADA, to: BEA },
  { text: "ǆ reply", from: BEA, to: ADA },
  { text: "meet at noon 正午", from: ADA, editedTo: "meet at dusk 黄昏" },
  { text: "secret 机密 plans", from: BEA, deleted: true },
  { text: "a", from: CYD },
];

/** Stores STORED straight into a room's log (then its edits and deletes), returning each message's seq. */
async function storeAll(room: string): Promise<number[]> {
  return runInDurableObject(env.ROOMS.getByName(room), (_: Room, state) => {
    const log = new EventLog(state.storage.sql);
    let seq = log.lastSeq;
    const event = (e: Omit<NewEvent, "seq" | "clientId" | "ts">): NewEvent => ({ ...e, seq: ++seq, clientId: `c${seq}`, ts: Date.now() });
    const seqs: number[] = [];
    const says = STORED.map((m) => {
      const say = event({ kind: "say", user: m.from, authorId: m.from.id, text: m.text, ...(m.to ? { to: m.to } : {}) });
      seqs.push(say.seq);
      return say;
    });
    state.storage.transactionSync(() => log.append(says));
    STORED.forEach((m, i) => {
      const target = seqs[i]!;
      const change = { user: m.from, authorId: m.from.id, target, ...(m.to ? { to: m.to } : {}) };
      if (m.editedTo !== undefined) state.storage.transactionSync(() => log.append([event({ kind: "edit", text: m.editedTo, ...change })]));
      if (m.deleted) state.storage.transactionSync(() => log.append([event({ kind: "delete", ...change })]));
    });
    return seqs;
  });
}

/** What the walk with `instr` finds: live messages the viewer may see whose current key text holds every term, newest first. */
function expected(seqs: number[], viewer: User | null, terms: string[]): number[] {
  return STORED.flatMap((m, i) => {
    if (m.deleted) return [];
    if (m.to && (viewer === null || (viewer.id !== m.from.id && viewer.id !== m.to.id))) return [];
    const key = searchKey(m.editedTo ?? m.text);
    return terms.every((t) => key.includes(t)) ? [seqs[i]!] : [];
  }).reverse();
}

/** Every substring of 1 or 2 code points of a text's key that a term could be (not whitespace alone). */
function shortSubstrings(text: string): string[] {
  const points = [...searchKey(text)];
  const terms = points.flatMap((p, i) => [p, i + 1 < points.length ? p + points[i + 1] : ""]);
  return terms.filter((t) => t.trim() !== "");
}

describe("short search terms, against the rule", () => {
  it("find exactly the messages whose key text holds them, for every viewer, every 1–2 code point substring of every text", async () => {
    const room = roomName("short-exhaustive");
    const seqs = await storeAll(room);
    const singles = [...new Set(STORED.flatMap((m) => [m.text, m.editedTo ?? ""]).flatMap(shortSubstrings))];
    // Misses, terms NFKC changes, and sets of terms: short with short, short with long.
    const sets: string[][] = [
      ...singles.map((t) => [t]),
      ...["zz", "qx", "🎈", "e", "ｏｋ", "ＯＫ", "ﬁ", "ǆ", "¨", "👍🏽", "🏽👍"].map((t) => [searchKey(t)]),
      ["天", "园"], ["ok", "fine"], ["ok", "zz"], ["caf", "é"], ["tonight", "🎉"], ["tonight", "zq"], ["密", "47"], ["a", "¨"], ["meet", "昏"], ["meet", "正"],
    ];
    const viewers = [ADA, BEA, CYD, null];
    const results = await runInDurableObject(env.ROOMS.getByName(room), (_: Room, state) => {
      const log = new EventLog(state.storage.sql);
      return viewers.map((viewer) => sets.map((terms) => log.searchRows(viewer?.id ?? null, terms, 100).map((r) => r.seq)));
    });
    expect(singles.length).toBeGreaterThan(150);
    viewers.forEach((viewer, v) => {
      sets.forEach((terms, i) => expect(results[v]![i], `${viewer?.name ?? "public"} ${JSON.stringify(terms)}`).toEqual(expected(seqs, viewer, terms)));
    });
    // The rule's own cases, spelled out.
    expect(expected(seqs, CYD, ["ok"]).length).toBe(2);
    expect(expected(seqs, ADA, ["正"])).toEqual([]);
    expect(expected(seqs, BEA, ["机"])).toEqual([]);
  });

  it("are answered by the gram table: a message whose grams are gone is not found by a short term, still by a long one", async () => {
    const room = roomName("short-by-grams");
    const seqs = await storeAll(room);
    const cafe = seqs[2]!;
    await roomSql(room, "DELETE FROM search_grams WHERE rowid = ?", cafe);
    const rows = await runInDurableObject(env.ROOMS.getByName(room), (_: Room, state) => {
      const log = new EventLog(state.storage.sql);
      return { short: log.searchRows(null, ["é"], 100).map((r) => r.seq), long: log.searchRows(null, ["café"], 100).map((r) => r.seq) };
    });
    expect(rows.short).toEqual([seqs[3]]);
    expect(rows.long).toEqual([seqs[3], cafe]);
  });
});

describe("short search terms with a longer one", () => {
  it("find the same pages whether the short term is held by many messages (the trigram table drives) or few (the gram table does)", async () => {
    const room = roomName("short-mixed");
    const text = (i: number) => `${i % 3 === 0 ? "tick" : "tock"}-${i}`;
    const pages = await runInDurableObject(env.ROOMS.getByName(room), (_: Room, state) => {
      const log = new EventLog(state.storage.sql);
      const user = { id: "u", name: "u" };
      const events = Array.from({ length: 600 }, (_, k): NewEvent => ({ seq: k + 1, kind: "say", clientId: `c${k + 1}`, user, ts: 1, authorId: user.id, text: text(k + 1) }));
      state.storage.transactionSync(() => log.append(events));
      // "oc" is in 400 messages, "ic" in 200, "o" in 400, "zq" in none; paged 7 at a time, as `next` pages.
      return [["ck-5", "oc"], ["ck-5", "ic"], ["ck-1", "o"], ["ck-2", "zq"]].map((terms) => {
        const seqs: number[] = [];
        for (let before = Number.MAX_SAFE_INTEGER; ; ) {
          const page = log.searchRows(null, terms, 7, before).map((r) => r.seq);
          seqs.push(...page);
          if (page.length < 7) return { terms, seqs };
          before = page.at(-1)!;
        }
      });
    });
    for (const { terms, seqs } of pages) {
      const expected = Array.from({ length: 600 }, (_, k) => 600 - k).filter((i) => terms.every((t) => text(i).includes(t)));
      expect(seqs, JSON.stringify(terms)).toEqual(expected);
    }
    expect(pages.map((p) => p.seqs.length)).toEqual([75, 36, 75, 0]);
  });
});

describe("short search terms, through the search frame and the HTTP route", () => {
  it("find CJK, emoji, accents, fullwidth and word boundaries; a two-character term found nowhere finds nothing", async () => {
    const room = roomName("short-frames");
    const writer = await join(room, { name: "writer" });
    const texts = ["今天天气很好，我们去公园吧", "Un café au lait", "ＦＵＬＬＷＩＤＴＨ ＯＫ", "party 🎉 tonight 🎉🎉", "thumbs 👍🏽 up", "well-known x.y", "an umlaut ¨ alone"];
    for (const text of texts) await writer.socket.say(text);
    const { socket } = await join(room, { name: "reader" });
    expect(await found(socket, "天气")).toEqual([texts[0]]);
    expect(await found(socket, "园")).toEqual([texts[0]]);
    expect(await found(socket, "🎉🎉")).toEqual([texts[3]]);
    expect(await found(socket, "👍🏽")).toEqual([texts[4]]);
    expect(await found(socket, "é")).toEqual([texts[1]]);
    expect(await found(socket, "e\u0301")).toEqual([texts[1]]);
    expect(await found(socket, "ok")).toEqual([texts[2]]);
    expect(await found(socket, "ｏｋ")).toEqual([texts[2]]);
    expect(await found(socket, "l-")).toEqual([texts[5]]);
    expect(await found(socket, ".y")).toEqual([texts[5]]);
    expect(await found(socket, "¨")).toEqual([texts[6]]);
    expect(await found(socket, "zq")).toEqual([]);
    expect(await found(socket, "t 🎉")).toEqual([texts[3]]);
    expect(await found(socket, "tonight zq")).toEqual([]);
    expect(await found(socket, "l u")).toEqual([texts[6], texts[2], texts[1]]);
  });

  it("find an edited message by its current text only and a deleted one never", async () => {
    const room = roomName("short-changes");
    const { socket } = await join(room, { name: "changer" });
    const doomed = await socket.say("secret 机密 plans");
    const edited = await socket.say("meet at noon 正午");
    socket.send({ type: "delete", id: "d1", target: doomed.seq });
    await socket.next("delete");
    socket.send({ type: "edit", id: "e1", target: edited.seq, text: "meet at dusk 黄昏" });
    await socket.next("edit");
    expect(await found(socket, "机密")).toEqual([]);
    expect(await found(socket, "oo")).toEqual([]);
    expect(await found(socket, "正")).toEqual([]);
    expect(await found(socket, "黄昏")).toEqual(["meet at dusk 黄昏"]);
    expect(await found(socket, "sk")).toEqual(["meet at dusk 黄昏"]);
    // The gram table holds the current text's grams only.
    expect(await roomSql(room, "SELECT rowid FROM search_grams")).toEqual([{ rowid: edited.seq }]);
  });

  it("find a private message only for its sender and recipient, by the frame and by HTTP", async () => {
    const room = roomName("short-private");
    const ada = await join(room, { name: "ada" });
    const bea = await join(room, { name: "bea" });
    const cyd = await join(room, { name: "cyd" });
    const note = await ada.socket.say("秘密 47", { to: bea.welcome.self.id });
    await bea.socket.next("message", (m) => m.seq === note.seq);
    const open = await cyd.socket.say("公开 48");
    expect(await found(ada.socket, "秘密")).toEqual(["秘密 47"]);
    expect(await found(bea.socket, "47")).toEqual(["秘密 47"]);
    expect(await found(bea.socket, "4")).toEqual(["公开 48", "秘密 47"]);
    expect(await found(cyd.socket, "秘密")).toEqual([]);
    expect(await found(cyd.socket, "4")).toEqual(["公开 48"]);
    const anonymous = (await (await workerFetch(`/api/rooms/${room}/search?q=4`)).json()) as { messages: { seq: number }[] };
    expect(anonymous.messages.map((m) => m.seq)).toEqual([open.seq]);
  });
});

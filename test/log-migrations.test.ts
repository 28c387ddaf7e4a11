/**
 * A room stored before this version wakes in the current shape: one text per message (edit rows
 * give theirs up), reactions as counts plus per-user rows, order kept, and its current messages
 * in the short-term gram table of search.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { join, messagesOf, newToken, roomName, type TestSocket } from "./support/room-client.ts";
import { roomSql } from "./support/seed.ts";

describe("a room stored before protocol v3", () => {
  it("keeps one text per message and moves its one-table reactions into counts and per-user rows", async () => {
    const room = roomName("v2-upgrade");
    const stub = env.ROOMS.getByName(room);
    const { socket: first, welcome } = await join(room, { name: "ann" });
    await first.say("original");
    await first.close();
    await runInDurableObject(stub, (_: unknown, state: DurableObjectState) => {
      const sql = state.storage.sql;
      const ann = welcome.self.id;
      // Two edits as version 2 stored them: each with its text; then reactions in the old table.
      sql.exec("UPDATE events SET text = 'second', edited = 3 WHERE seq = 1");
      sql.exec(`INSERT INTO events (seq, kind, client_id, user_id, name, ts, text, target, author_id) VALUES
        (2, 1, 'e1', ?1, 'ann', 2, 'first edit', 1, ?1), (3, 1, 'e2', ?1, 'ann', 3, 'second', 1, ?1)`, ann);
      sql.exec("DROP TABLE reaction_counts");
      sql.exec("DROP TABLE user_reactions");
      sql.exec(`CREATE TABLE reactions (target INTEGER NOT NULL, emoji TEXT NOT NULL, user_id TEXT NOT NULL,
        opened INTEGER NOT NULL, PRIMARY KEY (target, emoji, user_id)) WITHOUT ROWID`);
      sql.exec(`INSERT INTO reactions VALUES (1, '🎉', 'u1', 4), (1, '👍', 'u1', 5), (1, '👍', ?1, 5), (1, '🎉', 'u2', 4)`, ann);
      sql.exec("DELETE FROM meta WHERE key = 'edits_keep_one_text'");
    });
    await evictDurableObject(stub);
    const { welcome: back } = await join(room, { name: "reader", since: 0, epoch: welcome.epoch });
    expect(back.resumed).toBe(true);
    expect(back.messages.filter((m) => m.type === "edit").map((e) => (e as { text: string }).text)).toEqual(["second", "second"]);
    expect(messagesOf(back)[0]!.reactions).toEqual([
      { emoji: "🎉", count: 2, me: false },
      { emoji: "👍", count: 2, me: false },
    ]);
    expect(await roomSql(room, "SELECT seq, text FROM events WHERE kind = 1 ORDER BY seq")).toEqual([{ seq: 2, text: null }, { seq: 3, text: null }]);
    expect(await roomSql(room, "SELECT name FROM sqlite_master WHERE name = 'reactions'")).toEqual([]);
  });
});

describe("a room stored before the short-term gram table", () => {
  /** The texts a search finds, newest first. */
  async function found(socket: TestSocket, q: string): Promise<string[]> {
    socket.send({ type: "search", q });
    return (await socket.next("search")).messages.map((m) => m.text);
  }

  it("indexes its current messages once when it wakes: edits by their current text, deleted ones not, private ones for their pair", async () => {
    const room = roomName("grams-upgrade");
    const stub = env.ROOMS.getByName(room);
    const annToken = newToken();
    const ann = await join(room, { token: annToken, name: "ann" });
    const bob = await join(room, { name: "bob" });
    const open = await ann.socket.say("天气 ok");
    const note = await ann.socket.say("秘密 47", { to: bob.welcome.self.id });
    const edited = await ann.socket.say("noon 正午");
    const gone = await ann.socket.say("机密 plans");
    ann.socket.send({ type: "edit", id: "e1", target: edited.seq, text: "dusk 黄昏" });
    await ann.socket.next("edit");
    ann.socket.send({ type: "delete", id: "d1", target: gone.seq });
    await ann.socket.next("delete");
    await ann.socket.close();
    await bob.socket.close();
    // As the room was stored before the gram table: the trigram table only.
    await roomSql(room, "DROP TABLE search_grams");
    await evictDurableObject(stub);
    const { socket: again } = await join(room, { token: annToken, name: "ann" });
    expect(await roomSql(room, "SELECT rowid FROM search_grams ORDER BY rowid")).toEqual([{ rowid: open.seq }, { rowid: note.seq }, { rowid: edited.seq }]);
    expect(await found(again, "天气")).toEqual(["天气 ok"]);
    expect(await found(again, "47")).toEqual(["秘密 47"]);
    expect(await found(again, "k")).toEqual(["dusk 黄昏", "天气 ok"]);
    expect(await found(again, "正")).toEqual([]);
    expect(await found(again, "黄昏")).toEqual(["dusk 黄昏"]);
    expect(await found(again, "机密")).toEqual([]);
    const { socket: stranger } = await join(room, { name: "cyd" });
    expect(await found(stranger, "秘密")).toEqual([]);
    expect(await found(stranger, "ok")).toEqual(["天气 ok"]);
  });
});

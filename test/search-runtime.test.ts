/**
 * The runtime under the test pool compiles in what search is built on (PROTOCOL.md v3 "Search"):
 * SQLite's FTS5 with the `trigram` tokenizer, substring matching of 3+ characters in any script.
 * Shown first, in the room's own storage, before anything relies on it.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Room } from "../src/server/objects/room.ts";
import { roomName } from "./support/room-client.ts";

describe("the runtime's SQLite", () => {
  it("has FTS5 with the trigram tokenizer: substrings of 3+ characters in Latin, CJK and emoji text match", async () => {
    const stub = env.ROOMS.getByName(roomName("fts5-runtime"));
    const found = await runInDurableObject(stub, (_: Room, state) => {
      const sql = state.storage.sql;
      sql.exec(`CREATE VIRTUAL TABLE probe USING fts5(body, tokenize = "trigram case_sensitive 1")`);
      const texts = ["the quick brown fox", "今天天气很好我们去公园", "party 🎉🎉🎉 tonight", "Ünïcode"];
      texts.forEach((text, i) => sql.exec("INSERT INTO probe (rowid, body) VALUES (?, ?)", i + 1, text));
      const match = (q: string) => sql.exec<{ rowid: number }>("SELECT rowid FROM probe WHERE probe MATCH ? ORDER BY rowid", q).toArray().map((r) => r.rowid);
      return { quick: match('"uic"'), cjk: match('"天气很"'), emoji: match('"🎉🎉🎉"'), both: match('"qui" AND "fox"'), caseSensitive: match('"ünï"'), none: match('"zzz"') };
    });
    expect(found).toMatchObject({ quick: [1], cjk: [2], emoji: [3], both: [1], caseSensitive: [], none: [] });
  });
});

/**
 * Issue 19: what an attacker could make a room store or read, counted in the room's own SQLite
 * (its size, and the rows its statements read, as storage bills them). Driven through the core
 * with a hand-moved clock, so the bucket never decides the outcome.
 */
import { describe, expect, it } from "vitest";
import type { MessageFrame, WelcomeFrame } from "@edge-chat/protocol";
import { coreHarness, countingSql, inCoreRoom } from "./support/core-harness.ts";

/** A text of `length` code points that differs for every `n`. */
const longText = (n: number, length = 2_000) => `${n} `.padEnd(length, "abcdefghij"[n % 10]!);

describe("1. edits keep one text: the room's storage", () => {
  it("stays flat under 300 edits of one message: what a long replaced text took is given back", () =>
    inCoreRoom("edit-flood", (state) => {
      const h = coreHarness(state);
      h.hello("c:a", "alice");
      const editMany = (target: number, count: number, text: (i: number) => string) => {
        for (let i = 0; i < count; i++) {
          h.clock.now += 1_000;
          h.send("c:a", { type: "edit", id: `e${target}-${i}`, target, text: text(i) });
          h.room.queue.commit();
        }
      };
      h.send("c:a", { type: "say", id: "long", text: longText(0) });
      h.send("c:a", { type: "say", id: "short", text: "x" });
      h.room.queue.commit();
      // Warm both up first: the log's first pages are allocated either way.
      editMany(1, 20, (i) => longText(i));
      editMany(2, 20, () => "y");
      const size = () => state.storage.sql.databaseSize;
      const before = size();
      editMany(1, 300, (i) => longText(i + 20));
      const long = size() - before;
      editMany(2, 300, () => "z");
      const short = size() - before - long;
      // The long edits may cost what the short ones do, plus the one text that stands.
      expect(long, `300 long edits grew the room by ${long} bytes, 300 short ones by ${short}`).toBeLessThan(short + 32 * 1_024);
      // One text per message, in the message's own row: no edit's row keeps one.
      const texts = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE kind = 1 AND text IS NOT NULL AND text != ''").one();
      expect(texts.n).toBe(0);
      expect(h.room.log.row(1)?.text).toBe(longText(319));
    }));

  it("prunes change events too: the newest messages and the newest change events stay, and a resume from before them falls back", () =>
    inCoreRoom("edit-prune", (state) => {
      const h = coreHarness(state);
      h.hello("c:a", "alice");
      for (let i = 1; i <= 5; i++) h.send("c:a", { type: "say", id: `m${i}`, text: `m${i}` });
      h.room.queue.commit();
      for (let i = 1; i <= 50; i++) {
        h.clock.now += 1_000;
        h.send("c:a", { type: "edit", id: `e${i}`, target: 5, text: `edit ${i}` });
        h.room.queue.commit();
      }
      h.room.log.prune(3);
      const rows = state.storage.sql.exec<{ seq: number; kind: number }>("SELECT seq, kind FROM events ORDER BY seq").toArray();
      expect(rows.map((r) => r.seq)).toEqual([3, 4, 5, 53, 54, 55]);
      expect(h.room.log.prunedThrough).toBe(52);
      expect(h.room.log.lastSeq).toBe(55);
      expect(h.room.log.row(5)?.text).toBe("edit 50");
      const welcomeAfter = (since: number): WelcomeFrame => {
        h.send(`c:${since}`, { type: "hello", token: "alice-token-0123456789", since, epoch: h.room.log.epoch });
        return h.framesOf("welcome").at(-1)!;
      };
      expect(welcomeAfter(10).resumed).toBe(false);
      const resumed = welcomeAfter(52);
      expect(resumed.resumed).toBe(true);
      expect(resumed.messages.map((m) => m.type)).toEqual(["edit", "edit", "edit"]);
    }));
});

describe("1. edits of a pruned message", () => {
  it("serve the text their message was left with: its last edit keeps that text when the message goes", () =>
    inCoreRoom("edit-pruned", (state) => {
      const h = coreHarness(state);
      h.hello("c:a", "alice");
      for (let i = 1; i <= 5; i++) h.send("c:a", { type: "say", id: `m${i}`, text: `m${i}` });
      h.room.queue.commit();
      h.send("c:a", { type: "edit", id: "e1", target: 1, text: "m1 once" });
      h.send("c:a", { type: "edit", id: "e2", target: 1, text: "m1 twice" });
      h.room.queue.commit();
      h.room.log.prune(3);
      expect(h.room.log.row(1)).toBeUndefined();
      h.send("c:b", { type: "hello", token: "bob-token-0123456789", since: 5, epoch: h.room.log.epoch });
      const welcome = h.framesOf("welcome").at(-1)!;
      expect(welcome.resumed).toBe(true);
      // The replaced edit has no text left; the last one carries what the message said at the end.
      expect(welcome.messages.map((m) => [m.type, (m as { text?: string }).text])).toEqual([["edit", ""], ["edit", "m1 twice"]]);
      const texts = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE text = 'm1 twice'").one();
      expect(texts.n).toBe(1);
    }));
});

describe("8. one commit", () => {
  it("stores a window whose texts are larger together than one string parameter may be", () =>
    inCoreRoom("big-window", (state) => {
      const h = coreHarness(state);
      const users = 60;
      for (let u = 0; u < users; u++) h.hello(`c:${u}`, `user-${u}`, `window-user-token-${u}`);
      h.room.queue.commit();
      h.sent.length = 0;
      // 1,200 messages of 2,000 emoji: 9.6 MB of UTF-8 in one window, over the 2 MB a string or row
      // may take when deployed (8 MiB under the local runtime, which this exceeds too).
      const text = "😀".repeat(2_000);
      for (let u = 0; u < users; u++) {
        for (let i = 0; i < 20; i++) h.send(`c:${u}`, { type: "say", id: `m${i}`, text });
      }
      expect(h.room.queue.waiting).toBe(1_200);
      h.room.queue.commit();
      expect(h.framesOf("error")).toEqual([]);
      expect(h.room.log.lastSeq).toBe(1_200);
      const stored = state.storage.sql.exec<{ n: number; bytes: number }>("SELECT COUNT(*) AS n, SUM(LENGTH(text)) AS bytes FROM events").one();
      expect(stored).toEqual({ n: 1_200, bytes: 1_200 * 2_000 });
      expect(h.framesOf("message").length).toBe(1_200);
    }));
});

describe("10. a delete", () => {
  it("finds its message's edits and reactions without reading the rest of the log", () =>
    inCoreRoom("delete-scan", (state) => {
      const counting = countingSql(state.storage.sql);
      const h = coreHarness(state, {}, counting.sql);
      h.hello("c:a", "alice");
      h.room.queue.commit();
      for (let batch = 0; batch < 30; batch++) {
        h.clock.now += 100_000;
        for (let i = 0; i < 20; i++) h.send("c:a", { type: "say", id: `m${batch}-${i}`, text: `message ${batch}-${i}` });
        h.room.queue.commit();
      }
      const target = 300;
      h.clock.now += 100_000;
      h.send("c:a", { type: "edit", id: "e1", target, text: "edited" });
      h.send("c:a", { type: "react", id: "r1", target, emoji: "👍", on: true });
      h.room.queue.commit();
      counting.reset();
      h.send("c:a", { type: "delete", id: "d1", target });
      h.room.queue.commit();
      expect(h.framesOf("delete").map((d) => d.target)).toEqual([target]);
      // The log holds 603 events; the delete may read its message's few rows and the indexes' pages.
      expect(counting.read()).toBeLessThan(50);
      const about = state.storage.sql
        .exec<{ kind: number; text: string | null; emoji: string | null }>("SELECT kind, text, emoji FROM events WHERE target = ? ORDER BY seq", target)
        .toArray();
      expect(about.map((r) => [r.kind, r.text ?? "", r.emoji ?? ""])).toEqual([[1, "", ""], [3, "", ""], [2, "", ""]]);
      expect(h.room.log.row(target)).toMatchObject({ text: "", deleted: 1 });
    }));
});

describe("6. reactions", () => {
  it("a welcome reads one row per (message, emoji) and the viewer's own, not one per person who reacted", () =>
    inCoreRoom("reaction-reads", (state) => {
      const counting = countingSql(state.storage.sql);
      const h = coreHarness(state, {}, counting.sql);
      h.hello("c:author", "author");
      h.send("c:author", { type: "say", id: "m1", text: "react to this" });
      h.room.queue.commit();
      for (let u = 0; u < 300; u++) {
        h.hello(`c:${u}`, `fan-${u}`, `reaction-fan-token-${u}`);
        h.send(`c:${u}`, { type: "react", id: "r1", target: 1, emoji: "👍", on: true });
        if (u % 2 === 0) h.send(`c:${u}`, { type: "react", id: "r2", target: 1, emoji: "❤️", on: true });
        if (u % 50 === 49) h.room.queue.commit();
      }
      h.room.queue.commit();
      counting.reset();
      h.hello("c:7-again", "fan-7", "reaction-fan-token-7");
      const welcome = h.framesOf("welcome").at(-1)!;
      const message = welcome.messages[0] as MessageFrame;
      expect(message.reactions).toEqual([
        { emoji: "👍", count: 300, me: true },
        { emoji: "❤️", count: 150, me: false },
      ]);
      // Rows read from the reaction tables: 2 counts and the viewer's 1 row, which the runtime counts
      // about twice (a sort, the list of targets); before, 450 rows, one per person, twice over.
      expect(counting.read(/reaction/), "reaction rows read by one welcome").toBeLessThanOrEqual(10);
    }));
});

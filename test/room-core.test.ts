/**
 * The room's core driven without any socket: a fake outlet records what it would send, a fake
 * clock moves by hand, and the storage is a real Durable Object's SQLite. This is where the rules
 * that depend on time or on the group commit are shown exactly.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/server/config.ts";
import type { Audience, CloseTarget } from "../src/server/core/group-commit.ts";
import type { Room } from "../src/server/objects/room.ts";
import { RoomCore } from "../src/server/core/room-core.ts";
import type { SingleServerFrame } from "@edge-chat/protocol";
import { decodeClientFrame } from "@edge-chat/protocol/validate";
import { userIdFromToken } from "../src/server/identity/user-id.ts";
import { roomName } from "./support/room-client.ts";

/** The deployment's owner key in these cores. */
const ADMIN_KEY = "admin-key-of-these-cores";

/** The token a harness user says hello with. */
const tokenOf = (name: string) => `${name}-token-0123456789`;

/** What the core sent, in order. */
type Sent = { audience: Audience; frame: SingleServerFrame } | { close: CloseTarget; code: number };

/** A core on a fresh room's SQLite, with a hand-moved clock and a count of transactions. */
function harness(state: DurableObjectState, vars: Record<string, string> = {}) {
  const sent: Sent[] = [];
  const clock = { now: 1_800_000_000_000 };
  const counts = { transactions: 0 };
  const core = new RoomCore({
    sql: state.storage.sql,
    transaction: (fn) => {
      counts.transactions++;
      state.storage.transactionSync(fn);
    },
    config: readConfig({ ADMIN_KEY, ...vars }),
    outlet: {
      frame: (audience, frame) => void sent.push({ audience, frame }),
      close: (target, code) => void sent.push({ close: target, code }),
    },
    hooks: { admitted: () => {}, renamed: () => {}, charged: () => {}, expires: () => {}, readMoved: () => {} },
    holding: () => false,
    now: () => clock.now,
  });
  const send = (conn: string, frame: object) => core.receive(conn, decodeClientFrame(JSON.stringify(frame)));
  const hello = (conn: string, name: string, key?: string) => send(conn, { type: "hello", token: tokenOf(name), name, ...(key ? { key } : {}) });
  const framesOf = (type: string) => sent.flatMap((s) => ("frame" in s && s.frame.type === type ? [s.frame] : []));
  return { core, sent, clock, counts, send, hello, framesOf };
}

/** Runs `test` inside a fresh room's Durable Object. */
function inRoom<T>(test: (state: DurableObjectState) => T): Promise<T> {
  return runInDurableObject(env.ROOMS.getByName(roomName("core")), (_: Room, state) => test(state));
}

describe("the room core", () => {
  it("holds stored events for the commit, writes them in one transaction, then sends them in seq order", () =>
    inRoom((state) => {
      const h = harness(state);
      h.hello("c:a", "alice");
      h.hello("c:b", "bob");
      // The names seen are written with the first commit, in a transaction of their own.
      h.core.commit();
      expect(h.counts.transactions).toBe(1);
      h.counts.transactions = 0;
      h.sent.length = 0;
      for (let i = 1; i <= 5; i++) h.send("c:a", { type: "say", id: `m${i}`, text: `m${i}` });
      // Nothing leaves before it is stored.
      expect(h.sent).toEqual([]);
      expect(h.core.waiting).toBe(5);
      h.core.commit();
      expect(h.counts.transactions).toBe(1);
      expect(h.framesOf("message").map((m) => (m as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
      expect(h.core.lastSeq).toBe(5);
    }));

  it("writes nothing in a hello's own turn: names seen are written with the next commit, or when a rule needs them", () =>
    inRoom((state) => {
      const h = harness(state);
      const count = () => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM users").one().n;
      h.hello("c:a", "alice");
      h.hello("c:b", "bob");
      expect(count()).toBe(0);
      h.core.commit();
      expect(count()).toBe(2);
      // A user seen moments ago is known to moderation at once: their row is written first.
      h.hello("c:c", "carol");
      h.hello("c:boss", "boss", ADMIN_KEY);
      h.send("c:boss", { type: "mute", user: userIdFromToken(tokenOf("carol")), ms: 1_000 });
      expect(h.framesOf("moderation")).toMatchObject([{ action: "mute", user: { name: "carol" } }]);
      expect(count()).toBe(4);
    }));

  it("keeps its cache of messages bounded however many are said: each commit lets go of what it stored", () =>
    inRoom((state) => {
      const h = harness(state, { RATE_BURST: "100000", RATE_PER_SECOND: "100000" });
      h.hello("c:a", "alice");
      for (let i = 1; i <= 3_000; i++) {
        h.send("c:a", { type: "say", id: `m${i}`, text: `message ${i}` });
        if (i % 10 === 0) h.core.commit();
      }
      expect(h.core.lastSeq).toBe(3_000);
      // A message still waiting for the commit stays known to the rules: a reply to it is taken.
      h.send("c:a", { type: "say", id: "fresh", text: "just said" });
      h.send("c:a", { type: "say", id: "answer", text: "and answered", replyTo: 3_001 });
      h.core.commit();
      expect(h.framesOf("error")).toEqual([]);
      expect(h.core.lastSeq).toBe(3_002);
      expect(h.core.counters().cachedMessages).toBeLessThanOrEqual(1_000);
    }));

  it("answers a duplicate of an event still waiting with the stored event, once it is stored", () =>
    inRoom((state) => {
      const h = harness(state);
      h.hello("c:a", "alice");
      h.sent.length = 0;
      h.send("c:a", { type: "say", id: "same", text: "first" });
      h.send("c:a", { type: "say", id: "same", text: "again" });
      expect(h.sent).toEqual([]);
      h.core.commit();
      const answers = h.framesOf("message") as { seq: number; text: string }[];
      expect(answers.map((m) => [m.seq, m.text])).toEqual([[1, "first"], [1, "first"]]);
      expect(h.sent[1]).toMatchObject({ audience: { to: "conn", conn: "c:a" } });
      expect(h.core.lastSeq).toBe(1);
    }));

  it("keeps a connection's answers in order behind what waits for it", () =>
    inRoom((state) => {
      const h = harness(state);
      h.hello("c:a", "alice");
      h.sent.length = 0;
      h.send("c:a", { type: "say", id: "m1", text: "one" });
      h.send("c:a", { type: "say", id: "m2", text: "" });
      h.core.commit();
      expect(h.sent.map((s) => ("frame" in s ? s.frame.type : "close"))).toEqual(["message", "error"]);
    }));

  it("sends nothing of a commit that fails, tells each sender internal with ref, and spends no seq", () =>
    inRoom((state) => {
      const h = harness(state);
      h.hello("c:a", "alice");
      h.hello("c:b", "bob");
      h.sent.length = 0;
      state.storage.sql.exec("CREATE TRIGGER no_writes BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'full'); END");
      h.send("c:a", { type: "say", id: "a1", text: "lost" });
      h.send("c:b", { type: "say", id: "b1", text: "lost too" });
      h.core.commit();
      expect(h.framesOf("message")).toEqual([]);
      expect(h.framesOf("error")).toEqual([
        { type: "error", code: "internal", message: "the room could not store that", ref: "a1" },
        { type: "error", code: "internal", message: "the room could not store that", ref: "b1" },
      ]);
      state.storage.sql.exec("DROP TRIGGER no_writes");
      h.send("c:a", { type: "say", id: "a2", text: "kept" });
      h.core.commit();
      expect((h.framesOf("message")[0] as { seq: number }).seq).toBe(1);
    }));

  it("passes one typing per user per 2 s, and the next one once 2 s have passed", () =>
    inRoom((state) => {
      const h = harness(state);
      h.hello("c:a", "alice");
      h.hello("c:b", "bob");
      h.send("c:a", { type: "typing" });
      h.clock.now += 1_999;
      h.send("c:a", { type: "typing" });
      expect(h.framesOf("typing")).toHaveLength(1);
      h.clock.now += 1;
      h.send("c:a", { type: "typing" });
      expect(h.framesOf("typing")).toHaveLength(2);
      expect(h.sent.at(-1)).toMatchObject({ audience: { to: "all", except: userIdFromToken(tokenOf("alice")) } });
    }));

  it("sends occupancy above 100 online at most once a second, with the count as it then stands", () =>
    inRoom((state) => {
      const h = harness(state);
      for (let i = 0; i < 101; i++) h.hello(`c:${i}`, `u${i}`);
      expect(h.core.tick()).toBeUndefined();
      expect(h.framesOf("occupancy")).toEqual([{ type: "occupancy", online: 101 }]);
      h.hello("c:101", "u101");
      h.hello("c:102", "u102");
      // Due again only a second after the last one.
      expect(h.core.tick()).toBe(h.clock.now + 1_000);
      h.clock.now += 999;
      expect(h.core.tick()).toBe(h.clock.now + 1);
      h.clock.now += 1;
      h.core.tick();
      expect(h.framesOf("occupancy")).toEqual([{ type: "occupancy", online: 101 }, { type: "occupancy", online: 103 }]);
      // Nothing changed since: no more.
      h.clock.now += 5_000;
      expect(h.core.tick()).toBeUndefined();
      expect(h.framesOf("occupancy")).toHaveLength(2);
    }));

  it("drops what a kicked connection sent after the kick, and never re-admits it", () =>
    inRoom((state) => {
      const h = harness(state);
      h.hello("c:boss", "boss", ADMIN_KEY);
      h.hello("c:spam", "spammer");
      h.send("c:boss", { type: "kick", user: userIdFromToken(tokenOf("spammer")) });
      h.sent.length = 0;
      h.send("c:spam", { type: "say", id: "late", text: "after the kick" });
      h.send("c:spam", { type: "hello", token: tokenOf("spammer") });
      h.core.commit();
      expect(h.sent).toEqual([]);
      expect(h.core.lastSeq).toBe(0);
    }));
});

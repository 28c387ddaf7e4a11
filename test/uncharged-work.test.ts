/**
 * Issue 19, item 4: work that no bucket charges. A `key` in `hello` that cannot be an owner key is
 * refused before it is hashed; and each socket has a budget of answered errors and duplicates (at
 * least 100 in any 10 s stay answered), past which it is closed with 1008. In the sharded project
 * the sockets that spend the budget sit on shards, where some errors are answered by the shard
 * and some by the Room: one budget counts both.
 */
import { describe, expect, it, vi } from "vitest";
import type { SingleServerFrame } from "@edge-chat/protocol";
import { connect, join, newToken, roomName, workerFetch, type TestSocket } from "./support/room-client.ts";

const ADMIN_KEY = "admin-key-of-the-test-deployment";

/** Three people in a room; the last is on a shard in the sharded project. */
async function threeInARoom(label: string) {
  const room = roomName(label);
  const ann = await join(room, { name: "ann" });
  const bo = await join(room, { name: "bo" });
  const cy = await join(room, { name: "cy" });
  return { room, ann, bo, cy };
}

/**
 * Takes the frames a socket gets until `count` of them match `answer` or it closes, whichever
 * comes first; every wait has the usual timeout.
 */
async function answersOrClose(socket: TestSocket, count: number, answer: (f: SingleServerFrame) => boolean) {
  let answered = 0;
  for (;;) {
    // A close comes after every frame sent before it: once it is seen, they are all pending.
    for (const frame of socket.pending.splice(0)) if (answer(frame)) answered++;
    if (answered >= count || socket.closeEvent) return { answered, closed: socket.closeEvent };
    await socket.nextFrameOrClose();
  }
}

describe("a key that cannot be an owner key", () => {
  it("(over 256 characters) is refused with forbidden before it is hashed or compared, while owner keys and ADMIN_KEY still work", async () => {
    const created = await workerFetch("/api/rooms", { method: "POST" });
    const { room, ownerKey } = (await created.json()) as { room: string; ownerKey: string };
    const compared = vi.spyOn(crypto.subtle, "timingSafeEqual");
    try {
      const socket = await connect(room);
      // 60 KB: before, it was hashed twice on every hello (the room's key and ADMIN_KEY).
      socket.send({ type: "hello", token: newToken(), key: "k".repeat(60_000) });
      expect((await socket.next("error")).code).toBe("forbidden");
      socket.send({ type: "hello", token: newToken(), key: "k".repeat(257) });
      expect((await socket.next("error")).code).toBe("forbidden");
      expect(compared).not.toHaveBeenCalled();
      // Up to 256 characters a key is compared (as hashes) with the room's and ADMIN_KEY.
      socket.send({ type: "hello", token: newToken(), key: "k".repeat(256) });
      expect((await socket.next("error")).code).toBe("forbidden");
      expect(compared).toHaveBeenCalledTimes(2);
      expect((await socket.hello({ key: ownerKey })).self.role).toBe("owner");
      expect((await join(room, { key: ADMIN_KEY })).welcome.self.role).toBe("owner");
    } finally {
      compared.mockRestore();
    }
  });
});

describe("the answer budget of a socket", () => {
  it("answers 100 refused frames in a row and keeps the socket, which still talks", async () => {
    const { cy, ann } = await threeInARoom("budget-100");
    for (let i = 0; i < 100; i++) cy.socket.send({ type: "react", id: `r${i}`, target: 999, emoji: "👍", on: true });
    const { answered, closed } = await answersOrClose(cy.socket, 100, (f) => f.type === "error" && f.code === "not_found");
    expect({ answered, closed }).toEqual({ answered: 100, closed: undefined });
    const said = await cy.socket.say("still here");
    expect(await ann.socket.next("message", (m) => m.seq === said.seq)).toEqual(said);
  });

  it("closes with 1008 a socket that resends a stored id past it, having answered at least 100", async () => {
    const { cy, ann } = await threeInARoom("budget-duplicates");
    const stored = await cy.socket.say("x".repeat(2_000), { id: "stored" });
    // Each resend of 40 bytes was answered with the whole stored message (2 KB here, 24 KB at most).
    for (let i = 0; i < 300; i++) cy.socket.send({ type: "say", id: "stored", text: "again" });
    const { answered, closed } = await answersOrClose(cy.socket, 300, (f) => f.type === "message" && f.seq === stored.seq);
    expect(closed?.code, `${answered} duplicates answered`).toBe(1008);
    expect(answered).toBeGreaterThanOrEqual(100);
    expect(answered).toBeLessThan(300);
    // The others never noticed.
    const said = await ann.socket.say("after the flood of resends");
    expect(said.seq).toBe(stored.seq + 1);
  });

  it("counts the errors a shard answers itself and those the Room answers in one budget", async () => {
    const { cy, bo } = await threeInARoom("budget-mixed");
    // Bad JSON is answered where the socket is; a react to a missing message only by the Room.
    // 80 of each: only a budget that counts both passes 100.
    for (let i = 0; i < 80; i++) {
      cy.socket.send("{not json");
      cy.socket.send({ type: "react", id: `r${i}`, target: 999, emoji: "👍", on: true });
    }
    const { answered, closed } = await answersOrClose(cy.socket, 160, (f) => f.type === "error");
    expect(closed?.code, `${answered} errors answered`).toBe(1008);
    expect(answered).toBeGreaterThanOrEqual(100);
    expect(answered).toBeLessThan(160);
    expect((await bo.socket.next("leave")).user.name).toBe("cy");
  });
});

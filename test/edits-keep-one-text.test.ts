/**
 * PROTOCOL.md v3 fine print, "Edits keep one text" (issue 19, item 1): a message stores only its
 * current text, the text of an edit a later edit replaced is erased from storage, and an `edit`
 * event served after a later edit (a resume, the answer to a resent id, a shard catching up)
 * carries the message's current text.
 */
import { describe, expect, it } from "vitest";
import type { SingleServerFrame } from "@edge-chat/protocol";
import { join, newToken, roomName } from "./support/room-client.ts";
import { roomSql } from "./support/seed.ts";

describe("edits keep one text", () => {
  it("serves an edit a later edit replaced with the message's current text, in a resume and to a resent id", async () => {
    const room = roomName("edit-one-text");
    const { socket: alice } = await join(room, { name: "alice" });
    const bobToken = newToken();
    const { socket: bob, welcome } = await join(room, { name: "bob", token: bobToken });
    const said = await alice.say("the first text");
    await bob.next("message");
    await bob.close();
    alice.send({ type: "edit", id: "e1", target: said.seq, text: "an edit soon replaced" });
    await alice.next("edit", (e) => e.id === "e1");
    alice.send({ type: "edit", id: "e2", target: said.seq, text: "the text that stands" });
    await alice.next("edit", (e) => e.id === "e2");

    const { welcome: back } = await join(room, { token: bobToken, since: said.seq, epoch: welcome.epoch });
    expect(back.resumed).toBe(true);
    const edits = back.messages.filter((m): m is Extract<SingleServerFrame, { type: "edit" }> => m.type === "edit");
    expect(edits.map((e) => [e.id, e.text])).toEqual([["e1", "the text that stands"], ["e2", "the text that stands"]]);

    // The answer to a resent id is the stored event as it stands now.
    alice.send({ type: "edit", id: "e1", target: said.seq, text: "an edit soon replaced" });
    expect(await alice.next("edit", (e) => e.id === "e1")).toMatchObject({ text: "the text that stands" });
    // Nothing was stored by the resend, and the replaced text is gone from storage.
    const stored = await roomSql<{ text: string | null }>(room, "SELECT text FROM events");
    expect(stored.length).toBe(3);
    expect(JSON.stringify(stored)).not.toContain("an edit soon replaced");
    expect(JSON.stringify(stored)).not.toContain("the first text");
  });

  it("serves a replaced edit as erased once its message is deleted", async () => {
    const room = roomName("edit-then-delete");
    const { socket: alice, welcome } = await join(room, { name: "alice" });
    const said = await alice.say("soon gone");
    alice.send({ type: "edit", id: "e1", target: said.seq, text: "edited once" });
    await alice.next("edit");
    alice.send({ type: "edit", id: "e2", target: said.seq, text: "edited twice" });
    await alice.next("edit");
    alice.send({ type: "delete", id: "d1", target: said.seq });
    await alice.next("delete");
    const { welcome: back } = await join(room, { token: newToken(), since: 0, epoch: welcome.epoch });
    const edits = back.messages.filter((m) => m.type === "edit");
    expect(edits.map((e) => (e as { text: string }).text)).toEqual(["", ""]);
    const stored = await roomSql<{ text: string | null }>(room, "SELECT text FROM events");
    expect(JSON.stringify(stored)).not.toMatch(/edited|soon gone/);
  });
});

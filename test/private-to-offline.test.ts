/**
 * Private messages to people who are away (PROTOCOL.md v3, `say.to`): the recipient may be any
 * user the room has seen, online or not, and not a hook (else `unknown_user`); one who is offline
 * finds the message when they return, in a resumed welcome, in a welcome that does not resume,
 * and in history, and nobody else ever sees it. Runs sharded too (project `workers-sharded`).
 */
import { describe, expect, it } from "vitest";
import { join, messagesOf, newToken, roomName } from "./support/room-client.ts";

describe("say.to a user who is offline (v3)", () => {
  it("is stored for a user the room has seen, under the name they last had, and only its two people see it", async () => {
    const room = roomName("to-offline");
    const bobToken = newToken();
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob, welcome: bobWelcome } = await join(room, { name: "bob", token: bobToken });
    const bobId = bobWelcome.self.id;
    const first = await alice.say("public before");
    // bob reads up to here, then leaves.
    await bob.next("message", (m) => m.seq === first.seq);
    await bob.close();
    await alice.next("leave", (l) => l.user.id === bobId);
    const { socket: carol } = await join(room, { name: "carol" });

    const psst = await alice.say("psst, for when you are back", { id: "p1", to: bobId });
    expect(psst.to).toEqual({ id: bobId, name: "bob" });
    const after = await alice.say("public after");
    // carol never saw it live: the next thing she got after her welcome is the public message.
    const carolSaw = await carol.through("message", (m) => m.seq === after.seq);
    expect(carolSaw.before.filter((f) => f.type === "message")).toEqual([]);

    // bob comes back resuming from what he saw: the private message is in the resume.
    const resumed = await join(room, { token: bobToken, since: first.seq, epoch: bobWelcome.epoch });
    expect(resumed.welcome.resumed).toBe(true);
    expect(messagesOf(resumed.welcome).map((m) => m.text)).toEqual(["psst, for when you are back", "public after"]);
    expect(messagesOf(resumed.welcome)[0]).toMatchObject({ seq: psst.seq, to: { id: bobId, name: "bob" }, from: psst.from });
    await resumed.socket.close();

    // Without `since` (the fallback: the latest messages): there too.
    const fresh = await join(room, { token: bobToken });
    expect(fresh.welcome.resumed).toBe(false);
    expect(messagesOf(fresh.welcome).map((m) => m.text)).toEqual(["public before", "psst, for when you are back", "public after"]);
    // And in history.
    fresh.socket.send({ type: "history" });
    const history = await fresh.socket.next("history");
    expect(history.messages.map((m) => m.text)).toEqual(["public before", "psst, for when you are back", "public after"]);

    // Nobody else: carol's welcome and history, and the public HTTP API, leave it out.
    const carolAgain = await join(room, { name: "carol-2" });
    expect(messagesOf(carolAgain.welcome).map((m) => m.text)).toEqual(["public before", "public after"]);
    carol.send({ type: "history" });
    expect((await carol.next("history")).messages.map((m) => m.text)).toEqual(["public before", "public after"]);
  });

  it("is private to the pair both ways: bob's answer after his return reaches alice, who may be offline in turn", async () => {
    const room = roomName("to-offline-reply");
    const aliceToken = newToken();
    const bobToken = newToken();
    const { socket: alice, welcome: aliceWelcome } = await join(room, { name: "alice", token: aliceToken });
    const { socket: bob, welcome: bobWelcome } = await join(room, { name: "bob", token: bobToken });
    await bob.close();
    await alice.next("leave");
    const psst = await alice.say("are you around?", { to: bobWelcome.self.id });
    await alice.close();

    const back = await join(room, { token: bobToken });
    const received = messagesOf(back.welcome).find((m) => m.seq === psst.seq)!;
    expect(received.text).toBe("are you around?");
    // Nobody is online but bob: he answers alice privately, as a reply to her message.
    const answer = await back.socket.say("I am now", { to: aliceWelcome.self.id });
    expect(answer.to).toEqual({ id: aliceWelcome.self.id, name: "alice" });
    back.socket.send({ type: "say", id: "re", text: "yes", to: aliceWelcome.self.id, replyTo: psst.seq });
    expect((await back.socket.next("message", (m) => m.id === "re")).replyTo).toMatchObject({ seq: psst.seq, text: "are you around?" });
    const aliceBack = await join(room, { token: aliceToken });
    expect(messagesOf(aliceBack.welcome).map((m) => m.text)).toEqual(["are you around?", "I am now", "yes"]);
  });

  it("refuses a user the room has never seen, and a hook's id, with unknown_user; the room keeps working", async () => {
    const room = roomName("to-unknown");
    const { socket: alice } = await join(room, { name: "alice" });
    const { socket: bob } = await join(room, { name: "bob" });
    for (const [id, to] of [["u1", "never-seen-12345"], ["u2", "hook:AAAAAAAAAAAAAAAA"]] as const) {
      alice.send({ type: "say", id, text: "hello?", to });
      const error = await alice.next("error");
      expect(error).toMatchObject({ code: "unknown_user", ref: id });
      expect(alice.ws.readyState).toBe(WebSocket.OPEN);
    }
    // Nothing was stored or spent: the next seq is 1, and bob sees the public message.
    const ok = await alice.say("public still works");
    expect(ok.seq).toBe(1);
    expect((await bob.next("message")).text).toBe("public still works");
  });
});

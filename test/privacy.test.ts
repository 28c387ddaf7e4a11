/**
 * Private stays private, and nobody speaks as someone else. A third party must never see a private
 * message by any path: live, in `welcome` (fresh or resumed), in `history`, over the HTTP API, or
 * after the room was evicted. To prove that a frame was NOT delivered without sleeping, each test
 * uses an ordering barrier: the room sends one socket its frames in seq order, so a later public
 * message arriving first proves the earlier private one was never sent to that socket.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { MessageFrame, MessagesPage, SingleServerFrame } from "@edge-chat/protocol";
import { TestSocket, connect, join, newToken, roomName, workerFetch, messagesOf, userOf } from "./support/room-client.ts";

/** A text nobody could type by chance, to search for in everything a socket received. */
function secret(label: string): string {
  return `secret-${label}-${crypto.randomUUID()}`;
}

/** Everything a socket has received so far, as one string (frames and batches, raw). */
function heard(socket: TestSocket): string {
  return socket.texts.join("\n");
}

/** The messages in a list of frames. */
function messagesIn(frames: SingleServerFrame[]): MessageFrame[] {
  return frames.filter((f): f is MessageFrame => f.type === "message");
}

/** Alice (two tabs), Bob (two tabs) and Carol, the third party, all online in a fresh room. */
async function threeUsers(label: string) {
  const room = roomName(label);
  const tokens = { alice: newToken(), bob: newToken(), carol: newToken() };
  const alice = await join(room, { token: tokens.alice, name: "alice" });
  const alice2 = await join(room, { token: tokens.alice });
  const bob = await join(room, { token: tokens.bob, name: "bob" });
  const bob2 = await join(room, { token: tokens.bob });
  const carol = await join(room, { token: tokens.carol, name: "carol" });
  // Everyone has seen Carol come online: later frames are not mixed up with the joins.
  await Promise.all([alice.socket, alice2.socket, bob.socket, bob2.socket].map((s) => s.next("join", (j) => j.user.name === "carol")));
  return {
    room,
    tokens,
    alice: alice.socket,
    alice2: alice2.socket,
    bob: bob.socket,
    bob2: bob2.socket,
    carol: carol.socket,
    ids: { alice: alice.welcome.self.id, bob: bob.welcome.self.id, carol: carol.welcome.self.id },
  };
}

/**
 * Sends one public message from `from` and waits until each of `to` has it; returns, per socket, the
 * frames that arrived before it (everything the room sent that socket earlier, and nothing later).
 */
async function barrier(from: TestSocket, ...to: TestSocket[]): Promise<SingleServerFrame[][]> {
  const sent = await from.say(`barrier-${crypto.randomUUID()}`);
  return Promise.all(to.map(async (socket) => (await socket.through("message", (m) => m.seq === sent.seq)).before));
}

async function messagesPage(room: string, query = ""): Promise<{ page: MessagesPage; raw: string }> {
  const response = await workerFetch(`/api/rooms/${room}/messages${query}`);
  expect(response.status).toBe(200);
  const raw = await response.text();
  return { page: JSON.parse(raw) as MessagesPage, raw };
}

describe("private messages", () => {
  it("a private message reaches the sender's and the recipient's tabs and no one else's", async () => {
    const { alice, alice2, bob, bob2, carol, ids } = await threeUsers("private-live");
    const text = secret("live");
    const echo = await alice.say(text, { to: ids.bob });
    expect(echo.to).toEqual({ id: ids.bob, name: "bob" });
    expect(echo.from.id).toBe(ids.alice);
    // Every tab of both parties has it…
    for (const socket of [alice2, bob, bob2]) expect((await socket.next("message", (m) => m.id === echo.id)).text).toBe(text);
    // …and Carol's next message is the later public one: the private one was never sent to her.
    const [carolGot] = await barrier(alice, carol);
    expect(messagesIn(carolGot!)).toEqual([]);
    expect(heard(carol)).not.toContain(text);
  });

  it("a private message to oneself reaches only one's own tabs", async () => {
    const { alice, alice2, bob, carol, ids } = await threeUsers("private-self");
    const text = secret("self");
    const echo = await alice.say(text, { to: ids.alice });
    expect(echo.to?.id).toBe(ids.alice);
    await alice2.next("message", (m) => m.id === echo.id);
    await barrier(alice, bob, carol);
    for (const other of [bob, carol]) expect(heard(other)).not.toContain(text);
  });

  it("a resent private message is answered to the resending socket only", async () => {
    const { alice, alice2, bob, bob2, carol, ids } = await threeUsers("private-resend");
    const text = secret("resend");
    const first = await alice.say(text, { id: "resent-1", to: ids.bob });
    await Promise.all([alice2, bob, bob2].map((s) => s.next("message", (m) => m.id === "resent-1")));
    // The resend gets the stored message back (same seq), not a new one.
    alice.send({ type: "say", id: "resent-1", text, to: ids.bob });
    expect(await alice.next("message", (m) => m.id === "resent-1")).toEqual(first);
    // Nobody else got a second copy, and Carol never got any.
    for (const got of await barrier(alice, alice2, bob, bob2, carol)) expect(messagesIn(got)).toEqual([]);
    expect(heard(carol)).not.toContain(text);
  });

  it("a third party's welcome, resume and history list public messages but never private ones", async () => {
    const { room, tokens, alice, bob, carol, ids } = await threeUsers("private-lists");
    const secrets = { toBob: secret("to-bob"), toAlice: secret("to-alice"), toSelf: secret("to-self") };
    const m1 = await alice.say("public one");
    const toBob = await alice.say(secrets.toBob, { to: ids.bob });
    const m2 = await bob.say("public two");
    const toAlice = await bob.say(secrets.toAlice, { to: ids.alice });
    const toSelf = await alice.say(secrets.toSelf, { to: ids.alice });
    const m3 = await carol.say("public three");
    const publicSeqs = [m1.seq, m2.seq, m3.seq];
    const seqsOf = (messages: readonly { seq: number }[]) => messages.map((m) => m.seq);

    // A fresh tab of Carol's, and a newcomer: welcome lists only public messages.
    const carolTab = await join(room, { token: tokens.carol });
    expect(seqsOf(carolTab.welcome.messages)).toEqual(publicSeqs);
    const dave = await join(room, { name: "dave" });
    expect(seqsOf(dave.welcome.messages)).toEqual(publicSeqs);

    // A resume from the start of the log: complete, and still only public.
    const resumed = await join(room, { token: tokens.carol, since: 0, epoch: carolTab.welcome.epoch });
    expect(resumed.welcome.resumed).toBe(true);
    expect(seqsOf(resumed.welcome.messages)).toEqual(publicSeqs);

    // History: the newest page, and a page whose only older neighbours are private (hasMore false).
    carol.send({ type: "history" });
    const newest = await carol.next("history");
    expect(seqsOf(newest.messages)).toEqual(publicSeqs);
    expect(newest.hasMore).toBe(false);
    carol.send({ type: "history", before: m3.seq, limit: 2 });
    const older = await carol.next("history");
    expect(seqsOf(older.messages)).toEqual([m1.seq, m2.seq]);
    expect(older.hasMore).toBe(false);
    carol.send({ type: "history", before: toAlice.seq, limit: 1 });
    const justBeforeAPrivate = await carol.next("history");
    expect(seqsOf(justBeforeAPrivate.messages)).toEqual([m2.seq]);
    expect(justBeforeAPrivate.hasMore).toBe(true);

    for (const socket of [carol, carolTab.socket, dave.socket, resumed.socket]) {
      for (const text of Object.values(secrets)) expect(heard(socket)).not.toContain(text);
    }

    // The two parties do see theirs (so the lists above were not empty by accident), and only theirs.
    bob.send({ type: "history" });
    expect(seqsOf((await bob.next("history")).messages)).toEqual([m1.seq, toBob.seq, m2.seq, toAlice.seq, m3.seq]);
    alice.send({ type: "history" });
    expect(seqsOf((await alice.next("history")).messages)).toEqual([m1.seq, toBob.seq, m2.seq, toAlice.seq, toSelf.seq, m3.seq]);
  });

  it("the HTTP history API returns public messages only, and hasMore ignores private ones", async () => {
    const { room, alice, bob, ids } = await threeUsers("private-http");
    const secrets = [secret("http-a"), secret("http-b")];
    const hidden1 = await alice.say(secrets[0]!, { to: ids.bob });
    const m1 = await alice.say("public one");
    const hidden2 = await bob.say(secrets[1]!, { to: ids.alice });
    const m2 = await bob.say("public two");

    const all = await messagesPage(room);
    expect(all.page.messages.map((m) => m.seq)).toEqual([m1.seq, m2.seq]);
    expect(all.page.hasMore).toBe(false);
    // Pages cut right after a private message: it is neither returned nor counted as "more".
    const beforeM2 = await messagesPage(room, `?before=${m2.seq}&limit=1`);
    expect(beforeM2.page.messages.map((m) => m.seq)).toEqual([m1.seq]);
    expect(beforeM2.page.hasMore).toBe(false);
    const beforeM1 = await messagesPage(room, `?before=${m1.seq}`);
    expect(beforeM1.page).toEqual({ messages: [], hasMore: false });
    const beforeHidden2 = await messagesPage(room, `?before=${hidden2.seq + 1}&limit=100`);
    expect(beforeHidden2.page.messages.map((m) => m.seq)).toEqual([m1.seq]);
    for (const { raw } of [all, beforeM2, beforeM1, beforeHidden2]) {
      for (const text of secrets) expect(raw).not.toContain(text);
      expect(raw).not.toContain(`"to"`);
    }
    expect(hidden1.seq).toBeLessThan(m1.seq);
  });

  it("after the room is evicted, private messages old and new stay between their two users", async () => {
    const { room, tokens, alice, alice2, bob, bob2, carol, ids } = await threeUsers("private-evicted");
    const before = secret("before-eviction");
    const old = await alice.say(before, { to: ids.bob });
    await evictDurableObject(env.ROOMS.getByName(room));

    // The room woke from its attachments: a new private message still finds both parties' tabs only.
    const after = secret("after-eviction");
    const fresh = await alice.say(after, { to: ids.bob });
    for (const socket of [alice2, bob, bob2]) await socket.next("message", (m) => m.seq === fresh.seq);
    const [carolGot] = await barrier(bob, carol);
    expect(messagesIn(carolGot!)).toEqual([]);

    // Stored ones stay hidden on every path.
    carol.send({ type: "history" });
    expect((await carol.next("history")).messages.filter((m) => m.to)).toEqual([]);
    const carolTab = await join(room, { token: tokens.carol, since: 0, epoch: (await join(room)).welcome.epoch });
    expect(carolTab.welcome.resumed).toBe(true);
    expect(carolTab.welcome.messages.filter((m) => m.to)).toEqual([]);
    const http = await messagesPage(room);
    for (const text of [before, after]) {
      expect(heard(carol)).not.toContain(text);
      expect(heard(carolTab.socket)).not.toContain(text);
      expect(http.raw).not.toContain(text);
    }
    // Bob still has both (the positive control).
    bob.send({ type: "history" });
    const bobs = (await bob.next("history")).messages.map((m) => m.seq);
    expect(bobs).toEqual(expect.arrayContaining([old.seq, fresh.seq]));
  });
});

describe("identity", () => {
  it("a from field sent by a client is ignored: the message is from the socket's own user", async () => {
    const { alice, carol, ids } = await threeUsers("identity-from");
    const forged = { type: "say", id: "forged-1", text: "I am alice", from: { id: ids.alice, name: "alice" } };
    carol.send(forged);
    const echo = await carol.next("message", (m) => m.id === "forged-1");
    expect(echo.from).toEqual({ id: ids.carol, name: "carol" });
    expect((await alice.next("message", (m) => m.id === "forged-1")).from).toEqual({ id: ids.carol, name: "carol" });
    carol.send({ type: "history" });
    const stored = (await carol.next("history")).messages.find((m) => m.id === "forged-1");
    expect(stored?.from.id).toBe(ids.carol);
  });

  it("fields in hello cannot choose the user: the id comes from the token alone", async () => {
    const { room, alice, ids } = await threeUsers("identity-hello");
    // The public id has the shape of a token; using it as one yields a different user.
    const posing = await join(room, { token: ids.alice, name: "alice" });
    expect(posing.welcome.self.id).not.toBe(ids.alice);
    expect(posing.welcome.self.name).not.toBe("alice");
    // Extra fields that name Alice are ignored too.
    const claimant = await joinWith(room, { token: newToken(), id: ids.alice, self: { id: ids.alice, name: "alice" }, user: { id: ids.alice } });
    expect(claimant.welcome.self.id).not.toBe(ids.alice);
    // What the impostors say is theirs, never Alice's.
    const said = await posing.socket.say("hello from someone");
    expect(said.from.id).toBe(posing.welcome.self.id);
    const seen = await alice.next("message", (m) => m.seq === said.seq);
    expect(seen.from.id).not.toBe(ids.alice);
  });

  it("only the token's holder speaks as a user: the same token is the same user, a name alone is not", async () => {
    const { room, tokens, alice, ids } = await threeUsers("identity-token");
    const sameToken = await join(room, { token: tokens.bob });
    expect(sameToken.welcome.self).toEqual({ id: ids.bob, name: "bob", role: "member" });
    const sameName = await join(room, { name: "bob" });
    expect(sameName.welcome.self.id).not.toBe(ids.bob);
    expect(sameName.welcome.self.name).not.toBe("bob");
    const said = await sameName.socket.say("not bob");
    expect((await alice.next("message", (m) => m.seq === said.seq)).from).toEqual(userOf(sameName.welcome));
  });

  it("reusing another user's client id makes a new message, never returns theirs", async () => {
    const { alice, carol, ids } = await threeUsers("identity-client-id");
    const text = secret("client-id");
    await alice.say(text, { id: "guessable-1", to: ids.bob });
    // Carol guesses the id: idempotency is per (user, id), so she gets her own new message.
    const mine = await carol.say("mine", { id: "guessable-1" });
    expect(mine.from.id).toBe(ids.carol);
    expect(mine.text).toBe("mine");
    expect(mine.to).toBeUndefined();
    expect(heard(carol)).not.toContain(text);
  });
});

/** Opens a socket and sends a hello with arbitrary extra fields; returns the welcome. */
async function joinWith(room: string, hello: Record<string, unknown>) {
  const socket = await connect(room);
  socket.send({ type: "hello", ...hello });
  return { socket, welcome: await socket.next("welcome") };
}

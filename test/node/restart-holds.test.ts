/**
 * What must survive a restart of `wrangler dev` (the process, not only an object): a sharded
 * conversation resumes gap-free on every object, and a ban, a mute and a moderator role hold.
 * Runs a real dev server with SHARD_CAPACITY=2 and an ADMIN_KEY, then restarts it on the same
 * port and storage.
 */
import { afterAll, expect, it } from "vitest";
import WebSocket from "ws";
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";
import type { SingleServerFrame } from "@edge-chat/protocol";
import { decodeServerText } from "@edge-chat/protocol/server-frames";

const ADMIN_KEY = "restart-test-admin-key";
let server: DevServer | undefined;
afterAll(async () => server?.stop());

/** A bare protocol client: every frame it gets, validated with the clients' own decoder. */
class Client {
  readonly frames: SingleServerFrame[] = [];
  readonly ws: WebSocket;
  closedWith: number | undefined;
  #waiters: (() => void)[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on("message", (data) => {
      const decoded = decodeServerText(String(data));
      if (decoded.kind === "invalid" || (decoded.kind === "frames" && decoded.skipped.length > 0)) throw new Error(`bad frame ${String(data)}`);
      if (decoded.kind === "frames") this.frames.push(...(decoded.frames as SingleServerFrame[]));
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.ws.on("close", (code) => {
      this.closedWith = code;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The first frame matching `where` (taken out), waiting up to 10 s. */
  async take<T extends SingleServerFrame>(where: (f: SingleServerFrame) => f is T): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const index = this.frames.findIndex(where);
      if (index >= 0) return this.frames.splice(index, 1)[0] as T;
      if (Date.now() > deadline) throw new Error(`no such frame; have ${JSON.stringify(this.frames).slice(0, 300)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

const isWelcome = (f: SingleServerFrame): f is Extract<SingleServerFrame, { type: "welcome" }> => f.type === "welcome";
const isError = (f: SingleServerFrame): f is Extract<SingleServerFrame, { type: "error" }> => f.type === "error";
const messageWith = (text: string) => (f: SingleServerFrame): f is Extract<SingleServerFrame, { type: "message" }> =>
  f.type === "message" && f.text === text;

async function connect(url: string, hello: Record<string, unknown>): Promise<{ client: Client; welcome: Extract<SingleServerFrame, { type: "welcome" }> }> {
  const client = new Client(url);
  await client.opened();
  client.send({ type: "hello", ...hello });
  return { client, welcome: await client.take(isWelcome) };
}

it("a sharded conversation resumes gap-free after a restart, and a ban, a mute and a role hold", async () => {
  server = await startDevServer({ vars: { SHARD_CAPACITY: "2", ADMIN_KEY } });
  const { port, persistDir } = server;
  const room = `restart-${Date.now().toString(36)}`;
  const ws = `ws://127.0.0.1:${port}/api/rooms/${room}/ws`;
  const tokens = ["t-owner", "t-mod", "t-reader", "t-spammer", "t-chatty"].map((t) => `${t}-0123456789abcdef`);
  const [owner, mod, reader, spammer, chatty] = await Promise.all(
    ["owner", "mod", "reader", "spammer", "chatty"].map((name, i) => connect(ws, { token: tokens[i], name, ...(i === 0 ? { key: ADMIN_KEY } : {}) })),
  );
  // Five sockets at two per object: the room is spread over three.
  const stats = await (await fetch(`${server.url}/api/rooms/${room}/stats`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).json();
  expect((stats as { objects: unknown[] }).objects.length).toBeGreaterThanOrEqual(3);

  owner!.client.send({ type: "grant", user: mod!.welcome.self.id, role: "moderator" });
  await mod!.client.take((f): f is SingleServerFrame => f.type === "moderation");
  mod!.client.send({ type: "ban", user: spammer!.welcome.self.id, ms: 3_600_000 });
  mod!.client.send({ type: "mute", user: chatty!.welcome.self.id, ms: 3_600_000 });
  for (const text of ["one", "two"]) owner!.client.send({ type: "say", id: text, text });
  const two = await reader!.client.take(messageWith("two"));

  await server.stop();
  server = await startDevServer({ port, persistDir, vars: { SHARD_CAPACITY: "2", ADMIN_KEY } });

  // One more message while the reader is away, then the reader resumes from what it saw: it gets
  // exactly that one, and the next one live.
  const again = await connect(ws, { token: tokens[0], key: ADMIN_KEY });
  again.client.send({ type: "say", id: "three", text: "three" });
  await again.client.take(messageWith("three"));
  const { client: back, welcome } = await connect(ws, { token: tokens[2], since: two.seq, epoch: reader!.welcome.epoch });
  expect(welcome.resumed).toBe(true);
  expect(welcome.messages.map((m) => (m.type === "message" ? m.text : m.type))).toEqual(["three"]);
  again.client.send({ type: "say", id: "four", text: "four" });
  const four = await back.take(messageWith("four"));
  expect(four.seq).toBe(two.seq + 2);
  // The moderator is still one; the ban and the mute hold.
  const modBack = await connect(ws, { token: tokens[1] });
  expect(modBack.welcome.self.role).toBe("moderator");
  const banned = new Client(ws);
  await banned.opened();
  banned.send({ type: "hello", token: tokens[3] });
  expect(await banned.take(isError)).toMatchObject({ code: "banned" });
  const muted = await connect(ws, { token: tokens[4] });
  muted.client.send({ type: "say", id: "m1", text: "can I?" });
  expect(await muted.client.take(isError)).toMatchObject({ code: "muted", ref: "m1" });
  for (const c of [back, again.client, modBack.client, banned, muted.client]) c.ws.close();
}, 120_000);

/**
 * Webhook deliveries survive a restart of `wrangler dev` with nobody connected: a hook posts three
 * messages while the receiver (a server on 127.0.0.1) fails every try; the dev server stops; it
 * comes back on the same port and storage, the receiver now answers 200, and one request wakes the
 * room. The local runtime keeps no alarm timer across its own restart, so only a room that re-arms
 * what it still owes when it wakes delivers them: every event, once accepted, in seq order, signed
 * (checked with the `standardwebhooks` package).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, expect, it, vi } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";

let server: DevServer | undefined;
let receiver: Server | undefined;
afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
});

interface Try {
  headers: IncomingMessage["headers"];
  body: string;
  status: number;
}

/** A receiver on 127.0.0.1 that answers `status()` and records every try. */
async function startReceiver(status: () => number): Promise<{ url: string; tries: Try[] }> {
  const tries: Try[] = [];
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const answer = status();
      tries.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), status: answer });
      response.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, tries };
}

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  expect(response.status, `${path}: ${response.status}`).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

it("delivers what a room still owes after wrangler dev restarts, once any request wakes it", async () => {
  let answer = 503;
  const inbox = await startReceiver(() => answer);
  server = await startDevServer();
  const { port, persistDir } = server;
  const room = `webhook-restart-${Date.now().toString(36)}`;
  const { ownerKey } = (await post(server.url, "/api/rooms", { name: room })) as { ownerKey: string };
  const owner = { Authorization: `Bearer ${ownerKey}` };
  const { webhook } = (await post(server.url, `/api/rooms/${room}/webhooks`, { url: inbox.url }, owner)) as { webhook: { secret: string } };
  const { hook } = (await post(server.url, `/api/rooms/${room}/hooks`, { name: "ci" }, owner)) as { hook: { url: string } };
  const seqs: number[] = [];
  for (const text of ["one", "two", "three"]) seqs.push((await post(server.url, hook.url, { text })).seq as number);
  // The first event fails at least once before the restart.
  await vi.waitFor(() => expect(inbox.tries.length).toBeGreaterThan(0), { timeout: 20_000, interval: 50 });

  await server.stop();
  answer = 200;
  const before = inbox.tries.length;
  server = await startDevServer({ port, persistDir });
  // Nobody connects: one request wakes the room.
  expect((await fetch(`${server.url}/api/rooms/${room}`)).status).toBe(200);
  await vi.waitFor(() => expect(inbox.tries.filter((t) => t.status === 200)).toHaveLength(3), { timeout: 30_000, interval: 100 });
  const accepted = inbox.tries.filter((t) => t.status === 200);
  expect(inbox.tries.length - before).toBeGreaterThanOrEqual(3);
  expect(accepted.map((t) => t.headers["webhook-id"])).toEqual(seqs.map((seq) => `${room}:${seq}`));
  const verifier = new Webhook(webhook.secret);
  const texts = accepted.map((t) => {
    const verified = verifier.verify(t.body, {
      "webhook-id": String(t.headers["webhook-id"]),
      "webhook-timestamp": String(t.headers["webhook-timestamp"]),
      "webhook-signature": String(t.headers["webhook-signature"]),
    }) as { room: string; event: { text: string; from: { bot?: boolean } } };
    expect(verified.room).toBe(room);
    expect(verified.event.from.bot).toBe(true);
    return verified.event.text;
  });
  expect(texts).toEqual(["one", "two", "three"]);
  const listed = (await (await fetch(`${server.url}/api/rooms/${room}/webhooks`, { headers: owner })).json()) as { webhooks: { delivered: number; failing?: number }[] };
  expect(listed.webhooks[0]).toEqual(expect.objectContaining({ delivered: seqs[2] }));
  expect(listed.webhooks[0]!.failing).toBeUndefined();
});

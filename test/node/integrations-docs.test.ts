/**
 * The examples of docs/INTEGRATIONS.md work as written: the shell line and the GitHub Actions
 * step's command post through a hook of a real `wrangler dev`, and the Node receiver, taken from
 * the page and run as it stands, receives the room's webhook deliveries, verifies them with the
 * `standardwebhooks` package, refuses a forged one, and handles a replayed one once.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it, vi } from "vitest";
import { freePort, startDevServer, type DevServer } from "../../scripts/dev-server.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DOC = readFileSync(join(ROOT, "docs", "INTEGRATIONS.md"), "utf8");

let server: DevServer | undefined;
let receiver: ChildProcess | undefined;
let dir: string | undefined;
afterAll(async () => {
  receiver?.kill();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The first fenced block of `lang` after the heading `heading`. */
function blockAfter(heading: string, lang: string): string {
  const at = DOC.indexOf(heading);
  expect(at, heading).toBeGreaterThanOrEqual(0);
  const match = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(DOC.slice(at));
  expect(match, `${lang} block after ${heading}`).not.toBeNull();
  return match![1]!;
}

/** A Standard Webhooks signature, made here with Node's own HMAC (the room's code is not imported). */
function sign(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64")).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

it("posts with the shell line and the Actions step, and receives, verifies and deduplicates with the Node receiver", async () => {
  server = await startDevServer();
  const room = `docs-${Date.now().toString(36)}`;
  const { ownerKey } = (await post(`${server.url}/api/rooms`, { name: room })) as { ownerKey: string };
  const owner = { Authorization: `Bearer ${ownerKey}` };
  const port = await freePort();
  const { webhook } = (await post(`${server.url}/api/rooms/${room}/webhooks`, { url: `http://127.0.0.1:${port}/` }, owner)) as { webhook: { secret: string } };
  const { hook } = (await post(`${server.url}/api/rooms/${room}/hooks`, { name: "CI" }, owner)) as { hook: { url: string } };
  const hookUrl = `${server.url}${hook.url}`;

  // The receiver, exactly as the page shows it, beside the project's node_modules (standardwebhooks).
  dir = mkdtempSync(join(ROOT, "node_modules", ".integrations-docs-"));
  writeFileSync(join(dir, "receiver.mjs"), blockAfter("### Receiving them in Node", "js"));
  const lines: string[] = [];
  receiver = spawn(process.execPath, [join(dir, "receiver.mjs")], { env: { ...process.env, WEBHOOK_SECRET: webhook.secret, PORT: String(port) }, stdio: ["ignore", "pipe", "inherit"] });
  receiver.stdout!.on("data", (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n").filter((l) => l !== "")));
  await vi.waitFor(async () => expect((await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "{}" })).status).toBe(400), { timeout: 20_000, interval: 100 });

  // The shell line, as written, with the hook's URL in HOOK_URL.
  const shell = blockAfter("### Posting from a shell", "sh");
  execFileSync("sh", ["-c", shell], { env: { ...process.env, HOOK_URL: hookUrl }, stdio: "pipe" });
  // The Actions step's command, with the expressions GitHub would fill in.
  const step = blockAfter("### Posting from a GitHub Actions step", "yaml");
  const command = step.slice(step.indexOf("run: |") + "run: |".length).replace(/^ {4}/gm, "").replaceAll("${{ github.run_id }}", "42").replaceAll("${{ github.run_attempt }}", "1");
  const text = `CI on main: success ${server.url}/o/r/actions/runs/42 "quoted"`;
  for (let i = 0; i < 2; i++) execFileSync("sh", ["-c", command], { env: { ...process.env, HOOK_URL: hookUrl, TEXT: text }, stdio: "pipe" });

  await vi.waitFor(() => expect(lines).toHaveLength(2), { timeout: 30_000, interval: 100 });
  const got = lines.map((l) => JSON.parse(l) as { room: string; type: string; seq: number; text: string });
  expect(got).toEqual([
    { room, type: "message", seq: 1, text: "Deploy finished" },
    { room, type: "message", seq: 2, text },
  ]);

  // A replay of a delivery (the same webhook-id) is answered 2xx and handled once; a forged one is refused.
  const page = (await (await fetch(`${server.url}/api/rooms/${room}/messages`)).json()) as { messages: { from: { name: string; bot?: boolean } }[] };
  expect(page.messages.map((m) => m.from)).toEqual([expect.objectContaining({ name: "CI", bot: true }), expect.objectContaining({ name: "GitHub Actions", bot: true })]);
  const body = JSON.stringify({ room, event: { type: "message", seq: 1, text: "Deploy finished" } });
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = { "content-type": "application/json", "webhook-id": `${room}:1`, "webhook-timestamp": String(timestamp), "webhook-signature": sign(webhook.secret, `${room}:1`, timestamp, body) };
  expect((await fetch(`http://127.0.0.1:${port}/`, { method: "POST", headers, body })).status).toBe(204);
  expect((await fetch(`http://127.0.0.1:${port}/`, { method: "POST", headers, body: body.replace("Deploy", "Forged") })).status).toBe(400);
  expect(lines).toHaveLength(2);
});

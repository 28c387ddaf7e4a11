/**
 * Issue 19, item 3, the other side: with the default per-address budgets, one machine running a
 * test suite against a real `wrangler dev` (every request from 127.0.0.1) is never refused at the
 * pace suites reach (about 600 upgrades and 300 HTTP requests a minute): here 600 upgrades, 200
 * reads and 100 room creations, as fast as 20 at a time go (however the budget's minute windows
 * split them, no window gets more; the defaults are twice that: 1,200 upgrades, 600 of each other
 * kind). A classroom behind one NAT (40 people, a few tabs each) is far below. And the budgets
 * hold under `wrangler dev`, keyed by the address Miniflare sets: a budget of 3 refuses the 4th.
 */
import { afterAll, expect, it } from "vitest";
import WebSocket from "ws";
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";

let server: DevServer | undefined;
let low: DevServer | undefined;
afterAll(async () => {
  await server?.stop();
  await low?.stop();
});

/** Opens a socket and closes it once the upgrade went through; resolves with the HTTP status it got. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once("open", () => {
      ws.close(1000, "done");
      resolve(101);
    });
    ws.once("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("error", () => resolve(0));
  });
}

/** Runs `count` calls at most `width` at a time; returns their results. */
async function bounded<T>(count: number, width: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await call(i);
    }
  }));
  return results;
}

it("never refuses a suite's pace from one address with the default budgets", async () => {
  server = await startDevServer();
  const ws = server.url.replace("http", "ws");
  const upgrades = await bounded(600, 20, (i) => upgradeStatus(`${ws}/api/rooms/budget-${i % 7}/ws`));
  const reads = await bounded(200, 20, async (i) => (await fetch(`${server!.url}/api/rooms/budget-${i % 7}${i % 2 ? "/messages" : ""}`)).status);
  const creations = await bounded(100, 20, async () => (await fetch(`${server!.url}/api/rooms`, { method: "POST" })).status);
  expect(upgrades.filter((s) => s !== 101)).toEqual([]);
  expect(reads.filter((s) => s !== 200)).toEqual([]);
  expect(creations.filter((s) => s !== 201)).toEqual([]);
}, 240_000);

it("refuses an address past its budget under wrangler dev too, with 429, Retry-After and a JSON error", async () => {
  low = await startDevServer({ vars: { ADDRESS_UPGRADES_PER_MINUTE: "3" } });
  const url = `${low.url.replace("http", "ws")}/api/rooms/budget-low/ws`;
  // Each try from an address of its own (a client's own CF-Connecting-IP stands locally), again
  // only when the budget's minute turned in the middle of one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const address = `192.0.2.${attempt + 1}`;
    const window = Math.floor(Date.now() / 60_000);
    const answers = await bounded(4, 1, () => upgradeAnswer(url, address));
    if (Math.floor(Date.now() / 60_000) !== window) continue;
    expect(answers.map((a) => a.status)).toEqual([101, 101, 101, 429]);
    expect(Number(answers[3]!.retryAfter)).toBeGreaterThan(0);
    expect(JSON.parse(answers[3]!.body)).toMatchObject({ error: { code: "rate_limited" } });
    // 127.0.0.1 itself (what Miniflare sets) was not charged by the others.
    expect((await upgradeAnswer(url)).status).toBe(101);
    return;
  }
  throw new Error("three tries in a row straddled a minute's end");
});

/** An upgrade's answer: 101, or the refusal's status, Retry-After and body. */
function upgradeAnswer(url: string, address?: string): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, address === undefined ? {} : { headers: { "CF-Connecting-IP": address } });
    ws.once("open", () => {
      ws.close(1000, "done");
      resolve({ status: 101, body: "" });
    });
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers["retry-after"] as string | undefined, body }));
    });
    ws.once("error", () => resolve({ status: 0, body: "" }));
  });
}

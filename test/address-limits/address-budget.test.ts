/**
 * Issue 19, item 3: a budget per client address in the Worker, for what fresh identities make
 * free (upgrades, room creation, HTTP reads; v3 adds uploads and hook posts). This project runs
 * with low budgets (4 upgrades, 3 creations, 5 reads, 2 uploads, 3 hook posts a minute); the
 * defaults meet a real dev server in test/node/.
 *
 * The binding counts in windows aligned to the minute: a sequence that straddled a window's end
 * proves nothing, so each check runs again, with fresh addresses, when the window turned under it.
 */
import { describe, expect, it } from "vitest";
import { png } from "../support/images.ts";
import { connect, newToken, roomName, workerFetch } from "../support/room-client.ts";
import { postFile } from "../support/uploads.ts";

/** A fresh address in TEST-NET-2, never shared with another test. */
function freshAddress(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(2));
  return `198.51.${bytes[0]}.${bytes[1]}`;
}

/**
 * Runs `check` with fresh addresses until it ran inside one window of the binding (at most 3
 * times). A check that failed inside one window fails the test; one that failed or passed while
 * the window turned under it runs again (its counts were split over two windows).
 */
async function inOneWindow(check: () => Promise<void>): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const window = Math.floor(Date.now() / 60_000);
    let failure: unknown;
    try {
      await check();
    } catch (error) {
      failure = error;
    }
    if (Math.floor(Date.now() / 60_000) !== window) continue;
    if (failure !== undefined) throw failure;
    return;
  }
  throw new Error("three checks in a row straddled a minute's end");
}

/** Expects a 429 with the JSON error body and a Retry-After within the window. */
async function expectRefused(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  expect(await response.json()).toMatchObject({ error: { code: "rate_limited", message: expect.stringMatching(/a minute/) } });
  const retryAfter = Number(response.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

const upgrade = (room: string, address: string) =>
  workerFetch(`/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket", "CF-Connecting-IP": address } });

describe("per-address budgets", () => {
  it("refuses an address's upgrades past its budget with 429, while other addresses and open sockets go on", () =>
    inOneWindow(async () => {
      const room = roomName("upgrades");
      const attacker = freshAddress();
      const opened = [];
      for (let i = 0; i < 4; i++) {
        const response = await upgrade(room, attacker);
        expect(response.status).toBe(101);
        opened.push(response.webSocket!);
        response.webSocket!.accept();
      }
      await expectRefused(await upgrade(room, attacker));
      // Another address is not held back, and the room keeps working for it.
      const neighbour = await connect(room, { "CF-Connecting-IP": freshAddress() });
      await neighbour.hello({ name: "neighbour" });
      expect((await neighbour.say("still here")).text).toBe("still here");
      const other = await connect(room, { "CF-Connecting-IP": freshAddress() });
      expect((await other.hello({ name: "other" })).self.name).toBe("other");
      for (const ws of opened) ws.close(1000, "done");
    }));

  it("counts an IPv6 address by its /64: a new address in the same prefix shares the budget", () =>
    inOneWindow(async () => {
      const room = roomName("ipv6");
      const [a, b] = crypto.getRandomValues(new Uint16Array(2));
      const prefix = `2001:db8:${a!.toString(16)}:${b!.toString(16)}`;
      for (let i = 1; i <= 4; i++) {
        const response = await upgrade(room, `${prefix}::${i}`);
        expect(response.status).toBe(101);
        response.webSocket!.accept();
        response.webSocket!.close(1000, "done");
      }
      await expectRefused(await upgrade(room, `${prefix}:ffff:ffff:ffff:ffff`));
      expect((await upgrade(room, `2001:db8:${a!.toString(16)}:${(b! ^ 1).toString(16)}::1`)).status).toBe(101);
    }));

  it("refuses room creation past its budget, and reads past theirs, each counted apart", () =>
    inOneWindow(async () => {
      const address = freshAddress();
      const headers = { "CF-Connecting-IP": address };
      for (let i = 0; i < 3; i++) expect((await workerFetch("/api/rooms", { method: "POST", headers })).status).toBe(201);
      const refused = await workerFetch("/api/rooms", { method: "POST", headers, body: JSON.stringify({ name: roomName("never-made") }) });
      await expectRefused(refused);
      // Reads have a budget of their own: the creations spent none of it.
      const room = roomName("reads");
      for (let i = 0; i < 3; i++) expect((await workerFetch(`/api/rooms/${room}`, { headers })).status).toBe(200);
      expect((await workerFetch(`/api/rooms/${room}/messages`, { headers })).status).toBe(200);
      // A search (v3) is a read like the others.
      expect((await workerFetch(`/api/rooms/${room}/search?q=hello`, { headers })).status).toBe(200);
      await expectRefused(await workerFetch(`/api/rooms/${room}/search?q=hello`, { headers }));
      await expectRefused(await workerFetch(`/api/rooms/${room}/messages`, { headers }));
      await expectRefused(await workerFetch(`/api/rooms/${room}`, { headers }));
      // Upgrades are a third budget; health and a bad room name cost nothing.
      expect((await upgrade(room, address)).status).toBe(101);
      expect((await workerFetch("/api/health", { headers })).status).toBe(200);
      expect((await workerFetch("/api/rooms/Bad!/messages", { headers })).status).toBe(400);
    }));

  it("does not create the room it refused: the name stays free", () =>
    inOneWindow(async () => {
      const address = freshAddress();
      const headers = { "CF-Connecting-IP": address };
      for (let i = 0; i < 3; i++) await workerFetch("/api/rooms", { method: "POST", headers });
      const name = roomName("kept-free");
      await expectRefused(await workerFetch("/api/rooms", { method: "POST", headers, body: JSON.stringify({ name }) }));
      const claimed = await workerFetch("/api/rooms", { method: "POST", headers: { "CF-Connecting-IP": freshAddress() }, body: JSON.stringify({ name }) });
      expect(claimed.status).toBe(201);
    }));

  it("refuses an address's uploads past its budget (before the room is asked), while another address uploads on", () =>
    inOneWindow(async () => {
      const room = roomName("uploads");
      const credential = newToken();
      const uploader = freshAddress();
      for (let i = 0; i < 2; i++) expect((await postFile(room, png(2, 2), { credential, headers: { "CF-Connecting-IP": uploader } })).status).toBe(201);
      await expectRefused(await postFile(room, png(2, 2), { credential, headers: { "CF-Connecting-IP": uploader } }));
      // The same user from another address is not refused: the budget is the address's.
      expect((await postFile(room, png(2, 2), { credential, headers: { "CF-Connecting-IP": freshAddress() } })).status).toBe(201);
    }));

  it("refuses an address's hook posts past its budget (before the room is asked), while another address posts on", () =>
    inOneWindow(async () => {
      const made = await workerFetch("/api/rooms", { method: "POST", headers: { "CF-Connecting-IP": freshAddress() }, body: JSON.stringify({ name: roomName("hook-posts") }) });
      const { room, ownerKey } = (await made.json()) as { room: string; ownerKey: string };
      const hook = await workerFetch(`/api/rooms/${room}/hooks`, {
        method: "POST",
        headers: { "CF-Connecting-IP": freshAddress(), Authorization: `Bearer ${ownerKey}` },
        body: JSON.stringify({ name: "ci" }),
      });
      const { url } = ((await hook.json()) as { hook: { url: string } }).hook;
      const post = (address: string) => workerFetch(url, { method: "POST", headers: { "CF-Connecting-IP": address }, body: JSON.stringify({ text: "build passed" }) });
      const poster = freshAddress();
      for (let i = 0; i < 3; i++) expect((await post(poster)).status).toBe(200);
      await expectRefused(await post(poster));
      // A wrong secret spends the budget too: guessing URLs is what it caps.
      await expectRefused(await workerFetch(url.replace(/[^/]+$/, "A".repeat(43)), { method: "POST", headers: { "CF-Connecting-IP": poster }, body: "{}" }));
      expect((await post(freshAddress())).status).toBe(200);
    }));
});

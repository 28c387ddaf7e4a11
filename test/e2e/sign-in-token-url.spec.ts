/**
 * Issue 20, the page's part: a deployment with AUTH_TOKEN_URL (and AUTH_REQUIRED) whose page signs
 * its user in with the host application's token endpoint (host-app.ts, another origin), fetched
 * with the user's cookies. Tokens live 6 s, so the page refreshes about every 3 s with `auth`
 * frames on the one socket; then one token is let run out (the host hands out a stale one and
 * holds every later request), the room closes the socket with 4401, and once the host answers
 * again the page reconnects with resume: nothing lost, nothing twice. The start page creates rooms
 * with the token too (AUTH_REQUIRED lets only signed identities create them), a user whose
 * token says `role: "owner"` manages the room's integrations with that token, holding no owner key,
 * one whose token's `rooms` leave a room out is told so plainly, and so is one whose host signs
 * with a key the room does not know.
 */
import type { Browser, Page } from "@playwright/test";
import { OwnDevServer } from "./own-server.ts";
import { SESSION_COOKIE, startHostApp, type HostApp } from "./host-app.ts";
import { expect, expectConnected, expectMessages, say, test, type Person, uniqueRoom } from "./support.ts";

const SECRET = "e2e-sign-in-secret-of-at-least-32-bytes";
const TTL_SECONDS = 6;

// One worker runs this file's tests in order, so they share one server (each server costs seconds).
test.describe.configure({ mode: "default" });

let host: HostApp;
let server: OwnDevServer;

test.beforeAll(async () => {
  host = await startHostApp({ secret: SECRET, chatOrigin: () => server.url, ttlSeconds: TTL_SECONDS });
  server = new OwnDevServer({ AUTH_SECRET: SECRET, AUTH_TOKEN_URL: `${host.origin}/chat-token`, AUTH_REQUIRED: "true" });
  await server.start();
});
test.afterAll(async () => {
  await server?.stop();
  await host?.stop();
});

/** Counts the page's room sockets and the codes they closed with (installed before the page's script runs). */
function recordSockets(): void {
  const Native = window.WebSocket;
  const seen = { opened: 0, closes: [] as number[] };
  (window as unknown as { __sockets: typeof seen }).__sockets = seen;
  (window as unknown as { WebSocket: typeof WebSocket }).WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      seen.opened++;
      this.addEventListener("close", (event) => seen.closes.push(event.code));
    }
  };
}

function sockets(page: Page): Promise<{ opened: number; closes: number[] }> {
  return page.evaluate(() => (window as unknown as { __sockets: { opened: number; closes: number[] } }).__sockets);
}

/** A person signed in to the host application (its session cookie), on the chat's server. */
async function signedIn(browser: Browser, user: string): Promise<Person> {
  const context = await browser.newContext({ baseURL: server.url });
  await context.addCookies([{ name: SESSION_COOKIE, value: user, url: host.origin }]);
  await context.addInitScript(recordSockets);
  return { context, page: await context.newPage() };
}

test("the page chats with the host's tokens across several refreshes and one expiry, losing nothing and showing nothing twice", async ({ browser }) => {
  const room = uniqueRoom("token-url");
  const alice = await signedIn(browser, "alice");
  const bob = await signedIn(browser, "bob");
  await alice.page.goto(`/r/${room}`);
  await bob.page.goto(`/r/${room}`);
  // No name asked: the token's name claim is the name (alice's token came as JSON, bob's as text).
  await expectConnected(alice.page, "alice");
  await expectConnected(bob.page, "bob");

  const shown: string[] = [];
  for (let refresh = 1; refresh <= 3; refresh++) {
    const before = host.served("alice");
    await expect.poll(() => host.served("alice"), { timeout: 15_000 }).toBeGreaterThan(before);
    shown.push(`after refresh ${refresh}`);
    await say(alice.page, shown.at(-1)!);
    await expectMessages(bob.page, shown);
  }
  // Every refresh went over the one socket: no reconnect, no close.
  expect(await sockets(alice.page)).toEqual({ opened: 1, closes: [] });

  // The next token is already expired and no other comes: the room closes the socket for it.
  host.expireNext("alice");
  await expect.poll(async () => (await sockets(alice.page)).closes, { timeout: 30_000 }).toContain(4401);
  shown.push("while alice was away");
  await say(bob.page, shown.at(-1)!);
  await expectMessages(bob.page, shown);
  await say(alice.page, "written while disconnected");
  await expect(alice.page.locator("#pending")).toContainText("written while disconnected");

  host.release("alice");
  shown.push("written while disconnected");
  await expectMessages(alice.page, shown);
  await expectMessages(bob.page, shown);
  await expectConnected(alice.page, "alice");
  await expect(alice.page.locator("#pending li")).toHaveCount(0);
  await alice.context.close();
  await bob.context.close();
});

test("a signed user creates a room from the start page with their token, where only signed identities may", async ({ browser }) => {
  const carol = await signedIn(browser, "carol");
  const room = uniqueRoom("created");
  await carol.page.goto("/");
  const form = carol.page.locator("#landing");
  await form.getByLabel("Your name").fill("carol");
  await form.getByLabel("Room", { exact: true }).fill(room);
  await form.locator("#join-actions").getByRole("button", { name: "Create it as its owner" }).click();
  await expect(carol.page).toHaveURL(new RegExp(`/r/${room}$`));
  await expectConnected(carol.page, "carol");
  await expect(carol.page.locator("#me-role")).toHaveText("owner");
  await carol.context.close();
});

test("a signed owner (the token's role claim) manages the room's hooks with the token alone, and a member sees no Integrations", async ({ browser }) => {
  const room = uniqueRoom("signed-owner");
  const olga = await signedIn(browser, "owner-olga");
  const dave = await signedIn(browser, "dave");
  await olga.page.goto(`/r/${room}`);
  await dave.page.goto(`/r/${room}`);
  await expectConnected(olga.page, "owner-olga");
  await expectConnected(dave.page, "dave");
  await expect(olga.page.locator("#me-role")).toHaveText("owner");
  // No owner key in this browser: the role came with the token.
  expect(await olga.page.evaluate((name) => localStorage.getItem(`edge-chat:owner-key:${name}`), room)).toBeNull();

  // A member has no Settings at all, so no way to the dialog.
  await expect(dave.page.locator("#settings-button")).toBeHidden();

  await olga.page.locator("#settings-button").click();
  await olga.page.getByRole("button", { name: "Integrations…" }).click();
  const dialog = olga.page.getByRole("dialog", { name: "Integrations" });
  await dialog.getByLabel("Name").fill("Alerts");
  await dialog.getByRole("button", { name: "Make a hook" }).click();
  await expect(dialog.locator("#hook-list li")).toContainText("Alerts");
  await expect(dialog.locator("#integrations-error")).toHaveText("");
  const posted = await fetch((await dialog.locator("#hook-url").textContent())!, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: "disk 91% full" }),
  });
  expect(posted.status).toBe(200);
  await expect(dave.page.locator("#messages li.msg").filter({ hasText: "disk 91% full" }).locator(".bot-badge")).toHaveText("hook");
  await olga.context.close();
  await dave.context.close();
});

test("a token whose rooms claim leaves this room out is told so plainly, with no retry offered, and its own rooms open", async ({ browser }) => {
  const gil = await signedIn(browser, "guest-gil");
  await gil.page.goto(`/r/${uniqueRoom("not-for-guests")}`);
  await expect(gil.page.locator("#banner")).toBeVisible();
  await expect(gil.page.locator("#banner-text")).toHaveText("Your sign-in does not let you into this room.");
  await expect(gil.page.locator("#banner-retry")).toBeHidden();
  expect((await sockets(gil.page)).opened).toBe(1);

  await gil.page.goto(`/r/${uniqueRoom("x").replace(/^e2e-x-/, "lobby-")}`);
  await expectConnected(gil.page, "guest-gil");
  await gil.context.close();
});

test("a token the room does not accept (the host signs with another key) is told so plainly after one fresh token was tried, with no loop", async ({ browser }) => {
  const fay = await signedIn(browser, "forged-fay");
  await fay.page.goto(`/r/${uniqueRoom("forged")}`);
  await expect(fay.page.locator("#banner-text")).toHaveText("The room did not accept your sign-in. Reload the page to try again.");
  await expect(fay.page.locator("#banner")).toBeVisible();
  await expect(fay.page.locator("#banner-retry")).toBeHidden();
  // The first token, then one fresh one in case the first had just gone stale; then nothing more.
  expect(host.served("forged-fay")).toBe(2);
  expect((await sockets(fay.page)).opened).toBe(1);
  await fay.context.close();
});

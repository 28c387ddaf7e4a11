/**
 * Issue 20, the page's part, under AUTH_REQUIRED with no AUTH_TOKEN_URL: a page opened on its own
 * has no way to sign anyone in and says so plainly, connecting nowhere; behind Cloudflare Access
 * (its header on every request) the page's hello carries neither token nor auth and the upgrade's
 * header signs the user in; a host page of an origin in
 * ALLOWED_ORIGINS (host-app.ts) frames `/r/<room>?embed=1` (the page's frame-ancestors lets it),
 * hands it its user's token by postMessage, and people chat through it, while a valid token posted
 * to the frame from an origin not listed is ignored. A signed bot shows its badge there too.
 */
import { SignJWT } from "jose";
import { OwnDevServer } from "./own-server.ts";
import { startHostApp, startIntruder, type HostApp } from "./host-app.ts";
import { expect, expectMessages, joinByLink, newPerson, say, test, uniqueRoom } from "./support.ts";

const SECRET = "e2e-embed-secret-of-at-least-32-bytes!!";
const TTL_SECONDS = 600;

// One worker runs this file's tests in order, so they share one server (each server costs seconds).
test.describe.configure({ mode: "default" });

let host: HostApp;
let intruder: { url: string; stop(): Promise<void> };
let server: OwnDevServer;

test.beforeAll(async () => {
  host = await startHostApp({ secret: SECRET, chatOrigin: () => server.url, ttlSeconds: TTL_SECONDS });
  intruder = await startIntruder(SECRET, TTL_SECONDS);
  server = new OwnDevServer({ AUTH_SECRET: SECRET, AUTH_REQUIRED: "true", ALLOWED_ORIGINS: host.origin });
  await server.start();
});
test.afterAll(async () => {
  await server?.stop();
  await intruder?.stop();
  await host?.stop();
});

test("with AUTH_REQUIRED and no way to get a token, the page says so plainly and opens no socket", async ({ browser }) => {
  const { context, page } = await newPerson(browser, server.url);
  let sockets = 0;
  page.on("websocket", () => sockets++);
  await page.goto(`/r/${uniqueRoom("no-token")}`);
  await expect(page.getByRole("heading", { name: "Sign-in needed" })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("this page has no way to sign you in");
  await expect(page.locator("#room")).toBeHidden();
  await expect(page.locator("#landing")).toBeHidden();
  expect(sockets).toBe(0);
  await context.close();
});

test("behind Cloudflare Access the page says hello with neither token nor auth, and the upgrade's header is the user", async ({ browser }) => {
  // An Access token carries the user's id and email, no name (HS256 here: the server checks the header as any signed token).
  const assertion = await new SignJWT({ email: "ada@example.com" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("access-ada")
    .setExpirationTime(Math.floor(Date.now() / 1000) + TTL_SECONDS)
    .sign(new TextEncoder().encode(SECRET));
  // Access adds its header to every request that reaches the chat, the socket's upgrade included.
  const context = await browser.newContext({ baseURL: server.url, extraHTTPHeaders: { "Cf-Access-Jwt-Assertion": assertion } });
  const page = await context.newPage();
  const hellos: unknown[] = [];
  page.on("websocket", (socket) =>
    socket.on("framesent", ({ payload }) => {
      if (typeof payload === "string" && payload.includes('"hello"')) hellos.push(JSON.parse(payload));
    }),
  );
  const room = uniqueRoom("access");
  // No name in the token: the page asks for one, as for anyone.
  await joinByLink(page, room, "ada");
  expect(hellos).toEqual([{ type: "hello", name: "ada" }]);
  await expect(page.locator('#people-list .person[data-id="access-ada"]')).toContainText("ada");
  await say(page, "signed in by Access");
  await expectMessages(page, ["signed in by Access"]);
  await context.close();
});

test("a listed host page frames the compact room page and hands it tokens; a token from an unlisted origin is ignored", async ({ browser }) => {
  const room = uniqueRoom("embed");
  const alice = await newPerson(browser, host.origin);
  const bob = await newPerson(browser, host.origin);
  // alice's host page lets an unlisted origin post mallory's (valid) token to the frame before it answers.
  await alice.page.goto(`/embed.html?room=${room}&user=alice&intruder=${encodeURIComponent(intruder.url)}`);
  await bob.page.goto(`/embed.html?room=${room}&user=bob`);
  const aliceChat = alice.page.frameLocator("#chat");
  const bobChat = bob.page.frameLocator("#chat");
  await expect(aliceChat.locator("#me-name")).toHaveText("alice");
  await expect(bobChat.locator("#me-name")).toHaveText("bob");
  expect(await alice.page.evaluate(() => (window as { intruderPosted?: boolean }).intruderPosted)).toBe(true);

  // The compact page: no way back to a start page, no link to copy.
  await expect(aliceChat.getByRole("link", { name: "All rooms" })).toBeHidden();
  await expect(aliceChat.getByRole("button", { name: "Copy link" })).toBeHidden();
  await expect(aliceChat.getByRole("textbox", { name: "Message", exact: true })).toBeVisible();

  await say(aliceChat, "hello from inside the frame");
  await expectMessages(bobChat, ["hello from inside the frame"]);
  await say(bobChat, "and back");
  await expectMessages(aliceChat, ["hello from inside the frame", "and back"]);
  await expect(bobChat.locator("#people-list")).toContainText("alice");
  await expect(bobChat.locator("#people-list")).not.toContainText("mallory");
  await alice.context.close();
  await bob.context.close();
});

test("a signed bot's name carries the bot badge in its messages and in the people list", async ({ browser }) => {
  const room = uniqueRoom("embed-bot");
  const alice = await newPerson(browser, host.origin);
  const robot = await newPerson(browser, host.origin);
  await alice.page.goto(`/embed.html?room=${room}&user=alice`);
  await robot.page.goto(`/embed.html?room=${room}&user=robot-7`);
  const aliceChat = alice.page.frameLocator("#chat");
  await expect(robot.page.frameLocator("#chat").locator("#me-name")).toHaveText("robot-7");
  await say(robot.page.frameLocator("#chat"), "beep");
  await expectMessages(aliceChat, ["beep"]);
  await expect(aliceChat.locator("#messages li.msg").filter({ hasText: "beep" }).locator(".bot-badge")).toHaveText("bot");
  await expect(aliceChat.locator("#people-list .person").filter({ hasText: "robot-7" }).locator(".bot-badge")).toHaveText("bot");
  await expect(aliceChat.locator("#people-list .person").filter({ hasText: "alice" }).locator(".bot-badge")).toHaveCount(0);
  await alice.context.close();
  await robot.context.close();
});

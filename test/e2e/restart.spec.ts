/**
 * The dev server stops and starts again mid-conversation (as a deploy does): both pages reconnect
 * on their own, resume from their last seq, deliver what was queued, and show every message once.
 */
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";
import { expect, expectConnected, expectMessages, joinByForm, newPerson, say, shownSeqs, test, uniqueRoom } from "./support.ts";

let server: DevServer;

test.beforeAll(async () => {
  server = await startDevServer(process.env.E2E_SHARD_CAPACITY ? { vars: { SHARD_CAPACITY: process.env.E2E_SHARD_CAPACITY } } : {});
});

test.afterAll(async () => {
  await server?.stop();
});

test("both pages reconnect after a server restart and show every message exactly once, in order", async ({ browser }) => {
  test.setTimeout(180_000);
  const room = uniqueRoom("restart");
  const alice = await newPerson(browser, server.url);
  const bob = await newPerson(browser, server.url);
  await joinByForm(alice.page, "alice", room);
  await joinByForm(bob.page, "bob", room);
  await say(alice.page, "one");
  await say(bob.page, "two");
  await expectMessages(alice.page, ["one", "two"]);
  await expectMessages(bob.page, ["one", "two"]);

  const { port, persistDir } = server;
  await server.stop();
  await expect(alice.page.locator("#banner")).toBeVisible();
  await expect(bob.page.locator("#banner")).toBeVisible();
  await say(alice.page, "three, typed while the server was down");
  await expect(alice.page.locator("#pending li.pending .state")).toHaveText(/^Queued/);

  server = await startDevServer({ port, persistDir, ...(process.env.E2E_SHARD_CAPACITY ? { vars: { SHARD_CAPACITY: process.env.E2E_SHARD_CAPACITY } } : {}) });
  // The backoff is capped at 10 s (plus jitter), so both are back well within this.
  await expectConnected(alice.page, "alice");
  await expectConnected(bob.page, "bob");
  await expect(alice.page.locator("#pending li")).toHaveCount(0, { timeout: 30_000 });
  await say(bob.page, "four");

  const all = ["one", "two", "three, typed while the server was down", "four"];
  await expectMessages(alice.page, all);
  await expectMessages(bob.page, all);
  expect(await shownSeqs(alice.page)).toEqual([1, 2, 3, 4]);
  expect(await shownSeqs(bob.page)).toEqual([1, 2, 3, 4]);
  // They resumed rather than redrew: the join line from before the restart is still there.
  await expect(alice.page.locator("#messages li.system").first()).toContainText("bob joined");
});

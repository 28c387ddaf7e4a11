/** A page that loses its network keeps what is typed and delivers it once when the network is back. */
import { aliceAndBob, expect, expectConnected, expectMessages, say, shownSeqs, test } from "./support.ts";

test("a page offline queues a message that is delivered once when back", async ({ browser }) => {
  const { alice, bob } = await aliceAndBob(browser, "offline");
  await say(alice.page, "before");
  await expectMessages(bob.page, ["before"]);

  await alice.context.setOffline(true);
  await expect(alice.page.locator("#banner")).toContainText("offline");
  await say(alice.page, "written offline");
  const pending = alice.page.locator("#pending li.pending");
  await expect(pending).toHaveCount(1);
  await expect(pending).toContainText("written offline");
  await expect(pending.locator(".state")).toHaveText("Queued: offline");
  await say(bob.page, "bob meanwhile");

  await alice.context.setOffline(false);
  await expectConnected(alice.page, "alice");
  await expect(pending).toHaveCount(0);
  await expectMessages(alice.page, ["before", "bob meanwhile", "written offline"]);
  await expectMessages(bob.page, ["before", "bob meanwhile", "written offline"]);
  expect(await shownSeqs(alice.page)).toEqual([1, 2, 3]);
  expect(await shownSeqs(bob.page)).toEqual([1, 2, 3]);
});

test("a message written offline survives closing the tab and is delivered once from the next one", async ({ browser }) => {
  const { room, alice, bob } = await aliceAndBob(browser, "offline-closed");

  await alice.context.setOffline(true);
  await expect(alice.page.locator("#banner")).toContainText("offline");
  await say(alice.page, "typed on the train");
  await expect(alice.page.locator("#pending li.pending")).toHaveCount(1);
  await alice.page.close();

  // The same person (same profile, so the same localStorage) opens the room again later.
  await alice.context.setOffline(false);
  const again = await alice.context.newPage();
  await again.goto(`/r/${room}`);
  await expectConnected(again, "alice");
  await expect(again.locator("#pending li.pending")).toHaveCount(0);
  await expectMessages(bob.page, ["typed on the train"]);
  await expectMessages(again, ["typed on the train"]);
  // A second reload must not send it again: the outbox was emptied by the echo.
  await again.reload();
  await expectConnected(again, "alice");
  await say(again, "after reload");
  await expectMessages(bob.page, ["typed on the train", "after reload"]);
  expect(await shownSeqs(bob.page)).toEqual([1, 2]);
});

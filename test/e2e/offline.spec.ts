/** A page that loses its network keeps what is typed and delivers it once when the network is back. */
import { expect, test } from "@playwright/test";
import { expectConnected, expectMessages, joinByForm, newPerson, say, shownSeqs, uniqueRoom } from "./support.ts";

test("a page offline queues a message that is delivered once when back", async ({ browser }) => {
  const room = uniqueRoom("offline");
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);
  await joinByForm(bob.page, "bob", room);
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

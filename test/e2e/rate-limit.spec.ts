/**
 * More messages than the room's bucket holds: the page holds the rest (nothing to click) and
 * delivers all of them in the order typed. This spec's server has a small, slow bucket (3, then
 * 1 a second), so the page runs into it however slow the machine is: the page sends one message
 * at a time, and with the default bucket (20, 5 a second) a slow round trip alone keeps it under.
 */
import type { Page } from "@playwright/test";
import { ownDevServer } from "./own-server.ts";
import { aliceAndBob, expect, expectConnected, shownSeqs, test } from "./support.ts";

const server = ownDevServer({ RATE_BURST: "3", RATE_PER_SECOND: "1" });
const COUNT = 8;
const typed = Array.from({ length: COUNT }, (_, i) => `flood ${i + 1}`);

/** Sends every text in one go, as fast as a script can press Enter. */
async function sendAll(page: Page, texts: string[]): Promise<void> {
  await page.evaluate((all) => {
    const box = document.getElementById("composer-input") as HTMLTextAreaElement;
    const form = document.getElementById("composer") as HTMLFormElement;
    for (const text of all) {
      box.value = text;
      box.dispatchEvent(new Event("input"));
      form.requestSubmit();
    }
  }, texts);
}

/** Waits until both pages show exactly `texts`, in that order, with seqs 1…n and nothing pending. */
async function expectDelivered(pages: Page[], texts: string[]): Promise<void> {
  for (const page of pages) {
    await expect(page.locator("#messages li.msg")).toHaveCount(texts.length, { timeout: 30_000 });
    expect(await page.locator("#messages li.msg .text").allTextContents()).toEqual(texts);
    expect(await shownSeqs(page)).toEqual(texts.map((_, i) => i + 1));
    await expect(page.locator("#pending li")).toHaveCount(0);
  }
}

test("sending too fast holds the rest until the room's bucket refills, then delivers all of it in order", async ({ browser }) => {
  const { alice, bob } = await aliceAndBob(browser, "flood", server.url);
  await sendAll(alice.page, typed);
  // The rest wait, marked as such, with nothing to click...
  await expect(alice.page.locator("#pending li .state").first()).toHaveText("Waiting: too fast");
  await expect(alice.page.locator("#pending li.failed")).toHaveCount(0);
  // ...and arrive by themselves as tokens come back, in the order they were typed, for everyone.
  await expectDelivered([alice.page, bob.page], typed);
});

test("messages queued offline beyond the bucket arrive after the reconnect, all of them, in order", async ({ browser }) => {
  const { alice, bob } = await aliceAndBob(browser, "flood-offline", server.url);
  await alice.context.setOffline(true);
  await expect(alice.page.locator("#banner")).toContainText("offline");
  await sendAll(alice.page, typed);
  await expect(alice.page.locator("#pending li.pending")).toHaveCount(COUNT);

  await alice.context.setOffline(false);
  await expectConnected(alice.page, "alice");
  await expect(alice.page.locator("#pending li .state").first()).toHaveText("Waiting: too fast");
  await expect(alice.page.locator("#pending li.failed")).toHaveCount(0);
  await expectDelivered([alice.page, bob.page], typed);
});

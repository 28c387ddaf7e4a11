/**
 * Read state across devices (protocol v3): one person on a laptop and a phone (two browser
 * profiles sharing one token). Messages that arrive while both tabs are in the background count in
 * both titles and on both "N unread" buttons; reading on the phone clears the laptop's count; a
 * reload shows a "new messages" divider where the person stopped reading.
 */
import type { Browser, Page } from "@playwright/test";
import { Bot, expect, expectConnected, joinByForm, newPerson, rowWithText, test, type Person, uniqueRoom } from "./support.ts";

/** A second device of the person on `first`: a new profile holding the same localStorage (the token). */
async function sameUserElsewhere(browser: Browser, first: Page, room: string): Promise<Person> {
  const saved = await first.evaluate(() => JSON.stringify(Object.fromEntries(Object.entries(localStorage))));
  const second = await newPerson(browser, new URL(first.url()).origin);
  await second.context.addInitScript((entries: string) => {
    if (localStorage.length === 0) for (const [key, value] of Object.entries(JSON.parse(entries) as Record<string, string>)) localStorage.setItem(key, value);
  }, saved);
  await second.page.goto(`/r/${room}`);
  return second;
}

/** Puts a tab in the background or brings it back, as switching tabs or apps does. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hide) => {
    Object.defineProperty(document, "hidden", { value: hide, configurable: true });
    Object.defineProperty(document, "visibilityState", { value: hide ? "hidden" : "visible", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

test("reading on one device clears the other's unread count, and a reload shows where reading stopped", async ({ browser }) => {
  test.setTimeout(120_000);
  const room = uniqueRoom("read-devices");
  const laptop = await newPerson(browser);
  await joinByForm(laptop.page, "ada", room);
  const phone = await sameUserElsewhere(browser, laptop.page, room);
  await expectConnected(phone.page, "ada");
  await expect(phone.page.locator("#people-toggle-count")).toHaveText("1");

  await setHidden(laptop.page, true);
  await setHidden(phone.page, true);
  const bea = await Bot.join(room, "bea");
  for (const text of ["one", "two", "three"]) await bea.say(text);
  for (const device of [laptop.page, phone.page]) {
    await expect(device).toHaveTitle(/^\(3\) /);
    await expect(device.locator("#jump-unread")).toHaveText("↑ 3 unread");
  }

  // The phone comes to the front: it reads, and the laptop, still in the background, clears.
  await setHidden(phone.page, false);
  await expect(phone.page).not.toHaveTitle(/^\(/);
  await expect(laptop.page).not.toHaveTitle(/^\(/);
  await expect(laptop.page.locator("#jump-unread")).toBeHidden();
  await expect(phone.page.locator("#jump-unread")).toBeHidden();

  // Two more while both are away; the laptop reloads: the divider stands above the first unread.
  await setHidden(phone.page, true);
  await bea.say("four");
  await bea.say("five");
  await expect(laptop.page).toHaveTitle(/^\(2\) /);
  await laptop.page.reload();
  await expectConnected(laptop.page, "ada");
  const divider = laptop.page.locator("#messages li.unread-divider");
  await expect(divider).toHaveCount(1);
  await expect(laptop.page.locator("#messages li.unread-divider + li.msg")).toContainText("four");
  // The reloaded laptop is in front: it read them, and the phone's count clears too.
  await expect(phone.page).not.toHaveTitle(/^\(/);
  await expect(rowWithText(laptop.page, "five")).toBeVisible();
  bea.close();
});

/**
 * Read state across devices (protocol v3): one person on a laptop and a phone (two browser
 * profiles sharing one token). Messages that arrive while both tabs are in the background count in
 * both titles and on both "N unread" buttons; reading on the phone clears the laptop's count; a
 * reload shows a "new messages" divider where the person stopped reading. When more came in than
 * one page holds, the "N unread" jump loads older pages back to the first unread one, and the
 * divider goes up with them; a private first unread opens its conversation.
 */
import type { Browser, Page } from "@playwright/test";
import { Bot, expect, expectConnected, joinByForm, newPerson, rowWithText, say, test, type Person, uniqueRoom } from "./support.ts";

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

/** The read positions the page sends to the room, in order. */
function readsSentBy(page: Page): number[] {
  const seqs: number[] = [];
  page.on("websocket", (socket) =>
    socket.on("framesent", ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { type: string; seq?: number };
      if (frame.type === "read") seqs.push(frame.seq!);
    }),
  );
  return seqs;
}

/** Opens the room again in a tab that is in the background from its first script on (so nothing is read by being seen). */
async function comeBackHidden(person: Person, room: string): Promise<void> {
  await person.context.addInitScript(() => {
    Object.defineProperty(document, "hidden", { value: true, configurable: true });
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
  });
  await person.page.goto(`/r/${room}`);
}

test("more unread than a page holds: the jump loads older pages back to the first unread, and the divider goes up to it", async ({ browser }) => {
  const room = uniqueRoom("read-far");
  const ada = await newPerson(browser);
  const readsSent = readsSentBy(ada.page);
  await joinByForm(ada.page, "ada", room);
  const bots = await Promise.all(Array.from({ length: 4 }, (_, i) => Bot.join(room, `bot${i}`)));
  const last = await bots[0]!.say("read before leaving");
  await expect.poll(() => readsSent.at(-1)).toBe(last.seq);

  // She leaves; 70 arrive (four bots, each within its burst); she comes back in a background tab.
  await ada.page.goto("about:blank");
  for (let i = 1; i <= 70; i++) await bots[Math.floor(i / 18)]!.say(`unread ${i}`);
  await comeBackHidden(ada, room);
  await expectConnected(ada.page, "ada");
  await expect(ada.page.locator("#jump-unread")).toHaveText("↑ 70 unread");
  // The welcome's page reaches back to "unread 21" only: the divider stands above the oldest held.
  await expect(ada.page.locator("#messages li.msg").first().locator(".text")).toHaveText("unread 21");

  await ada.page.locator("#jump-unread").click();
  const first = ada.page.locator("#messages li.msg").filter({ has: ada.page.locator(".text", { hasText: /^unread 1$/ }) });
  await expect(first).toBeFocused();
  await expect(ada.page.locator("#messages li.unread-divider")).toHaveCount(1);
  await expect(ada.page.locator("#messages li.unread-divider + li.msg .text")).toHaveText("unread 1");
  await expect(ada.page.locator("#messages li.unread-divider ~ li.msg")).toHaveCount(70);
  for (const bot of bots) bot.close();
});

test("when the first unread is a private message, the jump opens its conversation, and the room's divider marks the first public one", async ({ browser }) => {
  const room = uniqueRoom("read-private");
  const ada = await newPerson(browser);
  const readsSent = readsSentBy(ada.page);
  await joinByForm(ada.page, "ada", room);
  const bea = await Bot.join(room, "bea");
  await say(ada.page, "hi bea");
  const adaId = ((await bea.next("message", (f) => f.text === "hi bea")).from as { id: string }).id;
  const last = await bea.say("read before leaving");
  await expect.poll(() => readsSent.at(-1)).toBe(last.seq);

  await ada.page.goto("about:blank");
  await bea.say("just between us", adaId);
  await bea.say("for everyone");
  await comeBackHidden(ada, room);
  await expectConnected(ada.page, "ada");
  await expect(ada.page.locator("#jump-unread")).toHaveText("↑ 2 unread");
  // The room's timeline shows public messages only: its divider stands above the public one.
  await expect(ada.page.locator("#messages li.unread-divider + li.msg .text")).toHaveText("for everyone");

  await ada.page.locator("#jump-unread").click();
  await expect(ada.page.locator("#view-name")).toHaveText("bea");
  await expect(rowWithText(ada.page, "just between us")).toBeFocused();
  bea.close();
});

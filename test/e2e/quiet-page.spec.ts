/**
 * Issue 22, points 4, 9, 10, 11 and 12 as a person meets them: creating and joining are two paths
 * (joining an unused name offers to create it); joins come as one collapsed line per burst and a
 * reload says nothing; the people list is sorted by role then name; a private room's start line
 * has no double punctuation; the toast stays clear of the message box; and while the tab is
 * hidden, mentions and private messages notify (after permission, muted per room) and the title
 * counts them apart.
 */
import type { Page } from "@playwright/test";
import { baseUrl, Bot, expect, expectConnected, joinByForm, joinByLink, messageBox, newPerson, say, test, uniqueRoom } from "./support.ts";

const presenceLines = (page: Page) => page.locator("#messages li.presence-line > span");

test("joining an unused name offers to create it, a burst of joins is one line, a reload says nothing, and the people list is sorted by role then name", async ({ browser }) => {
  const room = uniqueRoom("quiet");
  const [zoe, bob] = [await newPerson(browser), await newPerson(browser)];
  const bots: Bot[] = [];
  try {
    // Join on a name nobody used: the page offers to create it as its owner instead.
    await zoe.page.goto("/");
    await zoe.page.locator("#landing").getByLabel("Your name").fill("zoe");
    await zoe.page.getByLabel("Room", { exact: true }).fill(room);
    await zoe.page.getByRole("button", { name: "Join room" }).click();
    const offer = zoe.page.getByRole("group", { name: /^Nobody uses/ });
    await expect(offer).toHaveText(new RegExp(`Nobody uses #${room} yet`));
    await offer.getByRole("button", { name: "Create it as its owner" }).click();
    await expectConnected(zoe.page, "zoe");
    await expect(zoe.page.locator("#me-role")).toHaveText("owner");

    // Five join one after the other: one line, expandable to every name.
    for (const name of ["mike", "amy", "carl", "dana", "eve"]) bots.push(await Bot.join(room, name));
    await expect(presenceLines(zoe.page)).toHaveText(["mike, amy and 3 others joined"]);
    await zoe.page.getByRole("button", { name: "show all" }).click();
    await expect(presenceLines(zoe.page)).toHaveText(["mike, amy, carl, dana and eve joined"]);

    // Someone speaks, then bob comes: a line of its own. He reloads: nothing more is said of him.
    await say(zoe.page, "welcome, everyone");
    await joinByLink(bob.page, room, "bob");
    await expect(presenceLines(zoe.page)).toHaveText(["mike, amy, carl, dana and eve joined", "bob joined"]);
    await bob.page.reload();
    await expectConnected(bob.page, "bob");
    await say(bob.page, "back after a reload");
    await expect(zoe.page.locator("#messages li.msg .text")).toHaveText(["welcome, everyone", "back after a reload"]);
    await expect(zoe.page.locator("#messages li.system")).toHaveCount(2);

    // bob's list: himself first, then the owner, then everyone else by name (not by arrival).
    await expect(bob.page.locator("#people-list .person-name")).toHaveText(["bob", "zoe", "amy", "carl", "dana", "eve", "mike"]);
  } finally {
    for (const bot of bots) bot.close();
    await zoe.context.close();
    await bob.context.close();
  }
});

test("a private room's first line has no double full stop, and the copied-link toast stays clear of the message box on a phone", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  try {
    const page = await context.newPage();
    await page.goto("/");
    await page.locator("#landing").getByLabel("Your name").fill("ana");
    await page.getByRole("button", { name: "Create a private room" }).click();
    await expectConnected(page, "ana");
    await expect(page.locator("#history-start")).toHaveText(/^This is the start of private room [0-9a-f]{6}…$/);

    // The toast hides itself 2.5 s after it shows: on a loaded machine a boundingBox read after
    // toBeVisible found it gone. The page measures both boxes the moment the toast shows.
    await page.evaluate(() => {
      const toast = document.getElementById("toast")!;
      new MutationObserver((_, observer) => {
        if (toast.hidden) return;
        const composer = document.querySelector(".composer-area")!.getBoundingClientRect();
        const shown = toast.getBoundingClientRect();
        (window as unknown as { toastGeometry: unknown }).toastGeometry = { toastBottom: shown.bottom, toastHeight: shown.height, composerTop: composer.top };
        observer.disconnect();
      }).observe(toast, { attributes: true, attributeFilter: ["hidden"] });
    });
    await page.locator("#copy-link").tap();
    const geometry = await page
      .waitForFunction(() => (window as unknown as { toastGeometry?: { toastBottom: number; toastHeight: number; composerTop: number } }).toastGeometry)
      .then((handle) => handle.jsonValue());
    expect(geometry!.toastHeight, "the toast shows").toBeGreaterThan(0);
    expect(geometry!.toastBottom, "the toast ends above the message box").toBeLessThanOrEqual(geometry!.composerTop);
  } finally {
    await context.close();
  }
});

test("while the tab is hidden, mentions and private messages notify and are counted apart in the title, unless notifications are muted for the room", async ({ browser }) => {
  const room = uniqueRoom("notify");
  const alice = await newPerson(browser);
  // Headless Chromium never hides a tab and refuses notifications whatever is granted, so the
  // page's view of visibility and the Notification API are stood in for: permission starts as
  // "default", asking grants it (the person allows), and every notification made is recorded.
  await alice.context.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => hidden });
    Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
    const w = window as unknown as { setHidden(value: boolean): void; notified: { title: string; body: string }[]; asked: number };
    w.setHidden = (value) => {
      hidden = value;
      document.dispatchEvent(new Event("visibilitychange"));
    };
    w.notified = [];
    w.asked = 0;
    let permission: NotificationPermission = "default";
    class RecordedNotification {
      static get permission(): NotificationPermission {
        return permission;
      }
      static async requestPermission(): Promise<NotificationPermission> {
        w.asked++;
        permission = "granted";
        return permission;
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options?: NotificationOptions) {
        if (permission !== "granted") throw new TypeError("notification without permission");
        w.notified.push({ title, body: options?.body ?? "" });
      }
      close(): void {}
    }
    Object.defineProperty(window, "Notification", { configurable: true, writable: true, value: RecordedNotification });
  });
  const setHidden = (value: boolean) => alice.page.evaluate((v) => (window as unknown as { setHidden(value: boolean): void }).setHidden(v), value);
  const notified = () => alice.page.evaluate(() => (window as unknown as { notified: { title: string; body: string }[] }).notified);
  const bob = await Bot.join(room, "bob");
  try {
    await joinByLink(alice.page, room, "alice");
    // One's own name comes first in the people list.
    const aliceId = (await alice.page.locator("#people-list button.person").first().getAttribute("data-id"))!;
    // Nothing is asked before the person turns the bell on; then the browser asks once.
    const bell = alice.page.locator("#notify-button");
    await expect(bell).toHaveAttribute("aria-pressed", "false");
    await expect(bell).toContainText("Notify me");
    expect(await alice.page.evaluate(() => (window as unknown as { asked: number }).asked)).toBe(0);
    await bell.click();
    await expect(bell).toHaveAttribute("aria-pressed", "true");
    await expect(bell).toContainText("Notifying");
    expect(await alice.page.evaluate(() => (window as unknown as { asked: number }).asked)).toBe(1);

    await setHidden(true);
    await bob.say("just chatting");
    await bob.say("hey @alice, **look**");
    await bob.say("only for you", aliceId);
    await expect(alice.page).toHaveTitle(`(3 · @2) #${room} · edge-chat`);
    await expect.poll(notified).toEqual([
      { title: `bob in #${room}`, body: "hey @alice, look" },
      { title: "Private message from bob", body: "only for you" },
    ]);
    await setHidden(false);
    await expect(alice.page).toHaveTitle(`#${room} · edge-chat`);

    // Muted for this room: the title still counts, nothing pops up; the choice outlives a reload.
    await bell.click();
    await expect(bell).toHaveAttribute("aria-pressed", "false");
    await expect(bell).toContainText("Muted");
    await alice.page.reload();
    await expectConnected(alice.page, "alice");
    await expect(bell).toContainText("Muted");
    await setHidden(true);
    await bob.say("@alice are you there?");
    await expect(alice.page).toHaveTitle(`(1 · @1) #${room} · edge-chat`);
    await bob.say("a plain one, so that the mention was surely handled");
    await expect(alice.page).toHaveTitle(`(2 · @1) #${room} · edge-chat`);
    expect(await notified()).toEqual([]);
  } finally {
    bob.close();
    await alice.context.close();
  }
});


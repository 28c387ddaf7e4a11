/**
 * Owners and moderators in the page: creating a room as its owner, making a moderator, muting,
 * deleting, banning (and staying banned across a reload without a reconnect loop), slow mode and
 * the lock holding with their countdowns, a kick with its way back, and a wrong owner key.
 */
import { expect, test, type Page } from "@playwright/test";
import { expectConnected, joinByForm, messageAction, messageBox, newPerson, rowWithText, say, uniqueRoom } from "./support.ts";

/** Creates `room` from the start page as its owner, as a person does. */
async function createAsOwner(page: Page, name: string, room: string): Promise<void> {
  await joinByForm(page, name, room, "Create it as its owner");
  await expect(page.locator("#me-role")).toHaveText("owner");
}

/** Opens the moderation menu for `name` from the online list and picks `action`. */
async function moderateFromList(page: Page, name: string, action: string): Promise<void> {
  await page.locator("#people-list").getByRole("button", { name: `Moderate ${name}` }).click();
  await page.getByRole("dialog", { name: `Moderate ${name}` }).getByRole("button", { name: action }).click();
}

const systemLines = (page: Page) => page.locator("#messages li.system > span");

test("an owner makes a moderator, who deletes a spammer's message, mutes them and bans them, and the spammer can no longer post", async ({ browser }) => {
  test.setTimeout(120_000);
  const room = uniqueRoom("moderation");
  const [owner, mod, spammer] = [await newPerson(browser), await newPerson(browser), await newPerson(browser)];
  await createAsOwner(owner.page, "owner", room);
  expect(await owner.page.evaluate((r) => localStorage.getItem(`edge-chat:owner-key:${r}`), room)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await expect(owner.page.locator("#settings-button")).toBeVisible();
  await joinByForm(mod.page, "mod", room);
  await joinByForm(spammer.page, "spammer", room);
  await expect(mod.page.locator("#settings-button")).toBeHidden();
  // The owner shows as owner to the others; nobody may act on them.
  await expect(mod.page.locator("#people-list .person", { hasText: "owner" }).locator(".role-badge")).toHaveText("owner");

  await moderateFromList(owner.page, "mod", "Make mod a moderator");
  for (const page of [owner.page, mod.page, spammer.page]) await expect(systemLines(page).last()).toHaveText("owner made mod a moderator");
  await expect(mod.page.locator("#me-role")).toHaveText("moderator");
  await expect(mod.page.locator("#settings-button")).toBeVisible();
  await expect(owner.page.locator("#people-list .person", { hasText: "mod" }).locator(".role-badge")).toHaveText("moderator");
  await expect(mod.page.locator("#people-list").getByRole("button", { name: "Moderate owner" })).toHaveCount(0);
  // Roles show on messages too.
  await say(mod.page, "hello, I keep things tidy here");
  await expect(rowWithText(spammer.page, "hello, I keep things tidy").locator(".role-badge")).toHaveText("moderator");

  // A moderator deletes someone else's message.
  await say(spammer.page, "buy cheap watches");
  await say(spammer.page, "and more watches");
  await messageAction(mod.page, rowWithText(mod.page, "buy cheap watches"), "Delete");
  await mod.page.getByRole("dialog", { name: "Delete this message?" }).getByRole("button", { name: "Delete" }).click();
  await expect(spammer.page.locator("#messages li.msg.deleted")).toHaveCount(1);
  await expect(spammer.page.locator("#messages li.msg .text")).toHaveText(["hello, I keep things tidy here", "and more watches"]);

  // A mute, from the message's menu: everyone is told; the spammer sees it counting down.
  await messageAction(mod.page, rowWithText(mod.page, "and more watches"), "Moderate");
  await mod.page.getByRole("dialog", { name: "Moderate spammer" }).getByRole("button", { name: "Mute spammer for 5 min" }).click();
  for (const page of [owner.page, mod.page, spammer.page]) await expect(systemLines(page).last()).toHaveText("spammer was muted for 5 min by mod");
  const restriction = spammer.page.locator("#restriction");
  await expect(restriction).toHaveText(/^You are muted: you can post again in [45]:\d\d\.$/);
  const shown = await restriction.textContent();
  await expect(restriction).not.toHaveText(shown!);
  await say(spammer.page, "you can't stop me");
  await expect(spammer.page.locator("#pending li.failed .state")).toHaveText("Not sent: you are muted");
  await expect(owner.page.locator("#messages li.msg .text")).toHaveText(["hello, I keep things tidy here", "and more watches"]);

  // A ban: the spammer is closed out, with the time left, and cannot come back by reloading.
  await moderateFromList(mod.page, "spammer", "Ban spammer for 1 day");
  await expect(systemLines(owner.page).filter({ hasText: "banned" })).toHaveText(["spammer was banned for 1 day by mod"]);
  await expect(spammer.page.locator("#banner")).toContainText(/You were banned from this room by mod: 23:59:\d\d left\./);
  await expect(spammer.page.locator("#banner-rejoin")).toBeHidden();
  await expect(owner.page.locator("#people-list .person-name")).toHaveText(["owner", "mod"]);
  let sockets = 0;
  spammer.page.on("websocket", () => sockets++);
  await spammer.page.reload();
  const banner = spammer.page.locator("#banner");
  await expect(banner).toContainText(/You are banned from this room: 23:59:\d\d left\./);
  // Two ticks of the countdown later it has still not tried again.
  for (let i = 0; i < 2; i++) {
    const text = await banner.textContent();
    await expect(banner).not.toHaveText(text!);
  }
  expect(sockets).toBe(1);
  await expect(spammer.page.locator("#messages li.msg")).toHaveCount(0);
});

test("slow mode and the lock hold for members with their countdowns, a kicked member can rejoin, and a wrong owner key is dropped", async ({ browser }) => {
  test.setTimeout(120_000);
  const room = uniqueRoom("slow");
  const [owner, member] = [await newPerson(browser), await newPerson(browser)];
  await createAsOwner(owner.page, "owner", room);
  await joinByForm(member.page, "member", room);

  await owner.page.locator("#settings-button").click();
  const panel = owner.page.getByRole("dialog", { name: "Room settings" });
  await panel.getByLabel("Slow mode").selectOption({ label: "30 s" });
  await panel.getByRole("button", { name: "Save" }).click();
  await expect(systemLines(member.page).last()).toHaveText("owner turned on slow mode (one message every 30 s)");
  const restriction = member.page.locator("#restriction");
  await expect(restriction).toHaveText("Slow mode is on: one message every 30 s.");

  await say(member.page, "first");
  await expect(member.page.locator("#messages li.msg .text")).toHaveText(["first"]);
  await expect(restriction).toHaveText(/^Slow mode: you can send again in 0:[23]\d\.$/);
  await say(member.page, "second, too soon");
  await expect(member.page.locator("#pending li.failed .state")).toHaveText("Not sent: slow mode");
  await expect(member.page.locator("#composer-error")).toHaveText(/^Slow mode is on: you can send again in [23]\d s\.$/);
  // The owner is not slowed.
  await say(owner.page, "owner one");
  await say(owner.page, "owner two");
  await expect(member.page.locator("#messages li.msg .text")).toHaveText(["first", "owner one", "owner two"]);

  await owner.page.locator("#settings-button").click();
  await panel.getByLabel("Slow mode").selectOption({ label: "Off" });
  await panel.getByLabel(/Lock the room/).check();
  await panel.getByRole("button", { name: "Save" }).click();
  await expect(systemLines(member.page).last()).toHaveText("owner turned off slow mode and locked the room");
  await expect(restriction).toHaveText("The room is locked: only moderators and owners can post, edit or react.");
  await say(member.page, "may I?");
  await expect(member.page.locator("#pending li.failed .state").last()).toHaveText("Not sent: room locked");

  // A kick: removed, told so, and back with one click.
  await moderateFromList(owner.page, "member", "Kick member");
  await expect(member.page.locator("#banner")).toContainText("You were removed from the room by owner. You may join again.");
  await expect(owner.page.locator("#people-list .person-name")).toHaveText(["owner"]);
  await member.page.getByRole("button", { name: "Rejoin" }).click();
  await expectConnected(member.page, "member");
  await expect(owner.page.locator("#people-list .person-name")).toHaveText(["owner", "member"]);

  // A key the room does not know: forgotten, and the page joins as a member.
  const stranger = await newPerson(browser);
  await stranger.page.goto("/");
  await stranger.page.evaluate((r) => localStorage.setItem(`edge-chat:owner-key:${r}`, "x".repeat(43)), room);
  await stranger.page.goto(`/r/${room}`);
  // Welcomed (a guest name), as a member, and the key is gone.
  await expect(stranger.page.locator("#me-name")).toHaveText(/^guest-/);
  await expectConnected(stranger.page);
  await expect(stranger.page.locator("#me-role")).toBeHidden();
  await expect(stranger.page.locator("#people-list .person-name")).toHaveCount(3);
  expect(await stranger.page.evaluate((r) => localStorage.getItem(`edge-chat:owner-key:${r}`), room)).toBeNull();
  await expect(messageBox(stranger.page)).toBeVisible();

  // A room in use cannot be created again: the start page says so and stays.
  await stranger.page.goto("/");
  await stranger.page.locator("#landing").getByLabel("Room", { exact: true }).fill(room);
  await stranger.page.getByRole("button", { name: "Create it as its owner" }).click();
  await expect(stranger.page.locator("#join-error")).toHaveText(`#${room} is already in use: join it, or pick another name to create.`);
  await expect(stranger.page).toHaveURL(/\/$/);
});

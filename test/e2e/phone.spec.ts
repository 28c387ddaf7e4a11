/** On a phone (360 px, touch), a message's actions come as a bottom sheet with a long press, and so does the reaction picker. */
import { baseUrl, Bot, expect, joinByLink, test, uniqueRoom } from "./support.ts";

test("on a phone a long press on a message opens its actions as a bottom sheet, and the reaction picker is one too", async ({ browser }) => {
  const room = uniqueRoom("phone");
  const bob = await Bot.join(room, "bob");
  await bob.say("press and hold me");
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  try {
    const page = await context.newPage();
    await joinByLink(page, room);
    const row = page.locator("#messages li.msg", { hasText: "press and hold me" });
    // No hover toolbar on a touch screen: a long press opens the actions as a bottom sheet.
    await expect(row.locator(".actions")).toBeHidden();

    // A long press, as a finger does it (the sheet waits half a second of holding).
    const box = (await row.locator(".bubble").boundingBox())!;
    const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const cdp = await context.newCDPSession(page);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point] });
    const sheet = page.getByRole("dialog", { name: "Message from bob" });
    await expect(sheet).toBeVisible();
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    // A bottom sheet: as wide as the screen, standing on its bottom edge.
    const sheetBox = (await sheet.boundingBox())!;
    expect(Math.round(sheetBox.width)).toBe(360);
    expect(Math.round(sheetBox.y + sheetBox.height)).toBe(740);
    await expect(sheet.getByRole("group", { name: "Quick reactions" }).getByRole("button")).toHaveCount(3);
    await sheet.getByRole("button", { name: /^Reply/ }).tap();
    await expect(sheet).toBeHidden();
    await expect(page.locator("#composer-mode")).toContainText("Replying to bob: press and hold me");

    // The reaction picker is a bottom sheet too, and a quick reaction from the sheet lands.
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point] });
    await expect(sheet).toBeVisible();
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await sheet.getByRole("button", { name: "React with 👍" }).tap();
    await expect(row.locator(".reaction.mine .emoji")).toHaveText(["👍"]);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point] });
    await expect(sheet).toBeVisible();
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await sheet.getByRole("button", { name: /^React to/ }).tap();
    const picker = page.getByRole("dialog", { name: "React" });
    const pickerBox = (await picker.boundingBox())!;
    expect(Math.round(pickerBox.width)).toBe(360);
    expect(Math.round(pickerBox.y + pickerBox.height)).toBe(740);
    await picker.getByRole("button", { name: "Cancel" }).tap();
  } finally {
    bob.close();
    await context.close();
  }
});

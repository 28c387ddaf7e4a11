/** On a phone (360 px, touch), a message's actions come with a long press and go away with a tap elsewhere. */
import { expect, test } from "@playwright/test";
import { Bot, baseUrl, expectConnected, messageBox, uniqueRoom } from "./support.ts";

test("on a phone a long press on a message shows its actions, and a tap elsewhere hides them", async ({ browser }) => {
  const room = uniqueRoom("phone");
  const bob = await Bot.join(room, "bob");
  await bob.say("press and hold me");
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  try {
    const page = await context.newPage();
    await page.goto(`/r/${room}`);
    await expectConnected(page);
    const row = page.locator("#messages li.msg", { hasText: "press and hold me" });
    const reply = row.locator(".actions").getByRole("button", { name: /^Reply/ });
    await expect(row.locator(".actions")).toHaveCSS("opacity", "0");

    // A long press, as a finger does it (the toolbar waits half a second of holding).
    const box = (await row.locator(".bubble").boundingBox())!;
    const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const cdp = await context.newCDPSession(page);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point] });
    await expect(row).toHaveClass(/\bshow-actions\b/);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await expect(row.locator(".actions")).toHaveCSS("opacity", "1");
    await reply.tap();
    await expect(page.locator("#composer-mode")).toContainText("Replying to bob: press and hold me");

    await messageBox(page).tap();
    await expect(row).not.toHaveClass(/\bshow-actions\b/);
  } finally {
    bob.close();
    await context.close();
  }
});

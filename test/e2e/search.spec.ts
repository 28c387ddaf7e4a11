/**
 * Search on the page (protocol v3): Ctrl+K or `/` opens the box, results come as the person types,
 * the matched terms are marked as text (never HTML), and a click on a result jumps to the message,
 * loading older pages until it is there.
 */
import { Bot, expect, joinByForm, messageBox, newPerson, rowWithText, say, test, uniqueRoom } from "./support.ts";

test("Ctrl+K and / open search; results mark the terms as text; a click jumps to an old message, and to a private one in its conversation", async ({ browser }) => {
  test.setTimeout(120_000);
  const room = uniqueRoom("search-jump");
  // Each bot has its own rate bucket (burst 20): six of them store 110 messages quickly.
  const bots = await Promise.all(Array.from({ length: 6 }, (_, i) => Bot.join(room, `bot${i}`)));
  const heron = "<b>the blue HERON</b> 今天天气很好";
  const texts = Array.from({ length: 110 }, (_, i) => (i === 4 ? heron : `filler ${i + 1}`));
  for (let i = 0; i < texts.length; i++) await bots[Math.floor(i / 20)]!.say(texts[i]!);

  const alice = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);
  const page = alice.page;
  await expect(page.locator("#messages li.msg").last()).toContainText("filler 110");
  // The old message is not on the page yet (the first page holds the newest 50).
  await expect(rowWithText(page, "the blue HERON")).toHaveCount(0);

  // Ctrl+K from the message box opens the box; Esc closes it; / opens it again.
  await messageBox(page).focus();
  await page.keyboard.press("Control+k");
  const input = page.getByLabel("Search messages");
  await expect(input).toBeFocused();
  await input.press("Escape");
  await expect(page.locator("#search-panel")).toBeHidden();
  await page.locator("#scroller").focus();
  await page.keyboard.press("/");
  await expect(input).toBeFocused();

  // Results as they come: a fullwidth, upper-case spelling finds it; the term is marked as text.
  await input.pressSequentially("ＨＥＲ");
  const hit = page.locator("#search-results .search-hit");
  await expect(hit).toHaveCount(1);
  await expect(hit.locator("mark")).toHaveText(["HER"]);
  await input.pressSequentially("on 天气");
  await expect(hit.locator("mark")).toHaveText(["HERON", "天气"]);
  await expect(hit.locator(".search-text")).toHaveText(heron);
  await expect(hit.locator(".search-text b")).toHaveCount(0);
  await expect(page.locator("#search-status")).toHaveText("1 message found.");

  // A click jumps to it, loading older pages until it is there.
  await hit.click();
  await expect(page.locator("#search-panel")).toBeHidden();
  await expect(rowWithText(page, "the blue HERON")).toBeInViewport();

  // Nothing matches: said so.
  await page.keyboard.press("Control+k");
  await input.fill("no such words anywhere");
  await expect(page.locator("#search-status")).toHaveText("No messages match.");

  // A private message found from the room's timeline opens its conversation there.
  await input.press("Escape");
  await say(page, "hello bots");
  const aliceId = ((await bots[5]!.next("message", (f) => f.text === "hello bots")).from as { id: string }).id;
  await bots[5]!.say("a private kingfisher", aliceId);
  await page.keyboard.press("Control+k");
  await input.fill("kingfisher");
  await expect(hit).toHaveCount(1);
  await hit.click();
  await expect(page.locator("#view-name")).toHaveText("bot5");
  await expect(rowWithText(page, "a private kingfisher")).toBeFocused();
  for (const bot of bots) bot.close();
});

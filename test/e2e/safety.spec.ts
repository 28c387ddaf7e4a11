/** What other clients send reaches the page as inert text, never as markup or script. */
import { expect, test } from "@playwright/test";
import { Bot, joinByForm, newPerson, uniqueRoom } from "./support.ts";

/** A name that is markup (within the 32-character name limit). */
const NAME = `<img src=x onerror=alert(1)>`;
const PAYLOADS = [
  `<img src=x onerror="window.__pwned = 'img'">`,
  `<script>window.__pwned = 'script'</script>`,
  `javascript:window.__pwned='link' and data:text/html,<b>x</b>`,
  `<a href="javascript:window.__pwned='a'">click me</a> https://example.com/?q=<svg/onload=alert(1)>`,
  `<style>body { display: none }</style><iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>`,
];

test("an XSS payload sent by another client renders as inert text", async ({ browser }) => {
  const room = uniqueRoom("xss");
  const alice = await newPerson(browser);
  const dialogs: string[] = [];
  alice.page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await joinByForm(alice.page, "alice", room);

  const mallory = await Bot.join(room, NAME);
  try {
    for (const text of PAYLOADS) await mallory.say(text);
  } finally {
    mallory.close();
  }

  const texts = alice.page.locator("#messages li.msg .text");
  await expect(texts).toHaveText(PAYLOADS);
  await expect(alice.page.locator("#messages li.msg .author").first()).toHaveText(NAME);
  const list = alice.page.locator("#messages");
  await expect(list.locator("img, script, iframe, style, svg")).toHaveCount(0);
  // The one link made is the https one, cut before the "<", with a safe rel.
  await expect(list.locator("a")).toHaveCount(1);
  await expect(list.locator("a")).toHaveAttribute("href", "https://example.com/?q=");
  await expect(list.locator("a")).toHaveAttribute("rel", /noopener/);
  expect(await alice.page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await expect(alice.page.locator("body")).toBeVisible();
});

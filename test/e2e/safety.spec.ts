/**
 * What other clients send reaches the page as inert text, never as markup or script, and each
 * piece of it is its own bidirectional isolate, so it cannot reorder the page around it.
 */
import type { Locator } from "@playwright/test";
import { Bot, expect, expectMessages, joinByForm, newPerson, test, uniqueRoom } from "./support.ts";

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

const RLO = "\u202E"; // RIGHT-TO-LEFT OVERRIDE: names refuse it, message text may carry it
const HEBREW = "שלום"; // a right-to-left name, which names do allow

test("each name and message is its own bidi isolate: neither a U+202E nor a right-to-left name reorders what is around it", async ({ browser }) => {
  const room = uniqueRoom("bidi");
  const { page } = await newPerson(browser);
  await joinByForm(page, "alice", room);
  const mallory = await Bot.join(room, "mallory");
  const bob = await Bot.join(room, "bob");
  try {
    await mallory.say(`${RLO}evil 12:00`);
    await bob.say("next message");
    mallory.send({ type: "rename", name: HEBREW });
    await mallory.next("rename");
    await mallory.say(`${HEBREW}!`);
    await expectMessages(page, [`${RLO}evil 12:00`, "next message", `${HEBREW}!`]);
    const rows = page.locator("#messages li.msg");
    const renamed = page.locator("#messages li.system").filter({ hasText: "is now" });
    await expect(renamed).toHaveText(new RegExp(`^mallory is now ${HEBREW} `));

    // Each piece of user text sits in an element of its own that isolates it (dir="auto" or <bdi>).
    const isolated = { unicodeBidi: "isolate" };
    expect(await holderOf(rows.nth(0).locator(".text"), "evil")).toEqual({ text: `${RLO}evil 12:00`, ...isolated });
    await expect(rows.locator('.text[dir="auto"]')).toHaveCount(3);
    expect(await holderOf(rows.nth(0), "mallory")).toEqual({ text: "mallory", ...isolated });
    expect(await holderOf(rows.nth(1), "bob")).toEqual({ text: "bob", ...isolated });
    expect(await holderOf(rows.nth(2), HEBREW)).toEqual({ text: HEBREW, ...isolated });
    expect(await holderOf(renamed, "mallory")).toEqual({ text: "mallory", ...isolated });
    expect(await holderOf(renamed, HEBREW)).toEqual({ text: HEBREW, ...isolated });
    expect(await holderOf(page.locator("#people-list"), HEBREW)).toEqual({ text: HEBREW, ...isolated });
    expect(await holderOf(page.locator("#me-name"), "alice")).toEqual({ text: "alice", ...isolated });
    mallory.send({ type: "typing" });
    await expect(page.locator("#typing")).toHaveText(`${HEBREW} is typing…`);
    expect(await holderOf(page.locator("#typing"), HEBREW)).toEqual({ text: HEBREW, ...isolated });

    // And on screen (left to right, as the page is): the override stays inside its message, so
    // the next message reads in order; a Hebrew message is right-to-left, its "!" at its left end;
    // each name stays before its time, and a right-to-left name does not pull the time's digits
    // in front of it (as "mallory is now 2:45 םולש AM" would).
    const next = rows.nth(1).locator(".text");
    expectLeftOf(await textBox(next, "next"), await textBox(next, "message"), "next message in order");
    const hebrew = rows.nth(2).locator(".text");
    expectLeftOf(await textBox(hebrew, "!"), await textBox(hebrew, HEBREW), "a Hebrew message's ! at its left end");
    const named = [[rows.nth(0), "mallory", "1st message"], [rows.nth(1), "bob", "2nd message"], [rows.nth(2), HEBREW, "3rd message"], [renamed, HEBREW, "rename line"]] as const;
    for (const [row, name, where] of named) {
      const time = (await row.locator("time").boundingBox())!;
      expectLeftOf(await textBox(row, name), { left: time.x }, `${where}: ${name} before the time`);
    }
  } finally {
    mallory.close();
    bob.close();
  }
});

/** `a` is drawn wholly left of `b` (give or take half a pixel of rounding). */
function expectLeftOf(a: { right: number }, b: { left: number }, what: string): void {
  expect(a.right, what).toBeLessThanOrEqual(b.left + 0.5);
}

/** The element whose text node holds `text` inside `container`: its whole text and its unicode-bidi. */
function holderOf(container: Locator, text: string): Promise<{ text: string; unicodeBidi: string } | null> {
  return container.evaluate((root, text) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const holder = node.parentElement;
      if (holder && node.nodeValue?.includes(text)) return { text: holder.textContent ?? "", unicodeBidi: getComputedStyle(holder).unicodeBidi };
    }
    return null;
  }, text);
}

/** Where `text` (the first text node inside `container` that holds it) is drawn. */
function textBox(container: Locator, text: string): Promise<{ left: number; right: number }> {
  return container.evaluate((root, text) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.nodeValue?.indexOf(text) ?? -1;
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      const box = range.getBoundingClientRect();
      return { left: box.left, right: box.right };
    }
    throw new Error(`no text node holds ${JSON.stringify(text)}`);
  }, text);
}

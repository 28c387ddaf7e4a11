/**
 * Issue 22, points 3 and 7 and the accessibility bar: the page never scrolls sideways at any width
 * from 320 px (with the people drawer hidden, a toolbar shown on one's own message, off its text,
 * a confirmation open), and axe-core finds no serious or critical violation on the main views (the start page,
 * the room with its states, a private conversation, a dialog) in the light and the dark theme.
 * axe's colour-contrast rule computes every text's contrast against what is behind it (WCAG AA),
 * so it checks each pair of colours the views show, in both themes.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { Bot, expect, joinByForm, messageAction, newPerson, rowWithText, say, test, uniqueRoom } from "./support.ts";

const WIDTHS = [320, 360, 390, 600, 800, 1280];

/** How far the page reaches past the window's right edge (0: no horizontal scroll). */
function overflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth);
}

/** The serious and critical violations axe finds on the page as it is now, in a readable form. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}: ${n.failureSummary?.split("\n")[1]?.trim() ?? ""}`));
}

test("no width from 320 px scrolls sideways, whatever is open", async ({ browser }) => {
  const room = uniqueRoom("fit");
  const bob = await Bot.join(room, "bob-with-a-rather-long-name-too");
  const alice = await newPerson(browser);
  try {
    await joinByForm(alice.page, "alice", room);
    await bob.say(`a link https://example.com/${"very-long-path-".repeat(8)} and a word ${"x".repeat(120)}`);
    await say(alice.page, "my own message, to hover");
    const own = rowWithText(alice.page, "my own message");
    for (const width of WIDTHS) {
      await alice.page.setViewportSize({ width, height: 760 });
      expect(await overflow(alice.page), `${width} px, nothing open`).toBe(0);
      // The toolbar of one's own message (hover on a mouse, as a person does).
      await own.locator(".bubble").hover();
      await expect(own.locator(".actions")).toBeVisible();
      const toolbar = (await own.locator(".actions").boundingBox())!;
      expect(toolbar.x, `${width} px: the toolbar starts on screen`).toBeGreaterThanOrEqual(0);
      expect(toolbar.x + toolbar.width, `${width} px: the toolbar ends on screen`).toBeLessThanOrEqual(width);
      expect(await overflow(alice.page), `${width} px, toolbar shown`).toBe(0);
      // Point 7: it stands at the message's corner, off the text it acts on.
      const text = (await own.locator(".text").boundingBox())!;
      expect(toolbar.y + toolbar.height, `${width} px: the toolbar stays off the text`).toBeLessThanOrEqual(text.y);
      // A confirmation open over it.
      await messageAction(alice.page, own, "Delete");
      const confirm = alice.page.getByRole("dialog", { name: "Delete this message?" });
      await expect(confirm).toBeVisible();
      const box = (await confirm.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      expect(await overflow(alice.page), `${width} px, confirmation open`).toBe(0);
      await confirm.getByRole("button", { name: "Cancel" }).click();
      await alice.page.mouse.move(0, 0);
    }
  } finally {
    bob.close();
    await alice.context.close();
  }
});

test("axe finds no serious violation on the main views, in the light and the dark theme", async ({ browser }) => {
  test.slow();
  const room = uniqueRoom("axe");
  const [alice, bob] = [await newPerson(browser), await newPerson(browser)];
  try {
    await joinByForm(bob.page, "bob", room);
    for (const scheme of ["light", "dark"] as const) {
      await alice.page.emulateMedia({ colorScheme: scheme });
      await alice.page.goto("/");
      await expect(alice.page.locator("#landing")).toBeVisible();
      expect(await seriousViolations(alice.page), `start page, ${scheme}`).toEqual([]);
    }
    await joinByForm(alice.page, "alice", room);
    // The room with what a conversation holds: a mention, formatting, a reaction, a reply, a private message.
    await say(bob.page, "hello @alice, **welcome** to the `room`");
    await say(alice.page, "> a quote\nthanks, see www.example.com");
    await messageAction(bob.page, rowWithText(bob.page, "thanks, see"), "React");
    await bob.page.getByRole("dialog", { name: "React" }).getByRole("button", { name: "thumbs up" }).click();
    await say(bob.page, "/msg alice just between us");
    await expect(alice.page.locator("#conversations-list .unread-badge")).toHaveText("1");
    for (const scheme of ["light", "dark"] as const) {
      await alice.page.emulateMedia({ colorScheme: scheme });
      expect(await seriousViolations(alice.page), `room, ${scheme}`).toEqual([]);
    }
    await alice.page.locator("#conversations-list").getByRole("button", { name: /bob/ }).click();
    await expect(alice.page.locator("#view-bar")).toBeVisible();
    for (const scheme of ["light", "dark"] as const) {
      await alice.page.emulateMedia({ colorScheme: scheme });
      expect(await seriousViolations(alice.page), `private conversation, ${scheme}`).toEqual([]);
    }
    await alice.page.getByRole("button", { name: /^Back to/ }).click();
    await alice.page.locator("#people-list").getByRole("button", { name: /^bob/ }).click();
    await expect(alice.page.getByRole("dialog", { name: "bob" })).toBeVisible();
    for (const scheme of ["light", "dark"] as const) {
      await alice.page.emulateMedia({ colorScheme: scheme });
      expect(await seriousViolations(alice.page), `person menu, ${scheme}`).toEqual([]);
    }
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

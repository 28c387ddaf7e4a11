/**
 * Makes the README's screenshots of a room (light and dark, desktop and phone width) in docs/.
 * Run with `npm run screenshots`; it starts its own dev server and stops it after.
 */
import { chromium, type Browser } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { startDevServer } from "../../scripts/dev-server.ts";
import { chromiumLaunchOptions } from "./browser.ts";
import { Bot } from "./support.ts";

const DOCS = fileURLToPath(new URL("../../docs/", import.meta.url));
const VIEWS = [
  { file: "screenshot-light.png", colorScheme: "light", viewport: { width: 1200, height: 760 } },
  { file: "screenshot-dark.png", colorScheme: "dark", viewport: { width: 1200, height: 760 } },
  { file: "screenshot-phone-light.png", colorScheme: "light", viewport: { width: 360, height: 740 } },
  { file: "screenshot-phone-dark.png", colorScheme: "dark", viewport: { width: 360, height: 740 } },
] as const;

const server = await startDevServer();
const browser = await chromium.launch(chromiumLaunchOptions());
try {
  const room = "design-review";
  const token = randomBytes(32).toString("base64url");
  // Alice (the reader) joins first, so the others' arrivals show as one collapsed join line.
  const first = await openAs(browser, server.url, token, "light", VIEWS[0].viewport, room);
  const bob = await Bot.join(room, "Bob", server.url);
  const mei = await Bot.join(room, "美玲", server.url);
  const sam = await Bot.join(room, "sam", server.url);
  const alice = await waitForSelf(first, "Alice");
  const build = await bob.say("Morning! The new build is up on staging 🎉");
  await bob.say("Release notes: https://example.com/releases/2.4 (**read the migration part** before `npm ci`)");
  await say(first, "Nice. I'll run through the checklist after standup.");
  // Reactions, a reply with its quote and an edit, as in a live room.
  for (const [bot, emoji] of [[mei, "🎉"], [sam, "🎉"], [mei, "🚀"]] as const) {
    const id = randomBytes(9).toString("base64url");
    bot.send({ type: "react", id, target: Number(build.seq), emoji, on: true });
    await bot.next("react", (f) => f.id === id);
  }
  await mei.say("@Alice could you look at the dark theme contrast on the settings page?");
  await say(first, "On it. Which screen size did you see it on?");
  const question = await mei.next("message", (f) => f.text === "On it. Which screen size did you see it on?");
  mei.send({ type: "say", id: "reply-1", text: "Phones, 360 px wide. Screenshot in the ticket.", replyTo: question.seq });
  await mei.next("message", (f) => f.id === "reply-1");
  const heads = await sam.say("Heads-up: I'm deploying the API at 11:30.");
  sam.send({ type: "edit", id: "edit-1", target: heads.seq, text: "Heads-up: I'm deploying the API at 11:30, expect a short reconnect." });
  await sam.next("edit", (f) => f.id === "edit-1");
  await bob.say("Can you check the rollout numbers before lunch?", alice.id);
  await say(first, "Sure, will do.", "Bob");
  await first.context().close();

  for (const view of VIEWS) {
    const page = await openAs(browser, server.url, token, view.colorScheme, view.viewport, room);
    await waitForSelf(page, "Alice");
    await page.locator("#messages li.msg:not([hidden])").last().waitFor();
    // Someone typing, as in a live room.
    // The room passes one typing notice per user per 2 s: repeat until one gets through.
    const typing = page.locator("#typing").filter({ hasText: "typing" });
    for (let tries = 0; !(await typing.isVisible()); tries++) {
      if (tries === 20) throw new Error("no typing line");
      sam.send({ type: "typing" });
      await typing.waitFor({ timeout: 500 }).catch(() => undefined);
    }
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: `${DOCS}${view.file}` });
    console.log(`wrote docs/${view.file}`);
    await page.context().close();
  }
  for (const bot of [bob, mei, sam]) bot.close();
} finally {
  await browser.close();
  await server.stop();
}

async function openAs(browser: Browser, base: string, token: string, colorScheme: "light" | "dark", viewport: { width: number; height: number }, room: string) {
  const context = await browser.newContext({
    baseURL: base,
    colorScheme,
    viewport,
    deviceScaleFactor: viewport.width < 500 ? 2 : 1,
    storageState: {
      cookies: [],
      origins: [{ origin: base, localStorage: [{ name: "edge-chat:token", value: token }, { name: "edge-chat:name", value: "Alice" }] }],
    },
  });
  const page = await context.newPage();
  await page.goto(`/r/${room}`);
  return page;
}

async function waitForSelf(page: import("@playwright/test").Page, name: string) {
  await page.locator("#me-name").filter({ hasText: name }).waitFor();
  await page.locator("#banner").waitFor({ state: "hidden" });
  // The page does not show user ids; the bots learn Alice's from the people list.
  const users = await page.locator("#people-list button[data-id]").evaluateAll((buttons) =>
    buttons.map((b) => ({ id: (b as HTMLElement).dataset.id!, name: b.querySelector(".person-name")?.textContent ?? "" })),
  );
  const self = users.find((u) => u.name === name);
  if (!self) throw new Error(`${name} is not in the people list`);
  return self;
}

/** Says `text` in the room, or privately with `/msg` (its conversation opens; the page then goes back to the room). */
async function say(page: import("@playwright/test").Page, text: string, privateTo?: string) {
  const box = page.locator("#composer-input");
  await box.fill(privateTo ? `/msg ${privateTo} ${text}` : text);
  await box.press("Enter");
  await page.locator("#pending li").first().waitFor({ state: "detached" }).catch(() => undefined);
  await page.locator("#messages li.msg .text", { hasText: text }).waitFor();
  if (privateTo) await page.locator("#view-back").click();
}

/**
 * The XSS corpus (xss-payloads.ts) in the real page: other clients send every payload as a message
 * and as a name; the page must run none of them and show each as its literal text.
 *
 * Execution is watched for in several independent ways (see `armAlarms`): a `__xss(N)` tripwire
 * that every payload calls if it runs, wrapped alert/confirm/prompt plus the `dialog` event, a
 * MutationObserver for any element or `on*` attribute the page never makes itself, every script
 * the browser compiles from the document (DevTools `Debugger.scriptParsed`: inline handlers and
 * inline scripts show up there even when they call nothing), page errors and console errors,
 * requests (an `<img src=x>` or a CSS `url()` would fetch) and frames (an `<iframe>` would
 * attach). "The alarms go off when a payload does become markup" proves that they can fail.
 */
import type { BrowserContext, Page } from "@playwright/test";
import { nameKey } from "@edge-chat/protocol/names";
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { baseUrl, Bot, expect, joinByForm, newPerson, test, uniqueRoom } from "./support.ts";
import { armAlarms, auditDom, fireEverything, redrawFromRoom, expectNothingRan, staticElementCounts, textsOf, watchedPerson } from "./xss-alarms.ts";
import { NAMES, REFUSED_NAMES, RENAMES, TEXTS, TOO_LONG_TEXT } from "./xss-payloads.ts";

/** Sends a hello with `name` on a raw socket and returns the code of the error it gets (or the frame type). */
async function helloAnswer(room: string, name: string): Promise<string> {
  const ws = new WebSocket(`${baseUrl().replace(/^http/, "ws")}/api/rooms/${room}/ws`);
  try {
    const text = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer to hello within 10 s")), 10_000);
      ws.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.once("open", () => ws.send(JSON.stringify({ type: "hello", token: randomBytes(24).toString("base64url"), name })));
      ws.on("message", (data) => {
        if (String(data) === "pong") return;
        clearTimeout(timer);
        resolve(String(data));
      });
    });
    let frame = JSON.parse(text) as { type: string; code?: string; frames?: { type: string; code?: string }[] };
    if (frame.type === "batch" && frame.frames?.[0]) frame = frame.frames[0];
    return frame.type === "error" ? String(frame.code) : frame.type;
  } finally {
    ws.close();
  }
}

/**
 * Hovers over every link for real, and clicks the first link of each message for real (skipping a
 * link whose href was already clicked). Each click opens a tab, and a tab is slow to start on a busy
 * shared machine (≈ 10 s each at a load of 20): the clicks come one after the other, and the tabs
 * are then awaited together, so that their starts overlap. Returns the hrefs clicked, in order,
 * and where each new tab went and whether it could reach the chat through `window.opener`.
 */
async function hoverAndClickLinks(page: Page, context: BrowserContext): Promise<{ hrefs: string[]; tabs: { opened: string; opener: boolean }[] }> {
  const links = page.locator("#messages li.msg .text a");
  const count = await links.count();
  for (let i = 0; i < count; i++) await links.nth(i).hover();
  const rows = page.locator("#messages li.msg").filter({ has: page.locator(".text a") });
  const opened: Page[] = [];
  const onTab = (tab: Page) => opened.push(tab);
  context.on("page", onTab);
  try {
    const hrefs: string[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const link = rows.nth(i).locator(".text a").first();
      const href = (await link.getAttribute("href")) ?? "";
      if (hrefs.includes(href)) continue;
      hrefs.push(href);
      await link.click();
    }
    await expect.poll(() => opened.length, { timeout: 60_000 }).toBe(hrefs.length);
    const tabs = await Promise.all(
      opened.map(async (tab) => {
        await tab.waitForLoadState("domcontentloaded", { timeout: 60_000 });
        return { opened: tab.url(), opener: await tab.evaluate(() => window.opener !== null) };
      }),
    );
    return { hrefs, tabs };
  } finally {
    context.off("page", onTab);
    await Promise.all(opened.map((tab) => tab.close()));
  }
}

/**
 * The conversation shows exactly the corpus's texts, in order, each as its literal (trimmed) text
 * under its author's literal name, each made of text nodes, mention marks and the expected
 * http(s) links only, and every link's text is where it goes.
 */
async function expectConversation(page: Page, authors: string[]): Promise<void> {
  expect(await textsOf(page, "#messages li.msg .text")).toEqual(TEXTS.map((p) => p.shown ?? p.text.trim()));
  expect(await textsOf(page, "#messages li.msg .author")).toEqual(authors);
  const rows = await page.locator("#messages li.msg .text").evaluateAll((elements) =>
    elements.map((element) => ({
      // Every element inside the text, at any depth, is formatting the payload asked for, a link or a mention mark.
      formatting: [...element.querySelectorAll("*")].map((e) => e.tagName).filter((n) => n !== "A" && n !== "MARK"),
      // A link or a mention holds exactly one text node, nothing else.
      inner: [...element.querySelectorAll("a, mark")].filter((e) => e.childNodes.length !== 1 || !(e.firstChild instanceof Text)).length,
      links: [...element.querySelectorAll("a")].map((a) => a.getAttribute("href") ?? ""),
      // A link goes where its text says (a bare www. link by http:).
      faithful: [...element.querySelectorAll("a")].every((a) => {
        const text = a.textContent ?? "";
        return new URL(/^www\./i.test(text) ? `http://${text}` : text).href === a.getAttribute("href");
      }),
    })),
  );
  expect(rows).toEqual(TEXTS.map((p) => ({ formatting: p.formatting ?? [], inner: 0, links: p.links ?? [], faithful: true })));
  expect(await page.locator("#messages mark.mention").allTextContents()).toEqual(["@alice"]);
}

const codePoints = (s: string) => [...s].length;
const CONTROL = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
// Default-ignorable code points other than the three emoji need (U+200D, U+FE0E, U+FE0F).
const INVISIBLE = /(?![\u200D\uFE0E\uFE0F])\p{Default_Ignorable_Code_Point}/u;

test("every name in the corpus fits the protocol's name rules, and every refused one breaks them", () => {
  for (const name of [...NAMES, ...RENAMES]) {
    const trimmed = name.trim();
    expect(codePoints(trimmed), name).toBeGreaterThanOrEqual(1);
    expect(codePoints(trimmed), name).toBeLessThanOrEqual(32);
    expect(CONTROL.test(trimmed), name).toBe(false);
    expect(INVISIBLE.test(trimmed), name).toBe(false);
  }
  for (const name of REFUSED_NAMES) {
    const trimmed = name.trim();
    const breaks = codePoints(trimmed) < 1 || codePoints(trimmed) > 32 || CONTROL.test(trimmed) || INVISIBLE.test(trimmed);
    expect(breaks, JSON.stringify(name)).toBe(true);
  }
  const all = [...NAMES, ...RENAMES, "alice", "renamer"].map((n) => nameKey(n.trim()));
  expect(new Set(all).size, "names are unique in the room, as the room compares them").toBe(all.length);
  for (const { text } of TEXTS) expect(codePoints(text.trim())).toBeLessThanOrEqual(2000);
  expect(codePoints(TOO_LONG_TEXT)).toBe(2001);
});

test("the alarms go off when a payload does become markup", async ({ browser }) => {
  const person = await newPerson(browser);
  try {
    const { page } = person;
    const { alarms, watch } = await armAlarms(page);
    // The alarms are on trial here, not the page: served with its policy (public/_headers), the
    // page would not run these handlers at all (content-policy.spec.ts shows that), so this page
    // comes without it.
    await page.route("**/*", async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers["content-security-policy"];
      await route.fulfill({ response, headers });
    });
    await page.goto("/");
    await watch();
    const before = await staticElementCounts(page);
    // What a careless renderer would do with three of the corpus's texts.
    await page.evaluate((html) => {
      const li = document.createElement("li");
      li.innerHTML = html;
      document.querySelector("#messages")!.append(li);
    }, [8, 17, 44].map((n) => TEXTS[n - 1]!.text).join(" "));
    await expect.poll(() => alarms.executed).toContain("__xss(8)");
    expect(await fireEverything(page)).toBeGreaterThan(0);
    await expect.poll(() => alarms.executed).toContain("__xss(17)");
    expect(alarms.markup).toEqual(expect.arrayContaining(["<img> added", "onerror on <img>", "<b> added", "onmouseover on <b>", `href="javascript:__xss(44)"`]));
    expect(alarms.scripts.length, "the inline handlers were compiled from the document").toBeGreaterThanOrEqual(2);
    expect(alarms.requests.some((url) => url.endsWith("/x")), "the image was fetched").toBe(true);
    expect(await staticElementCounts(page)).not.toEqual(before);
    expect(await auditDom(page)).toEqual(
      expect.arrayContaining([
        "onerror attribute on <img>",
        "onmouseover attribute on <b>",
        `href="javascript:__xss(44)" on <a>`,
        "link to javascript:__xss(44)",
        "<img> inside #messages",
        "link without rel=noopener: javascript:__xss(44)",
      ]),
    );
    // The rendered text is no longer the payload.
    expect(await textsOf(page, "#messages li")).not.toContain(TEXTS[7]!.text);
  } finally {
    await person.context.close();
  }
});

test("no payload of the corpus runs, whether sent as a message or as a name, and each shows as its literal text", async ({ browser }) => {
  // Its ~20 real hovers and clicks take 2–6 s each on a busy shared machine: it ran past the 90 s
  // limit in two full runs at a load of 12–15 (24–47 s alone, with or without the page's policy).
  test.slow();
  const room = uniqueRoom("xss-corpus");
  // Links open new tabs; anything outside the dev server answers with a blank page of our own.
  const { page, context, alarms, watch, pause } = await watchedPerson(browser);
  const bots: Bot[] = [];
  try {
    await joinByForm(page, "alice", room);
    await watch();
    const baseline = await staticElementCounts(page);

    // Names: one bot per name, each joining while the page watches.
    const names = NAMES.map((n) => n.trim());
    for (const [i, name] of NAMES.entries()) {
      const bot = await Bot.join(room, name);
      expect(bot.self.name, "the room keeps the name as sent, trimmed").toBe(names[i]);
      bots.push(bot);
    }
    // One more renames itself through the rename payloads, then tries the refused names.
    const renamer = await Bot.join(room, "renamer");
    bots.push(renamer);
    let current = "renamer";
    const renameLines: string[] = [];
    for (const name of RENAMES) {
      renamer.send({ type: "rename", name });
      const echo = await renamer.next("rename", (f) => (f.user as { id: string }).id === renamer.self.id);
      expect((echo.user as { name: string }).name).toBe(name.trim());
      renameLines.push(`${current} is now ${name.trim()}`);
      current = name.trim();
    }
    for (const name of REFUSED_NAMES.slice(0, 4)) {
      renamer.send({ type: "rename", name });
      expect((await renamer.next("error")).code, `rename to ${JSON.stringify(name)}`).toBe("name_invalid");
    }
    const refusedHellos = await Promise.all(REFUSED_NAMES.map((name) => helloAnswer(room, name)));
    expect(refusedHellos).toEqual(REFUSED_NAMES.map(() => "name_invalid"));

    // Texts: spread over the bots (each stays far below its rate bucket), one after the other.
    const authors: string[] = [];
    for (const [i, { text }] of TEXTS.entries()) {
      const bot = bots[i % bots.length]!;
      const echo = await bot.say(text);
      expect(echo.text, `the room stores text ${i + 1} trimmed`).toBe(text.trim());
      authors.push(bot === renamer ? current : names[i % bots.length]!);
    }
    const tooLongId = randomBytes(9).toString("base64url");
    bots[0]!.send({ type: "say", id: tooLongId, text: TOO_LONG_TEXT });
    expect((await bots[0]!.next("error", (f) => f.ref === tooLongId)).code).toBe("too_long");

    // The page shows every text live, in order, exactly as stored, and nothing else.
    await expect(page.locator("#messages li.msg")).toHaveCount(TEXTS.length);
    await expectConversation(page, authors);
    // The joins came one after the other: one collapsed line, which names each of them literally once expanded.
    const presence = page.locator("#messages li.presence-line");
    await expect(presence).toHaveCount(1);
    await presence.getByRole("button", { name: "show all" }).click();
    expect(await textsOf(page, "#messages li.presence-line > span > bdi")).toEqual([...names, "renamer"]);
    await expect(presence.locator("> span")).toHaveText(/ joined$/);
    expect(await textsOf(page, "#messages li.system:not(.presence-line) > span")).toEqual(renameLines);
    expect(await textsOf(page, "#people-list .person-name")).toEqual(expect.arrayContaining([...names, current, "alice"]));
    expect(await page.locator("#people-list .person-name").count()).toBe(names.length + 2);
    expect(await textsOf(page, "#announcer p")).toEqual(TEXTS.slice(-5).map((p, i) => `${authors.at(i - 5)}: ${p.shown ?? p.text.trim()}`));


    // A name in the typing line, in the person's menu, and in a private conversation's bar and banner stays text too.
    bots[0]!.send({ type: "typing" });
    await expect.poll(() => page.locator("#typing").textContent()).toBe(`${names[0]} is typing…`);
    const chips = await page.evaluate((ids) => {
      const out: { menu: string; bar: string; chip: string; placeholder: string }[] = [];
      for (const id of ids) {
        document.querySelector<HTMLButtonElement>(`#people-list button[data-id="${id}"]`)!.click();
        const menu = document.querySelector("#moderate-name")!.textContent ?? "";
        document.querySelector<HTMLButtonElement>("#person-actions button")!.click();
        const input = document.querySelector<HTMLTextAreaElement>("#composer-input")!;
        out.push({ menu, bar: document.querySelector("#view-name")!.textContent ?? "", chip: document.querySelector("#private-name")!.textContent ?? "", placeholder: input.placeholder });
        document.querySelector<HTMLButtonElement>("#view-back")!.click();
      }
      return out;
    }, bots.map((b) => b.self.id));
    expect(chips).toEqual([...names, current].map((n) => ({ menu: n, bar: n, chip: n, placeholder: `Private message to ${n}` })));
    expect(await textsOf(page, "#conversations-list .person-name")).toEqual(expect.arrayContaining([...names, current]));

    // Interaction: every handler a payload could have brought, then a real hover on each link and a real click on links.
    expect(await fireEverything(page)).toBeGreaterThan(1000);
    const { hrefs, tabs } = await hoverAndClickLinks(page, context);
    expect(hrefs).toEqual([...new Set(TEXTS.flatMap((p) => p.links?.slice(0, 1) ?? []))]);
    // Every href clicked is distinct: the tabs, in whatever order they started, went to exactly those.
    expect(tabs.map((tab) => tab.opened).sort(), "each link opens where its href says").toEqual([...hrefs].sort());
    for (const { opened, opener } of tabs) expect(opener, `${opened} opened without a way back to the chat`).toBe(false);
    expect(await auditDom(page)).toEqual([]);

    // The same texts and names drawn again from a welcome (a reload) and from history (scrollback).
    await redrawFromRoom(page, "alice", TEXTS.length, { watch, pause });
    await expectConversation(page, authors);
    expect(await textsOf(page, "#people-list .person-name")).toEqual(expect.arrayContaining([...names, current, "alice"]));
    expect(await fireEverything(page)).toBeGreaterThan(1000);

    // The leaves are told after the reconnect grace period, in one collapsed line that names everyone literally too.
    for (const bot of bots.splice(0)) bot.close();
    await expect(page.locator("#people-list .person-name")).toHaveCount(1);
    const leaves = page.locator("#messages li.presence-line").last();
    await leaves.getByRole("button", { name: "show all" }).click({ timeout: 45_000 });
    await expect(leaves.locator("> span")).toHaveText(/ left$/);
    await expect
      .poll(() => textsOf(page, "#messages li.presence-line:last-child > span > bdi").then((lines) => lines.sort()), { timeout: 30_000 })
      .toEqual([...names, current].sort());

    // Nothing ran, nothing became markup, and the page holds no script URL anywhere.
    await expectNothingRan(page, alarms, baseline);
  } finally {
    for (const bot of bots) bot.close();
    await context.close();
  }
});

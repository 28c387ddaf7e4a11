/**
 * The XSS corpus through the message lifecycle: every text arrives as an edit of a harmless
 * message, and again as the quote of a reply to it; reactions carry markup-like emoji; the
 * person's own reply chip shows a quote too. Nothing may run or become markup, live or redrawn.
 */
import { LIMITS, truncateCodePoints } from "@edge-chat/protocol";
import { normalizeEmoji } from "@edge-chat/protocol/validate";
import { Bot, expect, joinByForm, messageAction, test, uniqueRoom } from "./support.ts";
import { auditDom, fireEverything, redrawFromRoom, expectNothingRan, staticElementCounts, textsOf, watchedPerson } from "./xss-alarms.ts";
import { TEXTS } from "./xss-payloads.ts";

/** Reactions that look like markup yet pass the protocol's emoji rule (1–16 code points, no spaces). */
const EMOJIS = ["<b>x</b>", "<img/src=x>", "<svg/onload=1>", "&lt;i&gt;", `"><s>`, "javascript:1", "</li><p>", "{{7*7}}", "${1}", "<!--", "👍", "👨‍👩‍👧"];

test("no payload runs when it arrives as an edit, as a reply's quote or as a reaction, and each shows as its literal text", async ({ browser }) => {
  test.setTimeout(150_000);
  for (const emoji of EMOJIS) expect(normalizeEmoji(emoji), emoji).toBe(emoji);
  const room = uniqueRoom("xss-lifecycle");
  const { page, context, alarms, watch, pause } = await watchedPerson(browser);
  // Each bot stays below its bucket's burst of 20 (three actions per text, over 20 bots).
  const bots = await Promise.all(Array.from({ length: 20 }, (_, i) => Bot.join(room, `editor-${i}`)));
  try {
    await joinByForm(page, "alice", room);
    await watch();
    const baseline = await staticElementCounts(page);

    const stored = TEXTS.map((p) => p.text.trim());
    for (const [i, text] of stored.entries()) {
      const author = bots[i % bots.length]!;
      const original = await author.say(`harmless ${i}`);
      const editId = `e-${i}`;
      author.send({ type: "edit", id: editId, target: original.seq, text: TEXTS[i]!.text });
      expect((await author.next("edit", (f) => f.id === editId)).text).toBe(text);
      const replier = bots[(i + 7) % bots.length]!;
      const replyId = `r-${i}`;
      replier.send({ type: "say", id: replyId, text: `re ${i}`, replyTo: original.seq });
      const reply = await replier.next("message", (f) => f.id === replyId);
      expect((reply.replyTo as { text: string }).text).toBe(truncateCodePoints(text, LIMITS.quote));
    }
    const first = Number(await page.locator("#messages li.msg").first().getAttribute("data-seq"));
    for (const [i, emoji] of EMOJIS.entries()) {
      const bot = bots[(i + 13) % bots.length]!;
      bot.send({ type: "react", id: `x-${i}`, target: first, emoji, on: true });
      await bot.next("react", (f) => f.id === `x-${i}`);
    }

    const expectLifecycle = async () => {
      await expect(page.locator("#messages li.msg")).toHaveCount(stored.length * 2);
      expect(await textsOf(page, "#messages li.msg .text")).toEqual(stored.flatMap((_, i) => [TEXTS[i]!.shown ?? stored[i]!, `re ${i}`]));
      expect(await textsOf(page, "#messages li.msg .quote .quote-text")).toEqual(stored.map((text) => truncateCodePoints(text, LIMITS.quote)));
      expect(await textsOf(page, "#messages li.msg .quote .quote-author")).toEqual(stored.map((_, i) => `editor-${i % bots.length}`));
      expect(await page.locator("#messages li.msg .edited")).toHaveCount(stored.length);
      expect(await textsOf(page, "#messages li.msg .reaction .emoji")).toEqual(EMOJIS);
      expect(await page.locator("#messages mark.mention").allTextContents()).toEqual(["@alice"]);
    };
    await expectLifecycle();

    // Her own reply chip quotes payloads as text too (each is taken away again with Escape).
    for (const n of [1, 8, 44, 83]) {
      const row = page.locator("#messages li.msg").nth((n - 1) * 2);
      await messageAction(page, row, "Reply");
      await expect(page.locator("#composer-mode-text")).toHaveText(`Replying to editor-${(n - 1) % bots.length}: ${truncateCodePoints(stored[n - 1]!, 80)}`);
      await page.keyboard.press("Escape");
      await expect(page.locator("#composer-mode")).toBeHidden();
    }

    expect(await fireEverything(page)).toBeGreaterThan(1000);
    expect(await auditDom(page)).toEqual([]);

    // Drawn again from the room's folded state (a welcome, then history pages).
    await redrawFromRoom(page, "alice", stored.length * 2, { watch, pause });
    await expectLifecycle();
    expect(await fireEverything(page)).toBeGreaterThan(1000);
    await expectNothingRan(page, alarms, baseline);
  } finally {
    for (const bot of bots) bot.close();
    await context.close();
  }
});

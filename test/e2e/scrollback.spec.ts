/** Long rooms: older pages load when scrolling up, and new messages wait behind a jump button. */
import { Bot, expect, expectMessages, joinByForm, newPerson, test, uniqueRoom } from "./support.ts";

test("scrolling to the top loads older pages until the start of the room", async ({ browser }) => {
  const room = uniqueRoom("scroll");
  // Each bot has its own rate bucket (burst 20), so seven of them fill the room quickly.
  const bots = await Promise.all(Array.from({ length: 7 }, (_, i) => Bot.join(room, `bot${i}`)));
  const texts = Array.from({ length: 130 }, (_, i) => `message ${i + 1}`);
  for (let i = 0; i < texts.length; i++) await bots[Math.floor(i / 20)]!.say(texts[i]!);

  const alice = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);
  const rows = alice.page.locator("#messages li.msg");
  await expect(rows.last()).toContainText("message 130");
  const scroller = alice.page.locator("#scroller");
  // Each scroll to the top asks for the next older page of 50: 50, 100, then 130. A slow answer
  // can be overtaken by the next scroll, so two pages may land between two looks; every count
  // seen must still be a page boundary.
  const seen: number[] = [];
  await expect(async () => {
    const count = await rows.count();
    if (seen.at(-1) !== count) seen.push(count);
    await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
    expect(count).toBe(130);
  }).toPass({ timeout: 30_000 });
  expect(seen[0]).toBe(50);
  expect(seen.filter((n) => ![50, 100, 130].includes(n))).toEqual([]);
  await expectMessages(alice.page, texts);
  await expect(alice.page.locator("#history-start")).toBeVisible();
  await expect(alice.page.locator("#load-older")).toBeHidden();

  // Scrolled up, a new message does not pull the view down: a button offers the jump.
  await bots[0]!.say("while you read old ones");
  const jump = alice.page.locator("#jump-new");
  await expect(jump).toHaveText("↓ 1 new message");
  await jump.click();
  await expect(jump).toBeHidden();
  await expect(rows.last()).toBeInViewport();
  for (const bot of bots) bot.close();
});

test("clicking the quote of a reply to an old message loads older pages until it is there and focuses it", async ({ browser }) => {
  const room = uniqueRoom("quote-jump");
  const bots = await Promise.all(Array.from({ length: 6 }, (_, i) => Bot.join(room, `bot${i}`)));
  const first = await bots[0]!.say("the very first message");
  for (let i = 1; i <= 110; i++) await bots[Math.floor(i / 20)]!.say(`filler ${i}`);
  bots[5]!.send({ type: "say", id: "late-reply", text: "answering the first one", replyTo: first.seq });
  await bots[5]!.next("message", (f) => f.id === "late-reply");

  const alice = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);
  const reply = alice.page.locator("#messages li.msg").last();
  await expect(reply.locator(".quote")).toContainText("the very first message");
  await expect(alice.page.locator(`#messages li.msg[data-seq="${first.seq}"]`)).toHaveCount(0);
  await reply.locator(".quote").click();
  const target = alice.page.locator(`#messages li.msg[data-seq="${first.seq}"]`);
  await expect(target).toBeFocused({ timeout: 20_000 });
  await expect(target).toBeInViewport();
  for (const bot of bots) bot.close();
});

test("an older page the room refuses as too fast is asked for again by itself, with no further scroll", async ({ browser }) => {
  const room = uniqueRoom("scroll-limited");
  const bots = await Promise.all(Array.from({ length: 3 }, (_, i) => Bot.join(room, `bot${i}`)));
  const texts = Array.from({ length: 60 }, (_, i) => `message ${i + 1}`);
  for (let i = 0; i < texts.length; i++) await bots[Math.floor(i / 20)]!.say(texts[i]!);

  const alice = await newPerson(browser);
  // The room's first answer to a `history` request is a refusal, as when her bucket is empty
  // (sent by the test in the room's place, so the refusal is certain however fast the machine).
  let refused = 0;
  await alice.page.routeWebSocket(/\/api\/rooms\/[^/]+\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (refused === 0 && typeof message === "string" && (JSON.parse(message) as { type: string }).type === "history") {
        refused++;
        ws.send(JSON.stringify({ type: "error", code: "rate_limited", message: "slow down", retryAfterMs: 300 }));
        return;
      }
      server.send(message);
    });
  });
  await joinByForm(alice.page, "alice", room);
  const rows = alice.page.locator("#messages li.msg");
  await expect(rows).toHaveCount(50);
  // One scroll to the top, and no other: the page must try again on its own once told when.
  await alice.page.locator("#scroller").evaluate((el) => el.scrollTo({ top: 0 }));
  await expect.poll(() => refused).toBe(1);
  await expectMessages(alice.page, texts);
  await expect(alice.page.locator("#history-start")).toBeVisible();
  for (const bot of bots) bot.close();
});

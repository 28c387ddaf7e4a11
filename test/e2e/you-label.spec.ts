/**
 * Issue 19, item 12: the page marks its person's own messages, quotes and list entry with their
 * own name and a badge, never with the word "You" in a name's place, so a person who takes the
 * name "You" (anyone may) cannot pass their messages off as yours.
 */
import { Bot, expect, expectMessages, joinByForm, newPerson, rowWithText, say, test, uniqueRoom } from "./support.ts";

test("a person named You is shown as a name, while your own messages show your name and the self badge", async ({ browser }) => {
  const room = uniqueRoom("you");
  const alice = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);
  const you = await Bot.join(room, "You");
  try {
    await say(alice.page, "mine, really");
    const mine = await you.next("message", (f) => f.text === "mine, really");
    await you.say("I am you");
    you.send({ type: "say", id: "quote-of-alice", text: "quoting alice", replyTo: mine.seq });
    await expectMessages(alice.page, ["mine, really", "I am you", "quoting alice"]);

    const own = rowWithText(alice.page, "mine, really");
    await expect(own).toHaveClass(/\bown\b/);
    await expect(own.locator(".author")).toHaveText("alice");
    await expect(own.locator(".self-badge")).toHaveText("you");

    // The impostor's rows: a name in the name's place, on the others' side, without the badge.
    for (const text of ["I am you", "quoting alice"]) {
      const theirs = rowWithText(alice.page, text);
      await expect(theirs).toHaveClass(/\bother\b/);
      await expect(theirs.locator(".meta .author")).toHaveText("You");
      await expect(theirs.locator(".meta .self-badge")).toHaveCount(0);
    }
    // The quote of alice's own message shows her name and the badge; nothing reads "you" as a name.
    const quote = rowWithText(alice.page, "quoting alice").locator(".quote");
    await expect(quote.locator(".quote-author")).toHaveText("alice");
    await expect(quote.locator(".self-badge")).toHaveCount(1);
    await expect(alice.page.locator("#messages .author, #messages .quote-author").filter({ hasText: /^you$/i })).toHaveCount(2);
    await expect(alice.page.locator("#messages .msg.own .author").filter({ hasText: /^you$/i })).toHaveCount(0);

    // The online list: her entry carries the badge, the impostor's does not.
    const people = alice.page.locator("#people-list");
    const entry = (name: string) => people.locator(".person").filter({ has: alice.page.locator(".person-name", { hasText: new RegExp(`^${name}$`) }) });
    await expect(entry("alice").locator(".self-badge")).toHaveCount(1);
    await expect(entry("You")).toHaveCount(1);
    await expect(entry("You").locator(".self-badge")).toHaveCount(0);
  } finally {
    you.close();
  }
});

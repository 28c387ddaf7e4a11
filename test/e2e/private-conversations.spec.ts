/**
 * Issue 22, points 1 and 2: `@name` is a public mention picked from an autocomplete (online people
 * first, by keyboard or by touch), highlighted for the person named; private messages live in
 * private conversations (one per person, opened from the person's menu or with `/msg`), listed
 * with unread counts, unmistakably private before sending, with nothing sticky in the room's box;
 * a private message reaches someone who is away when they return, and the typing of a private
 * conversation reaches nobody.
 */
import { baseUrl, Bot, expect, expectConnected, expectMessages, joinByForm, messageBox, newPerson, say, test, uniqueRoom } from "./support.ts";

const shown = (page: import("@playwright/test").Page) => page.locator("#messages li.msg:visible .text");

test("@ opens an autocomplete of people, a mention stays public and is marked for the one named, and a private conversation is its own timeline", async ({ browser }) => {
  // Four people and some forty steps: 1.3 min on CI, over the default 90 s once on a busy
  // machine while moving steadily (typing a line took 5 s); each step keeps its own 15 s bound.
  test.setTimeout(180_000);
  const room = uniqueRoom("mention");
  const [alice, bob, carol] = [await newPerson(browser), await newPerson(browser), await newPerson(browser)];
  await joinByForm(alice.page, "alice", room);
  await joinByForm(bob.page, "bob", room);
  await joinByForm(carol.page, "carol", room);
  // Someone who is no longer online but spoke here is offered after the people online.
  const dora = await Bot.join(room, "dora");
  await dora.say("hello from dora");
  dora.close();
  await expect(alice.page.locator("#people-count")).toHaveText("3");

  // The autocomplete: online people first (by name), then others the page saw.
  const box = messageBox(alice.page);
  await box.pressSequentially("thanks @");
  const options = alice.page.getByRole("listbox", { name: "People to mention" }).getByRole("option");
  await expect(options.locator(".person-name")).toHaveText(["bob", "carol", "dora"]);
  await expect(options.first()).toHaveAttribute("aria-selected", "true");
  await box.press("ArrowDown");
  await expect(options.nth(1)).toHaveAttribute("aria-selected", "true");
  await box.press("ArrowUp");
  await box.press("Enter");
  await expect(box).toHaveValue("thanks @bob ");
  await box.pressSequentially("for the tea");
  await box.press("Enter");
  // It went to everyone, and only bob sees it marked as his mention.
  await expectMessages(carol.page, ["hello from dora", "thanks @bob for the tea"]);
  await expect(bob.page.locator("#messages li.msg").last()).toHaveClass(/\bmentioned\b/);
  await expect(bob.page.locator("#messages li.msg").last().locator("mark.mention")).toHaveText("@bob");
  await expect(carol.page.locator("#messages li.msg").last()).not.toHaveClass(/\bmentioned\b/);
  // @ at the very start is a mention too, and nothing sticks: the next message is public as well.
  await box.pressSequentially("@car");
  await expect(options.locator(".person-name")).toHaveText(["carol"]);
  await options.first().click();
  await box.pressSequentially("hi");
  await box.press("Enter");
  await say(alice.page, "and hello everyone");
  await expectMessages(bob.page, ["hello from dora", "thanks @bob for the tea", "@carol hi", "and hello everyone"]);
  await expect(alice.page.locator("#private-chip")).toBeHidden();

  // A private conversation, from bob's menu: it says so before anything is sent.
  await alice.page.locator("#people-list").getByRole("button", { name: /^bob/ }).click();
  await alice.page.getByRole("dialog", { name: "bob" }).getByRole("button", { name: "Private conversation with bob" }).click();
  await expect(alice.page.locator("#view-bar")).toContainText("Private with bob");
  await expect(alice.page.locator("#private-chip")).toHaveText(/Private to bob: only the two of you see it/);
  await expect(alice.page.getByRole("button", { name: "Send privately to bob" })).toBeVisible();
  await expect(box).toHaveAttribute("placeholder", "Private message to bob");
  await expect(shown(alice.page)).toHaveCount(0);
  // Typing here reaches nobody: carol sees no typing from alice before bob's next public message.
  await box.pressSequentially("just for you");
  await say(bob.page, "public from bob");
  await expectMessages(carol.page, ["hello from dora", "thanks @bob for the tea", "@carol hi", "and hello everyone", "public from bob"]);
  await expect(carol.page.locator("#typing")).toHaveText("");
  await expect(bob.page.locator("#typing")).toHaveText("");
  await box.press("Enter");
  await expect(shown(alice.page)).toHaveText(["just for you"]);

  // bob: the room's timeline does not show it; the conversation list counts it unread.
  const bobConversation = bob.page.locator("#conversations-list").getByRole("button", { name: /alice/ });
  await expect(bobConversation.locator(".unread-badge")).toHaveText("1");
  await expect(bob.page.locator("#private-unread")).toHaveText("1");
  await expect(shown(bob.page)).not.toContainText(["just for you"]);
  await bobConversation.click();
  await expect(shown(bob.page)).toHaveText(["just for you"]);
  await expect(bobConversation.locator(".unread-badge")).toHaveCount(0);
  // carol never sees it.
  await expect(carol.page.locator("#messages li.msg", { hasText: "just for you" })).toHaveCount(0);
  await expect(carol.page.locator("#conversations")).toBeHidden();

  // /msg from the room's box: one private message, and its conversation opens.
  await alice.page.getByRole("button", { name: /^Back to/ }).click();
  await expect(alice.page.locator("#private-chip")).toBeHidden();
  await say(alice.page, "/msg carol are you coming?");
  await expect(alice.page.locator("#view-bar")).toContainText("Private with carol");
  await expect(shown(alice.page)).toHaveText(["are you coming?"]);
  await expect(carol.page.locator("#conversations-list").getByRole("button", { name: /alice/ }).locator(".unread-badge")).toHaveText("1");
  await say(alice.page, "/msg nobody-here hello");
  await expect(alice.page.locator("#composer-error")).toContainText("Nobody of that name");
  await expect(box).toHaveValue("/msg nobody-here hello");
  await expect(bob.page.locator("#messages li.msg", { hasText: "are you coming?" })).toHaveCount(0);
});

test("a private message to someone who is away waits for them: on their return it is in its conversation, counted unread", async ({ browser }) => {
  const room = uniqueRoom("away");
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);
  await joinByForm(bob.page, "bob", room);
  const bobUrl = bob.page.url();
  // bob opens a conversation with alice, then closes his tab.
  await bob.page.locator("#people-list").getByRole("button", { name: /^alice/ }).click();
  await bob.page.getByRole("button", { name: "Private conversation with alice" }).click();
  await say(bob.page, "ping me later");
  const storage = await bob.context.storageState();
  await bob.context.close();
  await expect(alice.page.locator("#people-count")).toHaveText("1");

  await alice.page.locator("#conversations-list").getByRole("button", { name: /bob/ }).click();
  await expect(shown(alice.page)).toHaveText(["ping me later"]);
  await say(alice.page, "here is your answer");
  await say(alice.page, "and another");
  // Delivered (the outbox is empty), and none refused: on a loaded machine this can take a while.
  await expect(alice.page.locator("#pending li")).toHaveCount(0, { timeout: 30_000 });
  await expect(alice.page.locator("#messages li.msg:visible .state, #pending li.failed")).toHaveCount(0);
  await expect(shown(alice.page)).toHaveText(["ping me later", "here is your answer", "and another"]);

  // bob comes back in a new tab of the same browser: two unread, in the conversation with alice.
  const again = await browser.newContext({ baseURL: baseUrl(), storageState: storage });
  try {
    const page = await again.newPage();
    await page.goto(bobUrl);
    await expectConnected(page, "bob");
    const conversation = page.locator("#conversations-list").getByRole("button", { name: /alice/ });
    await expect(conversation.locator(".unread-badge")).toHaveText("2");
    await expect(shown(page)).toHaveCount(0);
    await conversation.click();
    await expect(shown(page)).toHaveText(["ping me later", "here is your answer", "and another"]);
  } finally {
    await again.close();
  }
});

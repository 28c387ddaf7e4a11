/**
 * Replies, edits, deletes and reactions between two people: each action shows for both at once,
 * survives a reload and a server restart (the ones made while it was down are delivered after),
 * and both end with the same view.
 */
import type { Page } from "@playwright/test";
import { ownDevServer } from "./own-server.ts";
import { aliceAndBob, conversationView, expect, expectConnected, joinByForm, messageAction, messageBox, mineView, newPerson, rowWithText, say, test, uniqueRoom } from "./support.ts";

const server = ownDevServer();

/** Both pages show the same conversation, and it is `expected`. */
async function expectSameView(alice: Page, bob: Page, expected: Awaited<ReturnType<typeof conversationView>>): Promise<void> {
  await expect.poll(() => conversationView(alice)).toEqual(expected);
  await expect.poll(() => conversationView(bob)).toEqual(expected);
}

test("two people reply, react, edit and delete, and see the same conversation after a reload and a server restart", async ({ browser }) => {
  test.setTimeout(180_000);
  const { alice, bob } = await aliceAndBob(browser, "lifecycle", server.url);
  const aliceId = (await alice.page.locator("#people-list button.person").first().getAttribute("data-id")) ?? "";
  const bobId = (await bob.page.locator("#people-list button.person").first().getAttribute("data-id")) ?? "";

  // 1. A question and a reply to it: the reply shows the quote.
  await say(alice.page, "what time is the meeting?");
  // Pointing at a message shows its actions (they are hidden otherwise).
  const question = rowWithText(bob.page, "what time is the meeting?");
  await expect(question.locator(".actions")).toHaveCSS("opacity", "0");
  await question.hover();
  await expect(question.locator(".actions")).toHaveCSS("opacity", "1");
  await messageAction(bob.page, question, "Reply");
  await expect(bob.page.locator("#composer-mode")).toContainText("Replying to alice: what time is the meeting?");
  await say(bob.page, "at 3");
  await expect(bob.page.locator("#composer-mode")).toBeHidden();
  const reply = rowWithText(alice.page, "at 3");
  await expect(reply.locator(".quote")).toContainText("what time is the meeting?");

  // 2. Reactions: alice picks one, bob adds his to the same chip; each sees their own marked.
  await messageAction(alice.page, reply, "React");
  await alice.page.getByRole("dialog", { name: "React" }).getByRole("button", { name: "thumbs up" }).click();
  await expect(rowWithText(bob.page, "at 3").locator(".reaction")).toHaveText(["👍1"]);
  await rowWithText(bob.page, "at 3").locator(".reaction").click();
  await expect(reply.locator(".reaction")).toHaveText(["👍2"]);
  await expect(rowWithText(bob.page, "at 3").locator(".reaction.mine")).toHaveCount(1);
  // A reaction typed by hand is checked first: one with a space, or a word ("lol"), is refused on the page.
  await messageAction(alice.page, reply, "React");
  const picker = alice.page.getByRole("dialog", { name: "React" });
  for (const typed of ["no spaces", "lol"]) {
    await picker.getByLabel("Or type any emoji").fill(typed);
    await picker.getByLabel("Or type any emoji").press("Enter");
    await expect(picker.getByRole("alert")).toContainText("A reaction is an emoji");
    await picker.locator("#react-error").evaluate((e) => (e.textContent = ""));
  }
  await picker.getByLabel("Or type any emoji").fill(" 🦀 ");
  await picker.getByLabel("Or type any emoji").press("Enter");
  await expect(rowWithText(bob.page, "at 3").locator(".reaction")).toHaveText(["👍2", "🦀1"]);

  // 3. Alice edits her question with ↑ in the empty box; bob's reply quotes the new text.
  await messageBox(alice.page).focus();
  await messageBox(alice.page).press("ArrowUp");
  await expect(alice.page.locator("#composer-mode")).toContainText("Editing your message");
  await expect(messageBox(alice.page)).toHaveValue("what time is the meeting?");
  await messageBox(alice.page).fill("what time is the meeting tomorrow?");
  await messageBox(alice.page).press("Enter");
  await expect(rowWithText(bob.page, "tomorrow").locator(".edited")).toHaveAttribute("title", /^edited /);
  await expect(rowWithText(bob.page, "at 3").locator(".quote")).toContainText("what time is the meeting tomorrow?");
  // Escape leaves an edit without saving it and gives the box back.
  await messageBox(alice.page).fill("draft");
  await messageBox(alice.page).fill("");
  await messageBox(alice.page).press("ArrowUp");
  await messageBox(alice.page).fill("never saved");
  await messageBox(alice.page).press("Escape");
  await expect(alice.page.locator("#composer-mode")).toBeHidden();
  await expect(messageBox(alice.page)).toHaveValue("");

  // 4. Bob deletes a message of his: a quiet line for both, no text, no actions.
  await say(bob.page, "typo mesage");
  await messageAction(bob.page, rowWithText(bob.page, "typo mesage"), "Delete");
  await bob.page.getByRole("dialog", { name: "Delete this message?" }).getByRole("button", { name: "Delete" }).click();
  await expect(alice.page.locator("#messages li.msg.deleted")).toHaveText(/message deleted/);
  await expect(alice.page.locator("#messages li.msg.deleted .actions, #messages li.msg.deleted .text")).toHaveCount(0);

  const beforeRestart = [
    { seq: 1, from: aliceId, text: "what time is the meeting tomorrow?", edited: true, quote: null, reactions: [] },
    { seq: 2, from: bobId, text: "at 3", edited: false, quote: "1: what time is the meeting tomorrow?", reactions: ["👍 2", "🦀 1"] },
    { seq: 7, from: bobId, text: "(deleted)", edited: false, quote: null, reactions: [] },
  ];
  await expectSameView(alice.page, bob.page, beforeRestart);

  // 5. A reload draws the same from the room's current state.
  await alice.page.reload();
  await expectConnected(alice.page, "alice");
  await expectSameView(alice.page, bob.page, beforeRestart);
  expect(await mineView(alice.page)).toEqual([[], ["👍", "🦀"], []]);
  expect(await mineView(bob.page)).toEqual([[], ["👍"], []]);

  // 6. The server goes down: alice takes her 🦀 back, adds 🎉, bob edits his reply; all queued.
  await server.stop();
  await expect(alice.page.locator("#banner")).toBeVisible();
  await expect(bob.page.locator("#banner")).toBeVisible();
  await rowWithText(alice.page, "at 3").locator(".reaction", { hasText: "🦀" }).click();
  await messageAction(alice.page, rowWithText(alice.page, "at 3"), "React");
  await alice.page.getByRole("dialog", { name: "React" }).getByRole("button", { name: "party" }).click();
  await expect(rowWithText(alice.page, "at 3").locator(".reaction")).toHaveText(["👍2", "🎉1"]);
  await messageAction(bob.page, rowWithText(bob.page, "at 3"), "Edit");
  await messageBox(bob.page).fill("at 3 pm, room 4");
  await messageBox(bob.page).press("Enter");
  await expect(rowWithText(bob.page, "at 3 pm, room 4").locator(".state")).toHaveText(/^Saving edit: Queued/);

  await server.start();
  await expectConnected(alice.page, "alice");
  await expectConnected(bob.page, "bob");
  const afterRestart = [
    beforeRestart[0]!,
    { seq: 2, from: bobId, text: "at 3 pm, room 4", edited: true, quote: "1: what time is the meeting tomorrow?", reactions: ["👍 2", "🎉 1"] },
    beforeRestart[2]!,
  ];
  await expectSameView(alice.page, bob.page, afterRestart);
  await expect(alice.page.locator("#messages .state")).toHaveCount(0);
  expect(await mineView(alice.page)).toEqual([[], ["👍", "🎉"], []]);
  expect(await mineView(bob.page)).toEqual([[], ["👍"], []]);
  // And once more from scratch, for bob.
  await bob.page.reload();
  await expectConnected(bob.page, "bob");
  await expectSameView(alice.page, bob.page, afterRestart);
});

test("a reply to a private message goes privately to the same person, and a quote jumps to its message", async ({ browser }) => {
  const room = uniqueRoom("reply-private");
  const [alice, bob, carol] = [await newPerson(browser, server.url), await newPerson(browser, server.url), await newPerson(browser, server.url)];
  await joinByForm(alice.page, "alice", room);
  await joinByForm(bob.page, "bob", room);
  await joinByForm(carol.page, "carol", room);
  await alice.page.locator("#people-list").getByRole("button", { name: /^bob/ }).click();
  await alice.page.getByRole("button", { name: "Private conversation with bob" }).click();
  await say(alice.page, "a secret for bob");
  await alice.page.getByRole("button", { name: /^Back to/ }).click();
  await say(alice.page, "a public line");

  // Bob replies to the private one from the keyboard, in its conversation: the reply is private to alice.
  await bob.page.locator("#conversations-list").getByRole("button", { name: /alice/ }).click();
  const secret = rowWithText(bob.page, "a secret for bob");
  await secret.locator(".actions button").first().focus();
  await expect(secret.locator(".actions")).toBeVisible();
  await secret.locator(".actions").getByRole("button", { name: /^Reply/ }).press("Enter");
  await expect(bob.page.locator("#private-chip")).toContainText("Private to alice");
  await expect(bob.page.locator("#composer-mode")).toContainText("Replying to alice");
  await messageBox(bob.page).pressSequentially("secret answer");
  await messageBox(bob.page).press("Enter");
  await alice.page.locator("#conversations-list").getByRole("button", { name: /bob/ }).click();
  const answer = rowWithText(alice.page, "secret answer");
  await expect(answer.locator(".private-label")).toHaveText("private to you");
  await expect(answer.locator(".quote")).toContainText("a secret for bob");
  await expect(carol.page.locator("#messages li.msg .text")).toHaveText(["a public line"]);

  // Clicking the quote moves to the quoted message and focuses it.
  await answer.locator(".quote").click();
  await expect(rowWithText(alice.page, "a secret for bob")).toBeFocused();
  // Escape takes a reply away before it is sent.
  await messageAction(carol.page, rowWithText(carol.page, "a public line"), "Reply");
  await expect(carol.page.locator("#composer-mode")).toBeVisible();
  await messageBox(carol.page).press("Escape");
  await expect(carol.page.locator("#composer-mode")).toBeHidden();
});

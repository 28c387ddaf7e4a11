/** The message box: input methods, the length counter, and a message the room refuses (kept in view with Retry and Remove). */
import { baseUrl, Bot, expect, expectConnected, expectMessages, joinByForm, joinByLink, messageAction, messageBox, newPerson, rowWithText, say, test, uniqueRoom } from "./support.ts";

test("Enter during IME composition does not send; Enter after it does", async ({ browser }) => {
  const room = uniqueRoom("ime");
  const alice = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);
  const box = messageBox(alice.page);
  await box.focus();

  // Chromium's own input-method path: a composition is open while Enter is pressed.
  const cdp = await alice.context.newCDPSession(alice.page);
  await cdp.send("Input.imeSetComposition", { text: "nihao", selectionStart: 5, selectionEnd: 5 });
  await cdp.send("Input.imeSetComposition", { text: "你好", selectionStart: 2, selectionEnd: 2 });
  await alice.page.keyboard.press("Enter");
  // A send would have shown a pending line at once, in the same turn as the key press.
  await expect(alice.page.locator("#pending li")).toHaveCount(0);
  await expect(box).toHaveValue(/^你好/);

  await cdp.send("Input.insertText", { text: "你好" });
  await alice.page.keyboard.press("Enter");
  await expect(box).toHaveValue("");
  // Had the first Enter sent, the composed text would stand here twice (or half-composed first).
  await expectMessages(alice.page, ["你好"]);
});

test("a counter appears near the 2000-character limit and a message over it cannot be sent", async ({ browser }) => {
  const room = uniqueRoom("limit");
  const alice = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);
  const box = messageBox(alice.page);
  const counter = alice.page.locator("#counter");

  await box.fill("x".repeat(1700));
  await expect(counter).toHaveText("");
  await box.fill("x".repeat(1950));
  await expect(counter).toHaveText("50 left");
  await box.fill("x".repeat(2003));
  await expect(counter).toHaveText("3 over the limit");
  await expect(alice.page.getByRole("button", { name: "Send message" })).toBeDisabled();
  await box.press("Enter");
  await expect(box).toHaveValue("x".repeat(2003));

  // Exactly at the limit, counted in code points (an emoji is one).
  await box.fill("😀".repeat(2000));
  await expect(counter).toHaveText("0 left");
  await box.press("Enter");
  await expect(alice.page.locator("#messages li.msg")).toHaveCount(1);
  await say(alice.page, "after");
  await expect(alice.page.locator("#messages li.msg")).toHaveCount(2);
});

test("a message the room refuses stays in view above the box on a phone, with its Retry and Remove", async ({ browser }) => {
  const room = uniqueRoom("refused");
  const bob = await Bot.join(room, "bob");
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: { width: 390, height: 844 } });
  try {
    const target = await bob.say("reply to me while you can");
    for (let i = 1; i <= 12; i++) await bob.say(`filler ${i}: enough lines that the list scrolls`);
    const page = await context.newPage();
    await joinByLink(page, room, "alice");
    await expect(page.locator("#messages li.msg")).toHaveCount(13);
    // A reply written offline to a message bob deletes meanwhile: the room refuses it (not_found).
    await messageAction(page, rowWithText(page, "reply to me while you can"), "Reply");
    await context.setOffline(true);
    await expect(page.locator("#banner")).toContainText("offline");
    await say(page, "my answer, too late");
    bob.send({ type: "delete", id: "gone-1", target: Number(target.seq) });
    await bob.next("delete", (f) => f.id === "gone-1");
    await context.setOffline(false);
    await expectConnected(page, "alice");
    const failed = page.locator("#pending li.failed");
    await expect(failed).toContainText("my answer, too late");
    // Its buttons come to rest on screen, above the message box and the error line, not behind them
    // (both measured at the same moment: the footer grows when the error line appears).
    await expect
      .poll(() =>
        page.evaluate(() => {
          const footer = document.querySelector(".composer-area")!.getBoundingClientRect();
          return [...document.querySelectorAll("#pending li.failed button")].map((b) => {
            const r = b.getBoundingClientRect();
            return `${b.textContent}: ${r.top >= 0 && r.bottom <= footer.top ? "in view" : "hidden"}`;
          });
        }),
      )
      .toEqual(["Retry: in view", "Remove: in view"]);
    await failed.getByRole("button", { name: "Remove" }).click();
    await expect(failed).toHaveCount(0);
  } finally {
    bob.close();
    await context.close();
  }
});

/** The message box: input methods, the length counter, and errors from the room. */
import { expect, test } from "@playwright/test";
import { expectMessages, joinByForm, messageBox, newPerson, say, uniqueRoom } from "./support.ts";

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

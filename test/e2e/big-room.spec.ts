/**
 * A room of a thousand: the page shows the exact count and "and N more" beyond the 100 it lists,
 * announces nobody by name and sends no typing notices while the room is crowded, pages through
 * everyone with the keyboard (each page sorted by role then name, with a search box), and
 * fetches the whole list again once the room is small enough to list.
 */
import { Crowd } from "./crowd.ts";
import { expect, joinByForm, messageBox, newPerson, test, uniqueRoom } from "./support.ts";

test("a person in a room of 1,000 sees everyone counted, pages through the full list with the keyboard, and sees the list again when the crowd leaves", async ({ browser }) => {
  test.setTimeout(120_000);
  const room = uniqueRoom("crowd");
  const crowd = await Crowd.fill(room, 1000);
  try {
    const alice = await newPerson(browser);
    const { page } = alice;
    let typingSent = 0;
    page.on("websocket", (ws) => ws.on("framesent", (frame) => typeof frame.payload === "string" && frame.payload.includes('"type":"typing"') && typingSent++));
    await joinByForm(page, "alice", room);
    await expect(page.locator("#people-count")).toHaveText("1,001");
    await expect(page.locator("#people-list .person")).toHaveCount(100);
    const more = page.locator("#people-more");
    await expect(more).toHaveText("and 901 more");

    // Five more come and go: the count follows (occupancy), nobody is announced by name.
    const late = await crowd.add(5, "late");
    await expect(page.locator("#people-count")).toHaveText("1,006");
    await expect(more).toHaveText("and 906 more");
    await crowd.close(late);
    await expect(page.locator("#people-count")).toHaveText("1,001");
    await expect(page.locator("#messages li.system")).toHaveCount(0);
    // Typing sends nothing while the room is crowded (the room would drop it anyway).
    await messageBox(page).pressSequentially("hello, crowd");
    await expect(messageBox(page)).toHaveValue("hello, crowd");
    expect(typingSent).toBe(0);
    await messageBox(page).fill("");

    // The full list, by keyboard only: open it, page down to a bot near the end, move onto it.
    const target = [...crowd.members].sort((a, b) => (a.id < b.id ? -1 : 1)).at(-3)!;
    await more.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: /Everyone online/ });
    await expect(dialog).toBeVisible();
    // A page has arrived when the list is no longer busy (its number shows as soon as it is asked for).
    const list = dialog.locator("#members-list");
    await expect(dialog.locator("#members-page")).toHaveText("Page 1 of 11");
    await expect(list).toHaveAttribute("aria-busy", "false");
    await expect(dialog.locator("button.person").first()).toBeFocused();
    // The page is sorted by role, then name, and the search box narrows it; ↓ goes back to the list.
    const names = await dialog.locator("button.person .person-name").allTextContents();
    expect(names).toEqual([...names].sort());
    const search = dialog.getByLabel("Search people");
    await search.fill(names[37]!);
    await expect(dialog.locator("button.person .person-name")).toHaveText([names[37]!]);
    await search.fill("");
    await expect(dialog.locator("button.person")).toHaveCount(100);
    await search.press("ArrowDown");
    await expect(dialog.locator("button.person").first()).toBeFocused();
    const targetButton = dialog.locator(`button.person[data-id="${target.id}"]`);
    for (let pageNumber = 2; pageNumber <= 11 && !(await targetButton.isVisible()); pageNumber++) {
      await page.keyboard.press("PageDown");
      await expect(dialog.locator("#members-page")).toHaveText(`Page ${pageNumber} of 11`);
      await expect(list).toHaveAttribute("aria-busy", "false");
      await expect(dialog.locator("button.person").first()).toBeFocused();
    }
    await expect(targetButton).toBeVisible();
    for (let i = 0; i < 100 && !(await targetButton.evaluate((b) => b === document.activeElement)); i++) {
      await page.keyboard.press("ArrowDown");
    }
    await expect(targetButton).toBeFocused();
    await expect(targetButton).toContainText(target.name);
    await page.keyboard.press("PageUp");
    await expect(dialog.locator("#members-page")).not.toHaveText("Page 11 of 11");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(more).toBeFocused();

    // Everyone leaves: once at most 100 are online the page asks for the whole list again.
    await crowd.close();
    await expect(page.locator("#people-count")).toHaveText("1", { timeout: 30_000 });
    await expect(page.locator("#people-list .person-name")).toHaveText(["alice"]);
    await expect(more).toBeHidden();
    await messageBox(page).pressSequentially("anyone?");
    await expect.poll(() => typingSent).toBeGreaterThan(0);
    await alice.context.close();
  } finally {
    await crowd.close();
  }
});

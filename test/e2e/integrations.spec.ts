/**
 * The owner's Integrations dialog (from Settings): make a hook (its URL shown once, with a ready
 * curl line), POST to it from outside the page, and see the message arrive with its hook badge;
 * add a webhook (its secret shown once) and see its state; delete both. A member sees no
 * Integrations button.
 */
import { baseUrl, expect, expectConnected, joinByForm, newPerson, rowWithText, test, uniqueRoom } from "./support.ts";

test("an owner makes a hook in the Integrations dialog, a POST to it shows with a badge, and a webhook shows its state", async ({ browser }) => {
  test.setTimeout(90_000);
  const room = uniqueRoom("integrations");
  const owner = await newPerson(browser);
  const member = await newPerson(browser);
  await joinByForm(owner.page, "owner", room, "Create it as its owner");
  await expect(owner.page.locator("#me-role")).toHaveText("owner");
  await joinByForm(member.page, "member", room);

  await owner.page.locator("#settings-button").click();
  await owner.page.getByRole("button", { name: "Integrations…" }).click();
  const dialog = owner.page.getByRole("dialog", { name: "Integrations" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Name").fill("Deploys");
  await dialog.getByRole("button", { name: "Make a hook" }).click();
  const url = dialog.locator("#hook-url");
  await expect(url).toHaveText(new RegExp(`^${baseUrl()}/api/rooms/${room}/hooks/[A-Za-z0-9_-]{16}/[A-Za-z0-9_-]{43}$`));
  await expect(dialog.locator("#hook-curl")).toContainText(`curl -X POST '${await url.textContent()}'`);
  await expect(dialog.locator("#hook-list li")).toHaveCount(1);
  await expect(dialog.locator("#hook-list li")).toContainText("Deploys");

  // Posted from outside the page, as CI would.
  const posted = await fetch((await url.textContent())!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "build 42 passed" }) });
  expect(posted.status).toBe(200);
  for (const page of [owner.page, member.page]) {
    const row = rowWithText(page, "build 42 passed");
    await expect(row.locator(".author")).toHaveText("Deploys");
    await expect(row.locator(".bot-badge")).toHaveText("hook");
  }

  // A webhook: its secret once, then its state in the list.
  await dialog.getByLabel("URL").fill("http://example.com/hook");
  await dialog.getByRole("button", { name: "Add webhook" }).click();
  await expect(dialog.locator("#integrations-error")).toHaveText(/not accepted/);
  await dialog.getByLabel("URL").fill("http://127.0.0.1:9/chat-events");
  await dialog.getByLabel("reactions").uncheck();
  await dialog.getByRole("button", { name: "Add webhook" }).click();
  await expect(dialog.locator("#webhook-secret")).toHaveText(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const webhookRow = dialog.locator("#webhook-list li");
  await expect(webhookRow).toContainText("http://127.0.0.1:9/chat-events");
  await expect(webhookRow).toContainText("message, edit, delete");
  await expect(webhookRow).toContainText("nothing delivered yet");

  // Deleting both empties the lists; the hook's URL no longer posts.
  await dialog.getByRole("button", { name: "Delete hook Deploys" }).click();
  await expect(dialog.locator("#hook-list li")).toHaveCount(0);
  await dialog.getByRole("button", { name: "Delete webhook http://127.0.0.1:9/chat-events" }).click();
  await expect(dialog.locator("#webhook-list li")).toHaveCount(0);
  const after = await fetch((await url.textContent())!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "too late" }) });
  expect(after.status).toBe(404);
  await dialog.getByRole("button", { name: "Close" }).click();

  // A member's Settings (if any) has no Integrations button.
  await expectConnected(member.page, "member");
  await expect(member.page.locator("#integrations-button")).toBeHidden();
});

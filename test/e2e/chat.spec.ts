/** People chatting in a real browser: the conversation, names, private messages, reloads. */
import { aliceAndBob, expect, expectConnected, expectMessages, joinByForm, joinByLink, messageBox, newPerson, say, test, uniqueRoom } from "./support.ts";

test("two people chat, each seeing the other's messages and their own marked as theirs", async ({ browser }) => {
  const { alice, bob } = await aliceAndBob(browser, "chat");

  await expect(alice.page.locator("#messages li.system")).toContainText(["bob joined"]);
  await expect(alice.page.locator("#messages li.system")).toHaveCount(1);
  await expect(alice.page.locator("#people-count")).toHaveText("2");
  await expect(bob.page.locator("#people-list")).toContainText("alice");

  await say(alice.page, "hi bob");
  await expectMessages(bob.page, ["hi bob"]);
  await expect(bob.page.locator("#messages li.msg").first().locator(".author")).toHaveText("alice");
  await expect(bob.page.locator("#messages li.msg").first()).not.toHaveClass(/\bown\b/);
  await expect(alice.page.locator("#messages li.msg").first()).toHaveClass(/\bown\b/);

  await bob.page.locator("#composer-input").pressSequentially("hello ");
  await expect(alice.page.locator("#typing")).toHaveText("bob is typing…");
  await bob.page.locator("#composer-input").pressSequentially("alice, welcome @alice");
  // The first Enter takes the name from the autocomplete, the second sends.
  await bob.page.locator("#composer-input").press("Enter");
  await expect(bob.page.locator("#composer-input")).toHaveValue("hello alice, welcome @alice ");
  await bob.page.locator("#composer-input").press("Enter");
  await expectMessages(alice.page, ["hi bob", "hello alice, welcome @alice"]);
  await expectMessages(bob.page, ["hi bob", "hello alice, welcome @alice"]);
  await expect(alice.page.locator("#messages li.msg").nth(1)).toHaveClass(/\bmentioned\b/);
  await expect(alice.page.locator("#typing")).toHaveText("");
  // Shift+Enter starts a new line instead of sending.
  await messageBox(alice.page).fill("line one");
  await messageBox(alice.page).press("Shift+Enter");
  await messageBox(alice.page).pressSequentially("line two");
  await messageBox(alice.page).press("Enter");
  await expectMessages(bob.page, ["hi bob", "hello alice, welcome @alice", "line one\nline two"]);
});

test("a typing line goes soon after the typist stops, though they cleared the box without sending", async ({ browser }) => {
  // The protocol has no "stopped typing": the line goes once the typist's last notice is older
  // than their page's 2 s cadence allows. Alice's clock is paused, so only runFor moves her time.
  const room = uniqueRoom("typing");
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  try {
    await alice.page.clock.install();
    await joinByLink(alice.page, room, "alice");
    await joinByLink(bob.page, room, "bob");
    await alice.page.clock.pauseAt(Date.now() + 1_000);
    await bob.page.locator("#composer-input").pressSequentially("hel");
    await expect(alice.page.locator("#typing")).toHaveText("bob is typing…");
    await bob.page.locator("#composer-input").fill("");
    // 3 s after the notice (the page showed it for 4 s before, whatever the typist did).
    await alice.page.clock.runFor(3_000);
    await expect(alice.page.locator("#typing")).toHaveText("");
    await alice.page.clock.resume();
    await say(bob.page, "still here");
    await expectMessages(alice.page, ["still here"]);
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test("a visitor from a shared link is asked for a name, a guest name filled in, and renaming is one click away", async ({ browser }) => {
  const room = uniqueRoom("link");
  const alice = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);

  const guest = await newPerson(browser);
  await joinByLink(guest.page, room);
  await expect(guest.page.locator("#me-name")).toHaveText(/^guest-[0-9a-f]{6}$/);
  const guestName = (await guest.page.locator("#me-name").textContent())!;
  await expect(alice.page.locator("#people-list")).toContainText(guestName);

  await guest.page.getByRole("button", { name: /change name/ }).click();
  await guest.page.getByLabel("New name").fill("Zoë 张");
  await guest.page.getByLabel("New name").press("Enter");
  await expect(guest.page.locator("#me-name")).toHaveText("Zoë 张");
  await expect(alice.page.locator("#messages li.system").last()).toContainText(`${guestName} is now Zoë 张`);
  await expect(alice.page.locator("#people-list")).toContainText("Zoë 张");

  // Another visitor types a name of their own in the dialog and joins under it.
  const named = await newPerson(browser);
  await joinByLink(named.page, room, "Ümit");
  await expect(alice.page.locator("#people-list")).toContainText("Ümit");
});

test("a private message is seen by its two people only", async ({ browser }) => {
  const room = uniqueRoom("private");
  const [alice, bob, carol] = [await newPerson(browser), await newPerson(browser), await newPerson(browser)];
  await joinByForm(alice.page, "alice", room);
  await joinByForm(bob.page, "bob", room);
  await joinByForm(carol.page, "carol", room);
  await expect(alice.page.locator("#people-count")).toHaveText("3");

  // Alice opens a conversation with bob from his menu; carol uses /msg.
  await alice.page.locator("#people-list").getByRole("button", { name: /^bob/ }).click();
  await alice.page.getByRole("button", { name: "Private conversation with bob" }).click();
  await say(alice.page, "secret for bob");
  await alice.page.getByRole("button", { name: /^Back to/ }).click();
  await say(alice.page, "public from alice");
  await say(carol.page, "/msg bob psst from carol");
  await carol.page.getByRole("button", { name: /^Back to/ }).click();
  await say(carol.page, "public from carol");

  const everyone = ["public from alice", "public from carol"];
  for (const page of [alice.page, bob.page, carol.page]) await expect(page.locator("#messages li.msg:visible .text")).toHaveText(everyone);
  await bob.page.locator("#conversations-list").getByRole("button", { name: /alice/ }).click();
  await expect(bob.page.locator("#messages li.msg:visible .text")).toHaveText(["secret for bob"]);
  await expect(bob.page.locator("#messages li.msg:visible .private-label")).toHaveText(["private to you"]);
  await bob.page.locator("#conversations-list").getByRole("button", { name: /carol/ }).click();
  await expect(bob.page.locator("#messages li.msg:visible .text")).toHaveText(["psst from carol"]);
  await expect(alice.page.locator("#conversations-list").getByRole("button")).toHaveText([/bob/]);
  await expect(alice.page.locator("#messages li.msg", { hasText: "psst" })).toHaveCount(0);

  // A reload asks the room again: still nothing of alice and bob's for carol.
  await carol.page.reload();
  await expectConnected(carol.page, "carol");
  await expect(carol.page.locator("#messages li.msg .text")).toHaveText(["public from alice", "psst from carol", "public from carol"]);
  await expect(carol.page.locator("#messages li.msg:visible .text")).toHaveText(everyone);
});

test("a reload keeps the person's name, identity and the history", async ({ browser }) => {
  const room = uniqueRoom("reload");
  const alice = await newPerson(browser);
  await joinByForm(alice.page, "Alíce 李", room);
  await say(alice.page, "first");
  await say(alice.page, "second https://example.com/a_(b) done.");
  await expectMessages(alice.page, ["first", "second https://example.com/a_(b) done."]);
  const token = await alice.page.evaluate(() => localStorage.getItem("edge-chat:token"));

  await alice.page.reload();
  await expectConnected(alice.page, "Alíce 李");
  await expectMessages(alice.page, ["first", "second https://example.com/a_(b) done."]);
  await expect(alice.page.locator("#messages li.msg.own")).toHaveCount(2);
  expect(await alice.page.evaluate(() => localStorage.getItem("edge-chat:token"))).toBe(token);
  const link = alice.page.locator("#messages a");
  await expect(link).toHaveAttribute("href", "https://example.com/a_(b)");
  await expect(link).toHaveAttribute("rel", /noopener/);
});

test("a hidden tab counts unread messages in its title, and every new message is announced", async ({ browser }) => {
  const room = uniqueRoom("unread");
  const alice = await newPerson(browser);
  // Headless Chromium never hides a tab, so the page's view of visibility is stood in for.
  await alice.context.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => hidden });
    Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
    (window as unknown as { setHidden(value: boolean): void }).setHidden = (value) => {
      hidden = value;
      document.dispatchEvent(new Event("visibilitychange"));
    };
  });
  const bob = await newPerson(browser);
  await joinByForm(alice.page, "alice", room);
  await joinByForm(bob.page, "bob", room);
  await expect(alice.page).toHaveTitle(`#${room} · edge-chat`);

  await alice.page.evaluate(() => (window as unknown as { setHidden(value: boolean): void }).setHidden(true));
  await say(bob.page, "are you there?");
  await say(bob.page, "ping me");
  await expect(alice.page).toHaveTitle(`(2) #${room} · edge-chat`);
  await expect(alice.page.locator("#announcer")).toContainText("bob: ping me");

  await alice.page.evaluate(() => (window as unknown as { setHidden(value: boolean): void }).setHidden(false));
  await expect(alice.page).toHaveTitle(`#${room} · edge-chat`);
});

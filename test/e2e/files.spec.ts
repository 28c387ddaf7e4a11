/**
 * Pictures in the page (protocol v3 files): a pasted image uploads with its progress shown, goes
 * with the message, shows at the other person's side in the space kept for it, opens in the
 * lightbox (arrow keys between a message's pictures, Esc closes), and deleting the message makes
 * its URL answer 404. File names from the XSS corpus stay text (alt, caption), never markup.
 */
import type { Page } from "@playwright/test";
import { aliceAndBob, baseUrl, Bot, expect, joinByForm, messageAction, rowWithText, test, uniqueRoom } from "./support.ts";
import { NAMES, TEXTS } from "./xss-payloads.ts";
import { staticElementCounts, watchedPerson } from "./xss-alarms.ts";

/** Pastes a PNG drawn in the page (`width` × `height`, one colour) into the message box as `name`. */
async function pasteImage(page: Page, name: string, width: number, height: number, colour: string): Promise<void> {
  await page.locator("#composer-input").evaluate(
    async (input, { name, width, height, colour }) => {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext("2d")!;
      ctx.fillStyle = colour;
      ctx.fillRect(0, 0, width, height);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), "image/png"));
      const data = new DataTransfer();
      data.items.add(new File([blob], name, { type: "image/png" }));
      input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    },
    { name, width, height, colour },
  );
}

test("a pasted picture uploads with progress, shows at the other side, opens in the lightbox, and is gone with its message", async ({ browser }) => {
  const { alice, bob } = await aliceAndBob(browser, "pictures");
  await pasteImage(alice.page, "red square.png", 640, 480, "#d22");
  await pasteImage(alice.page, "blue wide.png", 300, 100, "#22d");
  const tray = alice.page.locator("#attachments li.attachment");
  await expect(tray).toHaveCount(2);
  await expect(tray.first().locator("img")).toHaveAttribute("alt", "red square.png");
  // The progress bar follows the upload's own progress events to the whole file.
  await expect(tray.first()).toHaveAttribute("data-state", "done");
  await expect(tray.nth(1)).toHaveAttribute("data-state", "done");
  const sent = Number(await tray.first().getAttribute("data-sent"));
  expect(sent).toBeGreaterThan(0);
  expect(await tray.first().locator("progress").evaluate((bar) => (bar as HTMLProgressElement).value)).toBe(1);

  await alice.page.locator("#composer-input").fill("look at these");
  await alice.page.locator("#composer-input").press("Enter");
  await expect(tray).toHaveCount(0);

  const row = rowWithText(bob.page, "look at these");
  const pictures = row.locator(".pictures img");
  await expect(pictures).toHaveCount(2);
  await expect(pictures.first()).toHaveAttribute("alt", "red square.png");
  // The space is kept before the image loads: the size comes with the message.
  await expect(pictures.first()).toHaveAttribute("width", "320");
  await expect(pictures.first()).toHaveAttribute("height", "240");
  await expect.poll(() => pictures.first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(640);
  const url = (await pictures.first().getAttribute("src"))!;
  expect(url).toMatch(/^\/api\/rooms\/[^/]+\/files\/[A-Za-z0-9_-]{22}$/);

  await row.locator(".picture").first().click();
  const lightbox = bob.page.locator("#lightbox");
  await expect(lightbox).toBeVisible();
  await expect(lightbox.locator(".lightbox-caption")).toHaveText("red square.png (1 of 2)");
  await bob.page.keyboard.press("ArrowRight");
  await expect(lightbox.locator(".lightbox-caption")).toHaveText("blue wide.png (2 of 2)");
  await bob.page.keyboard.press("ArrowLeft");
  await expect(lightbox.locator("img")).toHaveAttribute("alt", "red square.png");
  await bob.page.keyboard.press("Escape");
  await expect(lightbox).toBeHidden();

  expect((await bob.page.request.get(url)).status()).toBe(200);
  await messageAction(alice.page, rowWithText(alice.page, "look at these"), "Delete");
  await alice.page.getByRole("dialog", { name: "Delete this message?" }).getByRole("button", { name: "Delete" }).click();
  await expect(bob.page.locator("#messages li.msg.deleted")).toHaveCount(1);
  await expect(bob.page.locator("#messages .pictures")).toHaveCount(0);
  expect((await bob.page.request.get(url)).status()).toBe(404);
});

test("a refused upload says why next to the file, and the message waits until it is removed", async ({ browser }) => {
  const { alice, bob } = await aliceAndBob(browser, "pictures-refused");
  await alice.page.locator("#composer-input").evaluate((input) => {
    const data = new DataTransfer();
    data.items.add(new File(["<svg xmlns='http://www.w3.org/2000/svg'/>"], "drawing.png", { type: "image/png" }));
    input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  });
  const item = alice.page.locator("#attachments li.attachment");
  await expect(item).toHaveAttribute("data-state", "refused");
  await expect(item.locator(".upload-note")).toHaveText("Not a picture this chat takes (PNG, JPEG, GIF or WebP).");
  await alice.page.locator("#composer-input").fill("with a bad file");
  await alice.page.locator("#composer-input").press("Enter");
  await expect(alice.page.locator("#attachments-status")).toHaveText("Remove the pictures that could not be uploaded, then send.");
  await item.getByRole("button", { name: "Remove drawing.png" }).click();
  await alice.page.locator("#composer-input").press("Enter");
  await expect(rowWithText(bob.page, "with a bad file")).toHaveCount(1);
});

/** Names of the corpus that `?name=` takes (1–128 code points, no control or bidirectional characters). */
const FILE_NAMES = [...TEXTS.map((p) => p.text.trim()), ...NAMES.map((n) => n.trim())]
  .map((n) => [...n].slice(0, 128).join(""))
  .filter((n) => n.length > 0 && !/[\p{Cc}\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/u.test(n) && n.isWellFormed())
  .slice(0, 40);

/**
 * Uploads as the bot, waiting as long as a 429 says when the bucket (20 at once, 5 a second, as
 * for messages) runs dry: forty uploads from one user outrun it on a fast machine.
 */
async function uploadWithinBucket(url: string, token: string, body: Uint8Array<ArrayBuffer>): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "image/png" }, body });
    if (response.status !== 429 || attempt === 5) return response;
    const { error } = (await response.json()) as { error: { retryAfterMs?: number } };
    await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 1_000));
  }
}

test("file names from the XSS corpus show as their literal text: alt and caption, never markup", async ({ browser }) => {
  test.slow();
  const room = uniqueRoom("xss-files");
  const { page, alarms, watch } = await watchedPerson(browser);
  await joinByForm(page, "alice", room);
  await watch();
  const baseline = await staticElementCounts(page);
  const bot = await Bot.join(room, "uploader");
  const png = pngBytes();
  const ids: string[] = [];
  for (const name of FILE_NAMES) {
    const response = await uploadWithinBucket(`${baseUrl()}/api/rooms/${room}/files?name=${encodeURIComponent(name)}`, bot.token, png);
    expect(response.status, name).toBe(201);
    ids.push(((await response.json()) as { file: { id: string } }).file.id);
  }
  // The uploads spent the uploader's bucket: a say it refuses is sent again when the room says.
  for (let i = 0; i < ids.length; i += 4) {
    for (let attempt = 0; ; attempt++) {
      bot.send({ type: "say", id: `m${i}`, text: "", files: ids.slice(i, i + 4) });
      const answer = await bot.next(["message", "error"], (f) => f.id === `m${i}` || f.ref === `m${i}`);
      if (answer.type === "message") break;
      expect({ code: answer.code, attempt: attempt < 5 }).toEqual({ code: "rate_limited", attempt: true });
      await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfterMs ?? 1_000)));
    }
  }
  const images = page.locator("#messages .pictures img");
  await expect(images).toHaveCount(FILE_NAMES.length);
  expect(await images.evaluateAll((list) => list.map((img) => img.getAttribute("alt")))).toEqual(FILE_NAMES);
  await page.locator("#messages .picture").first().click();
  await expect(page.locator("#lightbox .lightbox-caption")).toHaveText(`${FILE_NAMES[0]} (1 of 4)`);
  await page.keyboard.press("Escape");
  // Nothing ran; what the page added for the pictures is images of this room's files, nothing else.
  expect({ executed: alarms.executed, scripts: alarms.scripts, dialogs: alarms.dialogs, pageErrors: alarms.pageErrors, frames: alarms.frames }).toEqual({ executed: [], scripts: [], dialogs: [], pageErrors: [], frames: [] });
  // The markup alarm also flags any attribute holding a script URL: an `alt` that is a file's literal name is expected.
  const literalAlts = new Set(FILE_NAMES.map((name) => `alt="${name}"`));
  expect(alarms.markup.filter((m) => m !== "<img> added" && !literalAlts.has(m))).toEqual([]);
  const filePath = new RegExp(`^${baseUrl()}/api/rooms/${room}/files/[A-Za-z0-9_-]{22}$`);
  expect(alarms.requests.filter((url) => !filePath.test(url))).toEqual([]);
  // Elements of kinds a payload would add: none new but one image per file.
  expect(await staticElementCounts(page)).toEqual({ ...baseline, img: (baseline.img ?? 0) + FILE_NAMES.length });
  bot.close();
});

/** A 2×2 PNG header and filler: what the room reads of an image. */
function pngBytes(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(96);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 2, 0, 0, 0, 2, 8, 6, 0, 0, 0]);
  return bytes;
}

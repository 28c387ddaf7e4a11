/**
 * Helpers for the browser tests: people (a browser profile each, so a token each), joining the
 * way a person does, reading the conversation, and a bot that talks to a room over a raw socket.
 */
import { test as base, expect, type Browser, type BrowserContext, type FrameLocator, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { HEARTBEAT, TIMINGS } from "@edge-chat/protocol";

/**
 * Playwright's `test`, closing every browser profile a test opened when it ends, passed or not. The
 * browser lives as long as its worker: a profile left open would keep its sockets, heartbeats and
 * rendering going beside every later test of that worker.
 */
export const test = base.extend<{ closeProfiles: void }>({
  closeProfiles: [
    async ({ browser }, use) => {
      await use();
      await Promise.all(browser.contexts().map((context) => context.close()));
    },
    { auto: true },
  ],
});

export { expect };

/** The dev server global-setup.ts started. */
export function baseUrl(): string {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error("E2E_BASE_URL is not set: run the tests through playwright.config.ts");
  return url;
}

/** A room name of its own for each test, so tests never see each other's messages. */
export function uniqueRoom(label: string): string {
  return `e2e-${label}-${randomBytes(4).toString("hex")}`;
}

/** One person: a browser profile of their own (own localStorage, own token) with one tab. */
export interface Person {
  context: BrowserContext;
  page: Page;
}

/** Opens a fresh browser profile on the dev server at `base`. */
export async function newPerson(browser: Browser, base = baseUrl()): Promise<Person> {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  return { context, page };
}

/** The usual cast: alice and bob, each in a profile of their own, both joined to a fresh room. */
export async function aliceAndBob(browser: Browser, label: string, base = baseUrl()): Promise<{ room: string; alice: Person; bob: Person }> {
  const room = uniqueRoom(label);
  const alice = await newPerson(browser, base);
  const bob = await newPerson(browser, base);
  await joinByForm(alice.page, "alice", room);
  await joinByForm(bob.page, "bob", room);
  return { room, alice, bob };
}

/**
 * Joins through the start page, as a person does, and waits until the room has welcomed them;
 * `button` "Create it as its owner" creates the room instead. A room nobody used yet is offered
 * to be created as its owner: the tests' people turn that down unless they asked to create it.
 */
export async function joinByForm(page: Page, name: string, room: string, button = "Join room"): Promise<void> {
  await page.goto("/");
  const form = page.locator("#landing");
  await form.getByLabel("Your name").fill(name);
  await form.getByLabel("Room", { exact: true }).fill(room);
  await form.locator("#join-actions").getByRole("button", { name: button }).click();
  const offer = page.getByRole("button", { name: "Join without an owner" });
  await expect(page.locator("#create-offer-no:visible, #room:visible")).toHaveCount(1);
  if (await offer.isVisible()) await offer.click();
  await expect(page).toHaveURL(new RegExp(`/r/${room}$`));
  await expectConnected(page, name);
}

/** Opens a room's link as a visitor who never chose a name here: the page asks for one (a guest name pre-filled). */
export async function joinByLink(page: Page, room: string, name?: string): Promise<void> {
  await page.goto(`/r/${room}`);
  const dialog = page.getByRole("dialog", { name: /^Join/ });
  await expect(dialog.getByLabel("Your name")).toHaveValue(/^guest-[0-9a-f]{6}$/);
  if (name !== undefined) await dialog.getByLabel("Your name").fill(name);
  await dialog.getByRole("button", { name: "Join" }).click();
  await expectConnected(page, name);
}

/** Waits until the page is connected (no banner), as `name` when given. */
export async function expectConnected(page: Page, name?: string): Promise<void> {
  // Until the first welcome the header shows "…" (and the banner stays hidden for a moment).
  if (name !== undefined) await expect(page.locator("#me-name")).toHaveText(name);
  else await expect(page.locator("#me-name")).not.toHaveText("…");
  await expect(page.locator("#banner")).toBeHidden();
}

/** The message box (of a page, or of a page framed in another: `/r/<room>?embed=1`). */
export function messageBox(page: Page | FrameLocator) {
  return page.getByRole("textbox", { name: "Message", exact: true });
}

/** Types a message and presses Enter. */
export async function say(page: Page | FrameLocator, text: string): Promise<void> {
  const box = messageBox(page);
  await box.fill(text);
  await box.press("Enter");
}

/** The delivered messages' rows. */
export function messageRows(page: Page) {
  return page.locator("#messages li.msg");
}

/** Waits until the conversation shows exactly these messages, in this order. */
export async function expectMessages(page: Page | FrameLocator, texts: string[], timeout?: number): Promise<void> {
  await expect(page.locator("#messages li.msg .text")).toHaveText(texts, timeout ? { timeout } : {});
}

/** The seqs of the delivered messages shown, in page order. */
export function shownSeqs(page: Page): Promise<number[]> {
  return page.locator("#messages li.msg").evaluateAll((rows) => rows.map((row) => Number((row as HTMLElement).dataset.seq)));
}

type Frame = { type: string; [field: string]: unknown };

/** A client without a browser (like the command-line and bot clients): a raw room socket. */
export class Bot {
  readonly #ws: WebSocket;
  readonly #frames: Frame[] = [];
  #waiters: (() => void)[] = [];
  self: { id: string; name: string } = { id: "", name: "" };
  /** The bot's token: its hello's, and its credential for uploads. */
  readonly token: string;

  private constructor(ws: WebSocket, token: string) {
    this.#ws = ws;
    this.token = token;
    // A socket silent for 60 s is closed by the room; a bot in a long test pings like any client.
    const heartbeat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(HEARTBEAT.ping), TIMINGS.pingIntervalMs);
    heartbeat.unref();
    ws.on("close", () => clearInterval(heartbeat));
    ws.on("message", (data) => {
      const text = String(data);
      if (text === HEARTBEAT.pong) return;
      const frame = JSON.parse(text) as Frame;
      this.#frames.push(...(frame.type === "batch" ? (frame.frames as Frame[]) : [frame]));
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Connects to `room` and says hello as `name`. */
  static async join(room: string, name: string, base = baseUrl()): Promise<Bot> {
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}/api/rooms/${room}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const bot = new Bot(ws, randomBytes(24).toString("base64url"));
    ws.send(JSON.stringify({ type: "hello", token: bot.token, name }));
    const welcome = await bot.next(["welcome", "error"]);
    if (welcome.type === "error") throw new Error(`bot: hello refused: ${JSON.stringify(welcome)}`);
    bot.self = welcome.self as { id: string; name: string };
    return bot;
  }

  /** Sends a message and waits for its echo. */
  async say(text: string, to?: string): Promise<Frame> {
    const id = randomBytes(9).toString("base64url");
    this.#ws.send(JSON.stringify(to ? { type: "say", id, text, to } : { type: "say", id, text }));
    return this.next("message", (f) => f.id === id);
  }

  /** Waits for the next frame of `type` (or of any of several types) that matches `where`. */
  async next(type: string | string[], where: (frame: Frame) => boolean = () => true, timeoutMs = 10_000): Promise<Frame> {
    const types = Array.isArray(type) ? type : [type];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.#frames.findIndex((f) => types.includes(f.type) && where(f));
      if (index >= 0) return this.#frames.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`bot: no ${types.join(" or ")} frame within ${timeoutMs} ms; got ${JSON.stringify(this.#frames).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends any frame as it is. */
  send(frame: object): void {
    this.#ws.send(JSON.stringify(frame));
  }

  /** Closes the socket. */
  close(): void {
    this.#ws.close(1000, "done");
  }
}

/** A delivered message's row, found by (part of) its text. */
export function rowWithText(page: Page, text: string) {
  return page.locator("#messages li.msg").filter({ has: page.locator(".text", { hasText: text }) });
}

/**
 * Shows a message's toolbar and clicks one of its actions (Reply, React, Edit, Delete, Moderate).
 * The toolbar is shown by keyboard focus rather than by hovering: a hover is lost whenever the
 * list scrolls under a still mouse (a new message arriving), and the click would miss.
 */
export async function messageAction(page: Page, row: ReturnType<Page["locator"]>, action: "Reply" | "React" | "Edit" | "Delete" | "Moderate"): Promise<void> {
  await row.locator(".actions button").first().focus();
  await row.locator(".actions").getByRole("button", { name: new RegExp(action === "React" ? "^React to" : `^${action}\\b`) }).click();
}

/**
 * What a person sees of the conversation, the same for everyone who sees the same thing: each
 * row's seq, author id, text or "deleted", whether it is marked edited, the quote it shows, and
 * its reactions with counts. (Which reactions are one's own differs per person: `mine` has them.)
 */
export function conversationView(page: Page) {
  return page.locator("#messages li.msg").evaluateAll((rows) =>
    rows.map((row) => {
      const r = row as HTMLElement;
      const quote = r.querySelector<HTMLElement>(".quote");
      return {
        seq: Number(r.dataset.seq),
        from: r.dataset.from ?? "",
        text: r.classList.contains("deleted") ? "(deleted)" : (r.querySelector(".text")?.textContent ?? ""),
        edited: r.querySelector(".edited") !== null,
        quote: quote ? `${quote.dataset.seq}: ${quote.querySelector(".quote-text")?.textContent ?? ""}` : null,
        reactions: [...r.querySelectorAll(".reaction")].map((c) => `${c.querySelector(".emoji")?.textContent} ${c.querySelector(".count")?.textContent}`),
      };
    }),
  );
}

/** The emojis of a person's own reactions, per row (in row order). */
export function mineView(page: Page) {
  return page.locator("#messages li.msg").evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll(".reaction.mine .emoji")].map((e) => e.textContent ?? "")),
  );
}

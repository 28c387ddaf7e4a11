/**
 * The XSS alarms and DOM audits shared by the corpus specs (xss-corpus.spec.ts: messages and
 * names; xss-lifecycle.spec.ts: edits, reply quotes and reactions). Execution is watched for in
 * several independent ways (see `armAlarms`); "the alarms go off when a payload does become
 * markup" in xss-corpus.spec.ts proves that they can fail.
 */
import { expect, type Browser, type Page } from "@playwright/test";
import { baseUrl, expectConnected, newPerson, type Person } from "./support.ts";

/** What went off, by kind; all empty means nothing ran and nothing became markup. */
export interface Alarms {
  /** `__xss(N)` calls and wrapped alert/confirm/prompt/print calls. */
  executed: string[];
  /** Elements the page never makes, or `on*` / script-URL attributes, seen by a MutationObserver. */
  markup: string[];
  /** Scripts compiled from the document or a frame (inline scripts and handlers). */
  scripts: string[];
  dialogs: string[];
  pageErrors: string[];
  consoleErrors: string[];
  /** Requests made by the page after it joined. */
  requests: string[];
  /** Frames attached after it joined. */
  frames: string[];
}

/** The elements the page builds for people's text (BDI: a name isolated inside a sentence); anything else appearing is markup from a payload. */
export const PAGE_TAGS = ["LI", "SPAN", "DIV", "TIME", "A", "MARK", "BUTTON", "P", "BDI", "STRONG", "EM", "DEL", "CODE", "PRE", "BLOCKQUOTE"];
/** Containers whose content is built from what other clients send. */
export const USER_CONTENT = ["#messages", "#pending", "#people-list", "#typing", "#announcer", "#private-name", "#me-name", "#composer-error", "#composer-mode-text", "#members-list", "#conversations-list", "#view-name", "#moderate-name"];

/**
 * Sets up every alarm on a fresh page (before it loads anything). Requests, frames and the
 * MutationObserver only count from `watch()` on, after the page has loaded and joined; `pause()`
 * stops counting requests and frames while the page reloads (the observer goes with the document).
 */
export async function armAlarms(page: Page): Promise<{ alarms: Alarms; watch: () => Promise<void>; pause: () => void }> {
  const alarms: Alarms = { executed: [], markup: [], scripts: [], dialogs: [], pageErrors: [], consoleErrors: [], requests: [], frames: [] };
  let watching = false;
  await page.exposeFunction("__xssAlarm", (kind: "executed" | "markup", detail: string) => alarms[kind].push(detail));
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown> & { __xssAlarm: (kind: string, detail: string) => void };
    w.__xss = (id: unknown) => w.__xssAlarm("executed", `__xss(${String(id)})`);
    for (const name of ["alert", "confirm", "prompt", "print"]) {
      w[name] = (...args: unknown[]) => w.__xssAlarm("executed", `${name}(${args.map(String).join(", ")})`);
    }
  });
  page.on("dialog", async (dialog) => {
    alarms.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.on("pageerror", (error) => alarms.pageErrors.push(error.message));
  page.on("console", (message) => {
    // A socket that fails to connect (a busy machine) is no sign of a payload; anything else is.
    if (message.type() === "error" && !message.text().startsWith("WebSocket connection to")) alarms.consoleErrors.push(message.text());
  });
  page.on("request", (request) => {
    if (watching) alarms.requests.push(request.url());
  });
  page.on("frameattached", (frame) => {
    if (watching) alarms.frames.push(frame.url() || "(new frame)");
  });
  const cdp = await page.context().newCDPSession(page);
  cdp.on("Debugger.scriptParsed", (script) => {
    // Playwright's own evaluations and init scripts have no URL; the page's one script is /app.js.
    // An inline script or event handler carries the document's URL (or about:srcdoc, data:…).
    if (script.url !== "" && !script.url.endsWith("/app.js")) alarms.scripts.push(`${script.url} (${script.length} chars)`);
  });
  await cdp.send("Debugger.enable");

  const watch = async () => {
    watching = true;
    await page.evaluate((allowed) => {
      const w = window as unknown as { __xssAlarm: (kind: string, detail: string) => void };
      const scriptUrl = /^[\s\p{Cc}]*(javascript|vbscript|data):/iu;
      const checkAttr = (element: Element, attr: Attr) => {
        if (attr.name.toLowerCase().startsWith("on")) w.__xssAlarm("markup", `${attr.name} on <${element.localName}>`);
        if (scriptUrl.test(attr.value)) w.__xssAlarm("markup", `${attr.name}="${attr.value}"`);
      };
      const checkAdded = (element: Element) => {
        if (!allowed.includes(element.tagName.toUpperCase())) w.__xssAlarm("markup", `<${element.localName}> added`);
        for (const attr of element.attributes) checkAttr(element, attr);
      };
      new MutationObserver((records) => {
        for (const record of records) {
          if (record.type === "attributes" && record.target instanceof Element && record.attributeName) {
            const attr = record.target.getAttributeNode(record.attributeName);
            if (attr) checkAttr(record.target, attr);
          }
          for (const node of record.addedNodes) {
            if (!(node instanceof Element)) continue;
            checkAdded(node);
            for (const inner of node.querySelectorAll("*")) checkAdded(inner);
          }
        }
      }).observe(document.documentElement, { childList: true, subtree: true, attributes: true });
    }, PAGE_TAGS);
  };
  return { alarms, watch, pause: () => (watching = false) };
}

/** Counts the elements that only the static page may have (the baseline the audit compares with). */
export function staticElementCounts(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const tags = "script iframe frame object embed img svg style link meta base form input textarea video audio source math details marquee noscript template";
    return Object.fromEntries(tags.split(" ").map((tag) => [tag, document.getElementsByTagName(tag).length]));
  });
}

/**
 * Everything wrong with the DOM as it stands: event-handler attributes anywhere, script URLs in
 * any attribute, links that are not http(s) or lack a safe rel, and elements or style attributes
 * in user content that the page never builds.
 */
export function auditDom(page: Page): Promise<string[]> {
  return page.evaluate(
    ({ allowed, containers }) => {
      const problems: string[] = [];
      const scriptUrl = /^[\s\p{Cc}]*(javascript|vbscript|data):/iu;
      for (const element of document.querySelectorAll("*")) {
        for (const attr of element.attributes) {
          if (attr.name.toLowerCase().startsWith("on")) problems.push(`${attr.name} attribute on <${element.localName}>`);
          // Removing every whitespace and control character catches "java\tscript:" too.
          const squeezed = attr.value.replace(/[\s\p{Cc}]/gu, "");
          if (scriptUrl.test(squeezed)) {
            problems.push(`${attr.name}="${attr.value}" on <${element.localName}>`);
          }
        }
      }
      for (const link of document.querySelectorAll<HTMLAnchorElement>("a[href]")) {
        if (link.protocol !== "http:" && link.protocol !== "https:") problems.push(`link to ${link.getAttribute("href")}`);
      }
      for (const selector of containers) {
        for (const element of document.querySelectorAll(`${selector} *`)) {
          if (!allowed.includes(element.tagName.toUpperCase())) problems.push(`<${element.localName}> inside ${selector}`);
          const style = element.getAttribute("style");
          if (style !== null && !/^--hue: \d+;$/.test(style)) problems.push(`style="${style}" inside ${selector}`);
          if (element instanceof HTMLAnchorElement) {
            if (!element.relList.contains("noopener")) problems.push(`link without rel=noopener: ${element.href}`);
            if (element.target !== "_blank") problems.push(`link that opens in the page: ${element.href}`);
          }
        }
      }
      return problems;
    },
    { allowed: PAGE_TAGS, containers: USER_CONTENT },
  );
}

/**
 * Fires every event an inline handler in the corpus could listen to at every element of user
 * content (a synthetic event runs an `on*` attribute's handler like a real one). Clicks are not
 * sent to links and buttons: links are clicked for real, and buttons have the page's own actions.
 */
export function fireEverything(page: Page): Promise<number> {
  return page.evaluate((containers) => {
    const types = [
      "mouseover", "mouseenter", "mousemove", "mouseout", "pointerover", "pointerenter", "focus", "focusin", "blur",
      "keydown", "keyup", "load", "error", "toggle", "animationstart", "animationend", "transitionend", "begin", "start",
      "input", "change", "scroll", "wheel", "copy", "paste", "submit",
    ];
    const clicks = ["mousedown", "mouseup", "click", "dblclick", "contextmenu", "auxclick"];
    let fired = 0;
    for (const selector of containers) {
      const root = document.querySelector(selector);
      if (!root) continue;
      for (const element of [root, ...root.querySelectorAll("*")]) {
        const interactive = element.closest("a, button") !== null;
        for (const type of [...types, ...(interactive ? [] : clicks)]) {
          element.dispatchEvent(type.includes("mouse") || type.includes("click") ? new MouseEvent(type, { bubbles: true }) : new Event(type, { bubbles: true }));
          fired++;
        }
      }
    }
    return fired;
  }, USER_CONTENT);
}

/** Text contents of all matches, exactly (no whitespace normalisation, unlike toHaveText). */
export function textsOf(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((elements) => elements.map((e) => e.textContent ?? ""));
}


/**
 * Reloads the page without counting the reload's own requests as alarms, waits until it is
 * connected as `name`, watches again, and scrolls back until `rows` messages are drawn (a welcome,
 * then history pages).
 */
export async function redrawFromRoom(page: Page, name: string, rows: number, alarms: { watch: () => Promise<void>; pause: () => void }): Promise<void> {
  alarms.pause();
  await page.reload();
  await expectConnected(page, name);
  await alarms.watch();
  const drawn = page.locator("#messages li.msg");
  // Each scroll to the top brings one older page. Each page gets the usual bound of its own: on a
  // busy machine one answer can take seconds, so one bound for all pages would fail a room that
  // is merely slow (a page that never comes still fails here).
  let count = await drawn.count();
  while (count < rows) {
    const before = count;
    await expect
      .poll(async () => {
        await page.locator("#scroller").evaluate((scroller) => (scroller.scrollTop = 0));
        count = await drawn.count();
        return count;
      }, { message: `an older page after ${before} of ${rows} messages` })
      .toBeGreaterThan(before);
  }
  expect(count).toBe(rows);
}

/**
 * A fresh person whose page is watched by every alarm; links that leave the dev server open a
 * blank page of our own (the corpus's links point outside).
 */
export async function watchedPerson(browser: Browser): Promise<Person & Awaited<ReturnType<typeof armAlarms>>> {
  const base = new URL(baseUrl());
  const person = await newPerson(browser);
  await person.context.route(
    (url) => url.origin !== base.origin,
    (route) => route.fulfill({ status: 200, contentType: "text/plain", body: "a link target outside the chat" }),
  );
  return { ...person, ...(await armAlarms(person.page)) };
}

/** Nothing ran, nothing became markup, no script URL anywhere, and the static page is as it was. */
export async function expectNothingRan(page: Page, alarms: Alarms, baseline: Record<string, number>): Promise<void> {
  expect(await auditDom(page)).toEqual([]);
  expect(await staticElementCounts(page)).toEqual(baseline);
  expect(alarms).toEqual({ executed: [], markup: [], scripts: [], dialogs: [], pageErrors: [], consoleErrors: [], requests: [], frames: [] });
}

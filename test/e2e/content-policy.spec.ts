/**
 * Issue 19, item 11: the page is served with a strict Content-Security-Policy (public/_headers),
 * works under it without a single violation, and a slip that put markup into the page would not
 * run: an injected inline script stays dead, an injected inline style is not applied.
 */
import type { Page } from "@playwright/test";
import { baseUrl, expect, expectMessages, joinByForm, newPerson, say, test, uniqueRoom } from "./support.ts";

/** Collects every CSP violation the page reports, from its first script on. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as { __violations?: string[] }).__violations = seen;
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return () => page.evaluate(() => [...((window as { __violations?: string[] }).__violations ?? [])]);
}

test("the page and a room's page carry the policy and its companions", async ({ request }) => {
  for (const path of ["/", `/r/${uniqueRoom("headers")}`, "/app.js", "/styles.css"]) {
    const response = await request.get(`${baseUrl()}${path}`);
    expect(response.status(), path).toBe(200);
    const policy = response.headers()["content-security-policy"] ?? "";
    for (const directive of ["script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'"]) {
      expect(policy, `${path}: ${directive}`).toContain(directive);
    }
    expect(policy).not.toContain("unsafe-inline");
    expect(response.headers()["x-content-type-options"], path).toBe("nosniff");
    expect(response.headers()["referrer-policy"], path).toBe("no-referrer");
  }
  // The rules file itself is read by the runtime, not served.
  expect(await (await request.get(`${baseUrl()}/_headers`)).text()).not.toContain("Content-Security-Policy");
});

test("a room works under the policy with no violation, and injected inline script and style do not take effect", async ({ browser }) => {
  const room = uniqueRoom("csp");
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  const aliceViolations = await watchViolations(alice.page);
  await joinByForm(alice.page, "alice", room);
  await joinByForm(bob.page, "bob", room);
  await say(alice.page, "hello under a strict policy");
  await expectMessages(bob.page, ["hello under a strict policy"]);
  await say(bob.page, "and back");
  await expectMessages(alice.page, ["hello under a strict policy", "and back"]);
  expect(await aliceViolations()).toEqual([]);

  // What one slip in rendering would amount to: markup in the page. It stays inert.
  const outcome = await alice.page.evaluate(async () => {
    const violated = new Promise<string>((resolve) => document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective), { once: true }));
    const script = document.createElement("script");
    script.textContent = "window.__pwned = 'inline script ran'";
    document.body.append(script);
    const holder = document.createElement("div");
    holder.innerHTML = `<p id="styled" style="color: rgb(255, 0, 0)">x</p><img src="x" onerror="window.__pwned = 'handler ran'">`;
    document.body.append(holder);
    const directive = await Promise.race([violated, new Promise<string>((resolve) => setTimeout(() => resolve("no report within 5 s"), 5_000))]);
    return {
      pwned: (window as { __pwned?: string }).__pwned ?? null,
      color: getComputedStyle(document.getElementById("styled")!).color,
      directive,
    };
  });
  expect(outcome.pwned).toBeNull();
  expect(outcome.color).not.toBe("rgb(255, 0, 0)");
  expect(outcome.directive).toMatch(/^script-src/);
  // The page still works after the attempt.
  await say(alice.page, "still fine");
  await expectMessages(bob.page, ["hello under a strict policy", "and back", "still fine"]);
});

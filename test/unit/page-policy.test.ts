/**
 * The page's computed Content-Security-Policy starts from exactly the policy public/_headers gives
 * every static file: with no AUTH_TOKEN_URL and no ALLOWED_ORIGINS the two are the same string, so
 * a change to one that forgets the other fails here; the same for the headers that go with it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMPANION_HEADERS, pagePolicy } from "../../src/server/worker/page-policy.ts";

const HEADERS_FILE = new URL("../../public/_headers", import.meta.url);

describe("the page's policy", () => {
  it("equals public/_headers' policy when the deployment widens nothing", () => {
    const line = readFileSync(HEADERS_FILE, "utf8")
      .split("\n")
      .find((l) => l.trim().startsWith("Content-Security-Policy:"));
    expect(line).toBeDefined();
    expect(pagePolicy({}, "https://chat.example")).toBe(line!.trim().slice("Content-Security-Policy:".length).trim());
  });

  it("sets the same companion headers as public/_headers", () => {
    const text = readFileSync(HEADERS_FILE, "utf8");
    for (const [name, value] of Object.entries(COMPANION_HEADERS)) expect(text).toContain(`  ${name}: ${value}\n`);
  });

  it("widens connect-src by the token URL's origin and frame-ancestors by the listed origins, nothing else", () => {
    const policy = pagePolicy({ AUTH_TOKEN_URL: "https://app.example/me/chat-token?x=1", ALLOWED_ORIGINS: "https://app.example, http://127.0.0.1:4000" }, "https://chat.example");
    expect(policy).toContain("connect-src 'self' https://app.example;");
    expect(policy).toContain("frame-ancestors 'self' https://app.example http://127.0.0.1:4000");
    expect(policy.replace(" https://app.example;", ";").replace(" https://app.example http://127.0.0.1:4000", "")).toBe(pagePolicy({}, "https://chat.example"));
  });
});

/**
 * The page's part of signed identity, as the Worker serves it: `GET /api/config` (the token
 * endpoint, AUTH_REQUIRED, Cloudflare Access, the origins that may embed the page) and the
 * Content-Security-Policy of the page's HTML, widened by AUTH_TOKEN_URL's origin and ALLOWED_ORIGINS
 * and nothing else. This project's vars: AUTH_TOKEN_URL https://app.example/chat/token and
 * ALLOWED_ORIGINS " https://friend.example, https://second.example/ ".
 */
import { describe, expect, it } from "vitest";
import type { PageConfig } from "@edge-chat/protocol";
import { pageConfig } from "../src/server/worker/page-config.ts";
import { pagePolicy } from "../src/server/worker/page-policy.ts";
import { workerFetch } from "./support/room-client.ts";

/** A directive's sources in a policy, or undefined when it has none. */
function directive(policy: string, name: string): string[] | undefined {
  const found = policy.split(";").map((part) => part.trim().split(/\s+/)).find(([first]) => first === name);
  return found?.slice(1);
}

describe("GET /api/config", () => {
  it("answers the token endpoint, AUTH_REQUIRED, whether Access let the request through, and the embedding origins", async () => {
    const response = await workerFetch("/api/config");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const expected: PageConfig = {
      authTokenUrl: "https://app.example/chat/token",
      authRequired: false,
      access: false,
      allowedOrigins: ["https://friend.example", "https://second.example"],
    };
    expect(await response.json()).toEqual(expected);
    const behindAccess = await workerFetch("/api/config", { headers: { "Cf-Access-Jwt-Assertion": "a.b.c" } });
    expect(((await behindAccess.json()) as PageConfig).access).toBe(true);
  });

  it("answers only GET", async () => {
    const response = await workerFetch("/api/config", { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET");
  });

  it("resolves a path against the page's origin, and drops a token URL that is not http(s) and origins that are not origins", () => {
    const request = new Request("https://chat.test/api/config");
    expect(pageConfig(request, { AUTH_TOKEN_URL: "/auth/chat-token" }).authTokenUrl).toBe("https://chat.test/auth/chat-token");
    expect(pageConfig(request, { AUTH_TOKEN_URL: "javascript:alert(1)" }).authTokenUrl).toBeNull();
    expect(pageConfig(request, { AUTH_TOKEN_URL: "  " }).authTokenUrl).toBeNull();
    expect(pageConfig(request, { AUTH_REQUIRED: "true" }).authRequired).toBe(true);
    expect(pageConfig(request, { ALLOWED_ORIGINS: "https://ok.example, https://bad.example; script-src *, https://x.example/path, *" }).allowedOrigins).toEqual([
      "https://ok.example",
    ]);
  });
});

describe("the page's Content-Security-Policy", () => {
  it("is served on / and on a room's page with the token URL's origin in connect-src and ALLOWED_ORIGINS in frame-ancestors", async () => {
    for (const path of ["/", "/r/lobby", "/r/lobby?embed=1"]) {
      const response = await workerFetch(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("Content-Type"), path).toMatch(/^text\/html/);
      const policy = response.headers.get("Content-Security-Policy") ?? "";
      expect(directive(policy, "connect-src"), path).toEqual(["'self'", "https://app.example"]);
      expect(directive(policy, "frame-ancestors"), path).toEqual(["'self'", "https://friend.example", "https://second.example"]);
      expect(directive(policy, "script-src"), path).toEqual(["'self'"]);
      expect(response.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(response.headers.get("Referrer-Policy"), path).toBe("no-referrer");
      expect(await response.text(), path).toContain('<script type="module" src="/app.js">');
    }
  });

  it("stays the static policy without a token URL or embedding origins, and adds no source for a same-origin token path", () => {
    const plain = pagePolicy({}, "https://chat.test");
    expect(directive(plain, "connect-src")).toEqual(["'self'"]);
    expect(directive(plain, "frame-ancestors")).toEqual(["'self'"]);
    const samePath = pagePolicy({ AUTH_TOKEN_URL: "/auth/chat-token", ALLOWED_ORIGINS: "https://chat.test" }, "https://chat.test");
    expect(samePath).toBe(plain);
  });
});

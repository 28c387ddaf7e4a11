/**
 * The client's integrations API over a recorded fetch: each owner call goes to its path with the
 * Bearer credential and the body the protocol asks for, a hook post sends Slack's shape and the
 * Idempotency-Key, and every refusal becomes an IntegrationError with the room's code, status and
 * retryAfterMs.
 */
import { describe, expect, it } from "vitest";
import { IntegrationError, Integrations, postToHook, type FetchLike } from "../src/index.ts";

/** A fetch that records each request and answers from a script. */
function recorder(answers: { status: number; body?: unknown }[]) {
  const calls: { url: string; method: string; headers: Record<string, string>; body?: string }[] = [];
  const fetcher: FetchLike = async (url, init) => {
    calls.push({ url, ...init });
    const next = answers.shift() ?? { status: 500 };
    return { status: next.status, text: async () => (next.body === undefined ? "" : JSON.stringify(next.body)) };
  };
  return { calls, fetcher };
}

describe("Integrations", () => {
  it("makes, lists and deletes hooks and webhooks at the protocol's paths with the owner's credential", async () => {
    const { calls, fetcher } = recorder([
      { status: 201, body: { hook: { id: "h".repeat(16), name: "CI", url: "/api/rooms/lobby/hooks/x/y" } } },
      { status: 200, body: { hooks: [{ id: "h".repeat(16), name: "CI", createdAt: 1 }] } },
      { status: 204 },
      { status: 201, body: { webhook: { id: "w".repeat(16), url: "https://a.test/", events: ["message"], secret: "whsec_x" } } },
      { status: 200, body: { webhooks: [] } },
      { status: 204 },
    ]);
    const api = new Integrations("https://chat.test/", "lobby", "owner-key", fetcher);
    expect((await api.createHook("CI")).name).toBe("CI");
    expect(await api.hooks()).toHaveLength(1);
    await api.deleteHook("h".repeat(16));
    expect((await api.createWebhook("https://a.test/", ["message"])).secret).toBe("whsec_x");
    expect(await api.webhooks()).toEqual([]);
    await api.deleteWebhook("w".repeat(16));
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "POST https://chat.test/api/rooms/lobby/hooks",
      "GET https://chat.test/api/rooms/lobby/hooks",
      `DELETE https://chat.test/api/rooms/lobby/hooks/${"h".repeat(16)}`,
      "POST https://chat.test/api/rooms/lobby/webhooks",
      "GET https://chat.test/api/rooms/lobby/webhooks",
      `DELETE https://chat.test/api/rooms/lobby/webhooks/${"w".repeat(16)}`,
    ]);
    expect(calls.every((c) => c.headers.Authorization === "Bearer owner-key")).toBe(true);
    expect(JSON.parse(calls[0]!.body!)).toEqual({ name: "CI" });
    expect(JSON.parse(calls[3]!.body!)).toEqual({ url: "https://a.test/", events: ["message"] });
  });

  it("turns a refusal into an IntegrationError with the room's code and status", async () => {
    const { fetcher } = recorder([{ status: 409, body: { error: { code: "too_many", message: "a room has at most 20 hooks" } } }, { status: 502 }]);
    const api = new Integrations("https://chat.test", "lobby", "k", fetcher);
    const refused = await api.createHook("one more").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(IntegrationError);
    expect(refused).toMatchObject({ status: 409, code: "too_many", message: "a room has at most 20 hooks" });
    await expect(api.hooks()).rejects.toMatchObject({ status: 502, code: "http_error" });
  });
});

describe("postToHook", () => {
  it("posts Slack's shape with the Idempotency-Key and resolves with the stored seq; a 429 carries retryAfterMs", async () => {
    const { calls, fetcher } = recorder([{ status: 200, body: { seq: 7 } }, { status: 429, body: { error: { code: "rate_limited", message: "slow down", retryAfterMs: 1500 } } }]);
    expect(await postToHook("/api/rooms/lobby/hooks/a/b", { text: "deployed", username: "CD" }, { origin: "https://chat.test", idempotencyKey: "run-1", fetcher })).toBe(7);
    expect(calls[0]).toMatchObject({ url: "https://chat.test/api/rooms/lobby/hooks/a/b", method: "POST", headers: { "Idempotency-Key": "run-1" } });
    expect(JSON.parse(calls[0]!.body!)).toEqual({ text: "deployed", username: "CD" });
    await expect(postToHook("https://chat.test/x", { text: "again" }, { fetcher })).rejects.toMatchObject({ status: 429, code: "rate_limited", retryAfterMs: 1500 });
  });
});

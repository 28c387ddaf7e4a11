/**
 * The pure parts of webhook delivery: the Standard Webhooks signature, checked by the reference
 * `standardwebhooks` package over the exact bytes (non-ASCII text included), and the retry delays:
 * 1 s doubling to 5 min, and never giving up, so a receiver down for a day still gets every event.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { MAX_RETRY_DELAY_MS, newWebhookSecret, retryDelayMs, signDelivery } from "../../src/server/objects/webhook-delivery.ts";

describe("signDelivery", () => {
  it("signs id.timestamp.body with the decoded secret, as the reference library verifies it", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ room: "lobby", event: { type: "message", text: "héllo 你好 😀" } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { "webhook-id": "lobby:7", "webhook-timestamp": String(timestamp), "webhook-signature": signDelivery(secret, "lobby:7", timestamp, body) };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    // Any other byte, id or key fails.
    expect(() => new Webhook(secret).verify(body.replace("héllo", "hello"), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, "webhook-id": "lobby:8" })).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });
});

describe("retryDelayMs", () => {
  it("starts at 1 s, doubles up to 5 min, and keeps trying past 24 h", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000]);
    let elapsed = 0;
    let attempts = 0;
    while (elapsed < 24 * 3_600_000) elapsed += retryDelayMs(++attempts);
    expect(retryDelayMs(attempts + 1)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1_000_000)).toBe(MAX_RETRY_DELAY_MS);
  });
});

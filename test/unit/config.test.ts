/** The room's settings and its token bucket, checked as plain functions. */
import { describe, expect, it } from "vitest";
import { readAuthConfig, readConfig } from "../../src/server/config.ts";
import { fullBucket, takeToken } from "../../src/server/core/rate-limit.ts";

describe("room settings", () => {
  it("defaults to a bucket of 20 refilled at 5 per second, 10,000 kept messages, shards of 2,000, no admin key and uploads of 10 MiB", () => {
    expect(readConfig({})).toEqual({
      historyLimit: 10_000,
      burst: 20,
      perSecond: 5,
      shardCapacity: 2_000,
      adminKey: undefined,
      auth: { secrets: [], jwksUrl: undefined, issuer: undefined, audience: undefined, required: false },
      fileMaxBytes: 10_485_760,
    });
  });

  it("reads FILE_MAX_BYTES as a whole number of bytes, the default when it is not a positive number", () => {
    expect(readConfig({ FILE_MAX_BYTES: "262144" }).fileMaxBytes).toBe(262_144);
    expect(readConfig({ FILE_MAX_BYTES: "0" }).fileMaxBytes).toBe(10_485_760);
    expect(readConfig({ FILE_MAX_BYTES: "lots" }).fileMaxBytes).toBe(10_485_760);
  });

  it("reads AUTH_SECRET as comma-separated keys kept byte for byte, empty vars as unset, AUTH_REQUIRED only when true", () => {
    expect(readAuthConfig({ AUTH_SECRET: "one key, two,,three", AUTH_JWKS_URL: "", AUTH_ISSUER: "", AUTH_AUDIENCE: "", AUTH_REQUIRED: "false" })).toEqual({
      secrets: ["one key", " two", "three"],
      jwksUrl: undefined,
      issuer: undefined,
      audience: undefined,
      required: false,
    });
    expect(readAuthConfig({ AUTH_JWKS_URL: " https://idp.example/jwks ", AUTH_ISSUER: "i", AUTH_AUDIENCE: "a", AUTH_REQUIRED: " TRUE " })).toEqual({
      secrets: [],
      jwksUrl: "https://idp.example/jwks",
      issuer: "i",
      audience: "a",
      required: true,
    });
  });

  it("takes SHARD_CAPACITY and ADMIN_KEY from the environment, and an empty ADMIN_KEY is no key", () => {
    expect(readConfig({ SHARD_CAPACITY: "2", ADMIN_KEY: "s3cret" })).toMatchObject({ shardCapacity: 2, adminKey: "s3cret" });
    expect(readConfig({ ADMIN_KEY: "" }).adminKey).toBeUndefined();
  });

  it("never keeps fewer than 10,000 messages, whatever HISTORY_LIMIT says", () => {
    expect(readConfig({ HISTORY_LIMIT: "50" }).historyLimit).toBe(10_000);
    expect(readConfig({ HISTORY_LIMIT: "25000" }).historyLimit).toBe(25_000);
  });

  it("ignores settings that are not positive numbers", () => {
    expect(readConfig({ RATE_BURST: "-3", RATE_PER_SECOND: "fast" })).toMatchObject({ burst: 20, perSecond: 5 });
  });
});

describe("the token bucket", () => {
  it("allows a burst, then refuses with the wait until the next token", () => {
    let bucket = fullBucket(3, 0);
    for (let i = 0; i < 3; i++) {
      const take = takeToken(bucket, 0, 3, 5);
      if (!take.ok) throw new Error("the burst was refused");
      bucket = take.bucket;
    }
    expect(takeToken(bucket, 0, 3, 5)).toEqual({ ok: false, retryAfterMs: 200 });
    expect(takeToken(bucket, 150, 3, 5)).toEqual({ ok: false, retryAfterMs: 50 });
    expect(takeToken(bucket, 200, 3, 5).ok).toBe(true);
  });

  it("refills to the burst and no further", () => {
    const drained = { tokens: 0, at: 0 };
    const take = takeToken(drained, 60_000, 3, 5);
    expect(take).toEqual({ ok: true, bucket: { tokens: 2, at: 60_000 } });
  });
});

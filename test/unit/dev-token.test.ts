/**
 * `npm run token` (scripts/dev-token.ts): the token it prints verifies with the first key of
 * `.dev.vars`' AUTH_SECRET and carries the claims asked for, plus AUTH_ISSUER and AUTH_AUDIENCE;
 * without a usable key, or with claims a room would refuse, it says why instead of printing one.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { devToken, readDevVars, ttlSeconds } from "../../scripts/dev-token.ts";

const KEY = "a-development-key-that-is-32-bytes-or-more";
const NOW = 1_800_000_000;

describe("npm run token", () => {
  it("signs the claims asked for with the first key of AUTH_SECRET, with the issuer and audience of .dev.vars", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dev-token-"));
    writeFileSync(join(dir, ".dev.vars"), `# local settings\nAUTH_SECRET="${KEY},an-older-key-still-accepted-by-the-rooms"\nAUTH_ISSUER=https://app.example/\nAUTH_AUDIENCE=chat\n`);
    const vars = readDevVars(join(dir, ".dev.vars"));
    const token = await devToken(["--sub", "alice", "--name", "Alice", "--role", "owner", "--rooms", "team-*,general", "--bot", "--ttl", "2h"], vars, NOW);
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(KEY), { currentDate: new Date(NOW * 1000), issuer: "https://app.example/", audience: "chat" });
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload).toEqual({ sub: "alice", name: "Alice", role: "owner", rooms: ["team-*", "general"], bot: true, iat: NOW, exp: NOW + 7200, iss: "https://app.example/", aud: "chat" });
  });

  it("lives an hour by default and reads --ttl in s, m, h or d", async () => {
    const token = await devToken(["--sub", "bob"], { AUTH_SECRET: KEY }, NOW);
    const { payload } = await jwtVerify(token, new TextEncoder().encode(KEY), { currentDate: new Date(NOW * 1000) });
    expect(payload.exp).toBe(NOW + 3600);
    expect([ttlSeconds("90s"), ttlSeconds("15m"), ttlSeconds("1h"), ttlSeconds("7d"), ttlSeconds("30")]).toEqual([90, 900, 3600, 604_800, 30]);
    expect(() => ttlSeconds("1y")).toThrow(/--ttl/);
    expect(() => ttlSeconds("0m")).toThrow(/more than 0/);
  });

  it("says how to make a key when .dev.vars has none, or one too short for the rooms", async () => {
    expect(readDevVars(join(tmpdir(), "no-such-dir", ".dev.vars"))).toEqual({});
    await expect(devToken(["--sub", "alice"], {}, NOW)).rejects.toThrow(/no AUTH_SECRET in \.dev\.vars: add a key of at least 32 bytes/);
    await expect(devToken(["--sub", "alice"], { AUTH_SECRET: "short" }, NOW)).rejects.toThrow(/shorter than 32 bytes/);
  });

  it("refuses what a room would refuse: no --sub, a hook id, a bad role, an invalid name, an unknown option", async () => {
    const vars = { AUTH_SECRET: KEY };
    await expect(devToken([], vars, NOW)).rejects.toThrow(/--sub is required/);
    await expect(devToken(["--sub", "hook:abc"], vars, NOW)).rejects.toThrow(/hook:/);
    await expect(devToken(["--sub", "alice smith"], vars, NOW)).rejects.toThrow(/sub must be/);
    await expect(devToken(["--sub", "alice", "--role", "admin"], vars, NOW)).rejects.toThrow(/role must be/);
    await expect(devToken(["--sub", "alice", "--name", " "], vars, NOW)).rejects.toThrow(/name_invalid/);
    await expect(devToken(["--sub", "alice", "--admin"], vars, NOW)).rejects.toThrow(/Unknown option/);
  });
});

/** Token → public id: SHA-256 of the token, the first 16 base64url characters, whatever the token. */
import fc from "fast-check";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { userIdFromToken } from "../../src/server/identity/user-id.ts";

describe("public ids", () => {
  it("are the first 16 base64url characters of the token's SHA-256, for any valid token", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/), (token) => {
        expect(userIdFromToken(token)).toBe(createHash("sha256").update(token).digest("base64url").slice(0, 16));
      }),
      { numRuns: 500 },
    );
  });
});

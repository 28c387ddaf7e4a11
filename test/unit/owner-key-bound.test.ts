/** Which keys a room hashes at all (issue 19, item 4): owner keys and any ADMIN_KEY, nothing longer. */
import { describe, expect, it } from "vitest";
import { KEY_MAX_LENGTH, mayBeOwnerKey, newOwnerKey } from "../../src/server/identity/owner-keys.ts";

describe("a key that may be an owner key", () => {
  it("is a room's owner key, or anything up to 256 characters", () => {
    expect(mayBeOwnerKey(newOwnerKey())).toBe(true);
    expect(mayBeOwnerKey("k".repeat(KEY_MAX_LENGTH))).toBe(true);
    expect(mayBeOwnerKey("k".repeat(KEY_MAX_LENGTH + 1))).toBe(false);
    expect(mayBeOwnerKey("k".repeat(60_000), "short admin key".length)).toBe(false);
  });

  it("is as long as ADMIN_KEY may be, whatever secret its operator chose", () => {
    const admin = "a long passphrase, ".repeat(40);
    expect(mayBeOwnerKey(admin, admin.length)).toBe(true);
    expect(mayBeOwnerKey(`${admin}!`, admin.length)).toBe(false);
  });
});

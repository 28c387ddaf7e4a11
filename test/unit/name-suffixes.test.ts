/**
 * The suffix memory (src/server/core/names.ts) against the rule itself: whatever joins, leaves and
 * renames come in, in whatever spellings, it hands out exactly the first free `name-N` a scan
 * from `-2` finds, and a user's own name counts as free to them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nameKey } from "@edge-chat/protocol/names";
import { LIMITS, codePointLength, truncateCodePoints } from "@edge-chat/protocol";
import { NameSuffixes } from "../../src/server/core/names.ts";

/** The rule without memory: the name, else the first free suffix (the base kept as asked). */
function byScan(wanted: string, isTaken: (name: string) => boolean): string {
  if (!isTaken(wanted)) return wanted;
  for (let n = 2; ; n++) {
    const room = LIMITS.name - String(n).length - 1;
    const base = codePointLength(wanted) > room ? truncateCodePoints(wanted, room) : wanted;
    if (!isTaken(`${base}-${n}`)) return `${base}-${n}`;
  }
}

/** Who holds which name, as the presence keeps it. */
class Holders {
  readonly keys = new Map<string, number>();
  readonly names = new Map<number, string>();
  readonly suffixes = new NameSuffixes();

  isTaken(name: string, self: number): boolean {
    const holder = this.keys.get(nameKey(name));
    return holder !== undefined && holder !== self;
  }

  take(user: number, name: string): void {
    const old = this.names.get(user);
    if (old !== undefined) this.release(user);
    this.names.set(user, name);
    this.keys.set(nameKey(name), user);
  }

  release(user: number): void {
    const old = this.names.get(user);
    if (old === undefined) return;
    this.names.delete(user);
    if (this.keys.get(nameKey(old)) === user) {
      this.keys.delete(nameKey(old));
      this.suffixes.freed(old);
    }
  }
}

describe("the suffix memory", () => {
  it("hands out what a scan from -2 would, through any joins, leaves and renames", () => {
    const long = "名".repeat(29);
    const wanted = fc.constantFrom("x", "X", "ｘ", "x\u200D", "x-2", "x-3", "X-11", "y", long, `${long}名`, "x-1", "x-02");
    const step = fc.tuple(fc.constantFrom("join", "leave", "rename"), fc.nat(8), wanted);
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 300 }), (steps) => {
        const holders = new Holders();
        for (const [action, user, name] of steps) {
          if (action === "leave") {
            holders.release(user);
            continue;
          }
          const own = holders.names.get(user);
          if (action === "join" && own !== undefined) continue;
          const isTaken = (n: string) => holders.isTaken(n, user);
          const expected = byScan(name, isTaken);
          expect(holders.suffixes.pick(name, isTaken, own), `${action} ${user} ${name}`).toBe(expected);
          if (expected !== own) holders.take(user, expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the emoji invisibles in the base (issue 18): ali\\u200Dce with alice…alice-4 taken is ali\\u200Dce-5", () => {
    const holders = new Holders();
    ["alice", "alice-2", "alice-3", "alice-4"].forEach((name, user) => holders.take(user, name));
    expect(holders.suffixes.pick("ali\u200Dce", (n) => holders.isTaken(n, 9))).toBe("ali\u200Dce-5");
    holders.take(5, "❤");
    expect(holders.suffixes.pick("❤\uFE0F", (n) => holders.isTaken(n, 9))).toBe("❤\uFE0F-2");
  });
});

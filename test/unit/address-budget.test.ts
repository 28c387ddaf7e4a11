/** How the Worker keys and weighs per-address budgets (src/server/worker/address-budget.ts). */
import { describe, expect, it } from "vitest";
import { BINDING_LIMIT, addressOf, budgetPerMinute, ipv6Prefix64, secondsLeftInPeriod, weightOf } from "../../src/server/worker/address-budget.ts";

/** How many calls the binding lets through in one period at a weight: while its count is below the limit. */
const passing = (weight: number) => Math.ceil(BINDING_LIMIT / weight);

describe("address budgets", () => {
  it("weighs each action so that exactly its budget passes, for every budget up to 1,000 and the defaults", () => {
    for (let perMinute = 1; perMinute <= 1_000; perMinute++) expect(passing(weightOf(perMinute))).toBe(perMinute);
    for (const perMinute of [600, 1_200, 5_000]) expect(passing(weightOf(perMinute))).toBe(perMinute);
    for (const perMinute of [7_001, 33_333, 99_999]) {
      expect(passing(weightOf(perMinute))).toBeLessThanOrEqual(perMinute);
      expect(passing(weightOf(perMinute))).toBeGreaterThanOrEqual(perMinute - perMinute ** 2 / BINDING_LIMIT);
    }
  });

  it("reads the budgets from the vars, with defaults for what is unset or not a whole number", () => {
    expect(budgetPerMinute("upgrade", {})).toBe(1_200);
    expect(budgetPerMinute("create", {})).toBe(600);
    expect(budgetPerMinute("read", {})).toBe(600);
    expect(budgetPerMinute("upgrade", { ADDRESS_UPGRADES_PER_MINUTE: "30" })).toBe(30);
    expect(budgetPerMinute("read", { ADDRESS_READS_PER_MINUTE: "0" })).toBe(0);
    for (const bad of ["", " ", "-1", "2.5", "lots"]) expect(budgetPerMinute("create", { ADDRESS_CREATIONS_PER_MINUTE: bad })).toBe(600);
  });

  it("keys an IPv4 address as it is, an IPv6 address by its /64, and a request without one under one shared key", () => {
    const from = (ip?: string) => addressOf(new Request("https://chat.test/", ip === undefined ? {} : { headers: { "CF-Connecting-IP": ip } }));
    expect(from("203.0.113.7")).toBe("203.0.113.7");
    expect(from("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(from("2001:DB8:1:2::ffff")).toBe("2001:db8:1:2::/64");
    expect(from()).toBe("none");
    expect(ipv6Prefix64("::1")).toBe("0:0:0:0::/64");
    expect(ipv6Prefix64("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(ipv6Prefix64("2001:0db8:0000:0002::1")).toBe("2001:db8:0:2::/64");
    expect(ipv6Prefix64("[2001:db8:1:2::9]")).toBe("2001:db8:1:2::/64");
    expect(ipv6Prefix64("::ffff:192.0.2.1")).toBe("192.0.2.1");
  });

  it("tells a refused client to retry when the binding's window ends", () => {
    expect(secondsLeftInPeriod(60_000 * 1_000)).toBe(60);
    expect(secondsLeftInPeriod(60_000 * 1_000 + 59_500)).toBe(1);
    expect(secondsLeftInPeriod(60_000 * 1_000 + 15_000)).toBe(45);
  });
});

/**
 * A second budget, per client address, for what an attacker repeats with fresh identities (a ban,
 * a mute, slow mode and the bucket all key on the token, and a new token is free): WebSocket
 * upgrades, room creation and HTTP reads. Checked in the Worker, before any Durable Object is
 * touched, with the platform's rate limiting binding (`ADDRESS_LIMITER`, `[[ratelimits]]` in
 * wrangler.toml; Miniflare runs it locally). Over budget: 429 with a JSON error and Retry-After.
 *
 * The binding's limit and period are fixed in wrangler.toml, not vars. So the binding counts to
 * `BINDING_LIMIT` per minute and each action spends `weightOf(perMinute)` of it (the call's
 * `delta`): the budgets are vars (`ADDRESS_*_PER_MINUTE`, README), each action counted under its
 * own key (`<action>:<address>`). The binding counts per Cloudflare location and approximately,
 * in windows of the period: a budget is a ceiling for abuse, set far above what people do
 * (docs/RELIABILITY.md).
 */
import { jsonError } from "./http.ts";

/** What an address spends its budgets on. */
export type AddressAction = "upgrade" | "create" | "read" | "upload" | "hook";

/** The binding's `simple.limit` in wrangler.toml: what one key may spend per period. */
export const BINDING_LIMIT = 1_000_000;
/** The binding's `simple.period` in wrangler.toml, in seconds (the platform allows 10 or 60). */
export const BINDING_PERIOD_S = 60;

/** The var of each action's budget, and its default per minute per address. */
const BUDGETS: Record<AddressAction, { variable: keyof AddressVars; perMinute: number }> = {
  // A classroom behind one NAT (40 people, a few tabs each, joining within a minute) and a test
  // suite from one machine (up to about 600 upgrades a minute) stay far below it.
  upgrade: { variable: "ADDRESS_UPGRADES_PER_MINUTE", perMinute: 1_200 },
  create: { variable: "ADDRESS_CREATIONS_PER_MINUTE", perMinute: 600 },
  // A suite's HTTP requests (up to about 300 a minute) stay below it too.
  read: { variable: "ADDRESS_READS_PER_MINUTE", perMinute: 600 },
  // Uploads (`POST /api/rooms/:room/files`): each may carry 10 MiB into R2; two a second from one
  // address is far above what people paste, and bounds what one address can push.
  upload: { variable: "ADDRESS_UPLOADS_PER_MINUTE", perMinute: 120 },
  // Hook posts (`POST /api/rooms/:room/hooks/:id/:secret`): each hook has its own bucket in its
  // room; this caps what one address spends on guessing hook URLs across rooms.
  hook: { variable: "ADDRESS_HOOK_POSTS_PER_MINUTE", perMinute: 600 },
};

/** The vars that set the budgets: a whole number per minute; "0" turns a budget off. */
export type AddressVars = Partial<
  Record<"ADDRESS_UPGRADES_PER_MINUTE" | "ADDRESS_CREATIONS_PER_MINUTE" | "ADDRESS_READS_PER_MINUTE" | "ADDRESS_UPLOADS_PER_MINUTE" | "ADDRESS_HOOK_POSTS_PER_MINUTE", string>
>;

/** What the Worker needs: the binding (absent: no budgets) and the vars. */
export type BudgetEnv = AddressVars & { ADDRESS_LIMITER?: RateLimit };

/** An action's budget per minute as the vars set it (the default when unset or not a number ≥ 0). */
export function budgetPerMinute(action: AddressAction, vars: AddressVars): number {
  const { variable, perMinute } = BUDGETS[action];
  const raw = vars[variable];
  const value = Number(raw);
  return raw !== undefined && raw.trim() !== "" && Number.isInteger(value) && value >= 0 ? value : perMinute;
}

/**
 * What one action spends of the binding's limit so that `perMinute` of them fit in a period:
 * the binding lets a call through while its count is below the limit, so `ceil(limit / weight)`
 * calls pass: `perMinute` exactly for every budget up to 1,000 and for the defaults, and at most
 * `perMinute² / limit` fewer above (test/unit/address-budget.test.ts).
 */
export function weightOf(perMinute: number): number {
  return Math.ceil(BINDING_LIMIT / Math.max(1, Math.min(perMinute, BINDING_LIMIT)));
}

/**
 * The address a request comes from, as the budget keys it: `CF-Connecting-IP` (set by the
 * platform; locally by Miniflare), an IPv6 address by its /64 (one subscriber's whole prefix),
 * and one shared key for requests that carry none.
 */
export function addressOf(request: Request): string {
  const ip = request.headers.get("CF-Connecting-IP")?.trim();
  if (!ip) return "none";
  return ip.includes(":") ? ipv6Prefix64(ip) : ip;
}

/** The first four groups of an IPv6 address, `::` expanded (an IPv4-mapped address: its IPv4). */
export function ipv6Prefix64(ip: string): string {
  const bare = ip.replace(/^\[|\]$/g, "").split("%")[0]!.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = bare.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => (Number.parseInt(g, 16) || 0).toString(16)).join(":")}::/64`;
}

/**
 * Spends one `action` of the request's address; answers the 429 to send when its budget is spent,
 * or undefined to go on. A failing limiter lets the request through (logged): the room's own
 * checks still hold, and an outage of the limiter must not take the chat down.
 */
export async function spendAddressBudget(request: Request, env: BudgetEnv, action: AddressAction): Promise<Response | undefined> {
  const perMinute = budgetPerMinute(action, env);
  if (perMinute === 0 || !env.ADDRESS_LIMITER) return undefined;
  let outcome: RateLimitOutcome;
  try {
    outcome = await env.ADDRESS_LIMITER.limit({ key: `${action}:${addressOf(request)}`, delta: weightOf(perMinute) });
  } catch (err) {
    console.error(`address budget (${action}) could not be checked:`, err);
    return undefined;
  }
  if (outcome.success) return undefined;
  const retryAfterS = secondsLeftInPeriod(Date.now());
  return jsonError(429, "rate_limited", `too many requests of this kind from your address: at most ${perMinute} a minute`, {
    "Retry-After": String(retryAfterS),
  });
}

/** Seconds until the binding's current window ends (windows are aligned to the clock). */
export function secondsLeftInPeriod(now: number): number {
  return BINDING_PERIOD_S - (Math.floor(now / 1_000) % BINDING_PERIOD_S);
}

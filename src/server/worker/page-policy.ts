/**
 * The page's Content-Security-Policy, computed from the deployment's vars: public/_headers gives
 * every static file the strict policy, and the Worker serves the page's HTML (`/`, `/r/<room>`) with
 * that policy widened by exactly two things: `connect-src` adds the origin of AUTH_TOKEN_URL (the
 * page fetches the user's token there), and `frame-ancestors` adds ALLOWED_ORIGINS (they may
 * embed the page). Everything else stays as public/_headers says (a unit test compares the two).
 */
import { authTokenUrl, type PageVars } from "./page-config.ts";
import { wellFormedOrigins } from "./origin.ts";

/** The policy's directives as public/_headers writes them, in that order. */
export const BASE_DIRECTIVES: readonly (readonly [string, string])[] = [
  ["default-src", "'self'"],
  ["script-src", "'self'"],
  ["style-src", "'self'"],
  ["img-src", "'self' data: blob:"],
  ["connect-src", "'self'"],
  ["font-src", "'self'"],
  ["object-src", "'none'"],
  ["base-uri", "'none'"],
  ["form-action", "'self'"],
  ["frame-ancestors", "'self'"],
];

/**
 * public/_headers' other headers, set here too: whether the assets binding adds the rules file's
 * headers to what it hands the Worker is the platform's choice, and the page must not lose them.
 */
export const COMPANION_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

/** The page's policy for a page served from `pageOrigin`. */
export function pagePolicy(vars: PageVars, pageOrigin: string): string {
  const tokenUrl = authTokenUrl(vars, pageOrigin);
  const tokenOrigin = tokenUrl === null ? undefined : new URL(tokenUrl).origin;
  const extra: Record<string, string[]> = {
    "connect-src": tokenOrigin === undefined || tokenOrigin === pageOrigin ? [] : [tokenOrigin],
    "frame-ancestors": wellFormedOrigins(vars.ALLOWED_ORIGINS ?? "").filter((origin) => origin !== pageOrigin),
  };
  return BASE_DIRECTIVES.map(([name, value]) => [name, value, ...(extra[name] ?? [])].join(" ")).join("; ");
}

/**
 * Serves a page path from the static assets; an HTML answer (the page itself, also as the
 * single-page fallback of `/r/<room>`) gets the computed policy in place of the static one.
 */
export async function servePage(request: Request, env: Env): Promise<Response> {
  const asset = await env.ASSETS.fetch(request);
  if (!asset.headers.get("Content-Type")?.startsWith("text/html")) return asset;
  const page = new Response(asset.body, asset);
  // Set, not appended: two policies would both apply, and the stricter static one would win.
  page.headers.set("Content-Security-Policy", pagePolicy(env, new URL(request.url).origin));
  for (const [name, value] of Object.entries(COMPANION_HEADERS)) page.headers.set(name, value);
  return page;
}

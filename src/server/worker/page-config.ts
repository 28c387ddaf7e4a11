/**
 * `GET /api/config`: what the page needs to know to sign its user in (docs/AUTH.md, "The page"):
 * the host application's token endpoint (AUTH_TOKEN_URL), whether only signed identities may enter
 * (AUTH_REQUIRED), whether this request came through Cloudflare Access, and the origins that may
 * frame the page and hand it tokens (ALLOWED_ORIGINS).
 */
import type { PageConfig } from "@edge-chat/protocol";
import { readAuthConfig } from "../config.ts";
import { json } from "./http.ts";
import { wellFormedOrigins } from "./origin.ts";

/** The vars the page's settings come from. */
export type PageVars = Partial<Record<"AUTH_TOKEN_URL" | "AUTH_REQUIRED" | "ALLOWED_ORIGINS", string>>;

/** The header Cloudflare Access adds to every request it lets through. */
const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";

/**
 * AUTH_TOKEN_URL as an absolute http(s) URL, a path resolved against the page's origin; null when
 * unset or not an http(s) URL (the page then has no token endpoint rather than a broken one).
 */
export function authTokenUrl(vars: PageVars, pageOrigin: string): string | null {
  const value = vars.AUTH_TOKEN_URL?.trim();
  if (!value) return null;
  try {
    const url = new URL(value, pageOrigin);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The page's settings for a request to this deployment. */
export function pageConfig(request: Request, vars: PageVars): PageConfig {
  return {
    authTokenUrl: authTokenUrl(vars, new URL(request.url).origin),
    authRequired: readAuthConfig(vars).required,
    // The header's value is not checked here: the room verifies it at the upgrade. Its presence
    // only tells the page not to send a token of its own (a hello with one would be refused).
    access: request.headers.has(ACCESS_HEADER),
    allowedOrigins: wellFormedOrigins(vars.ALLOWED_ORIGINS ?? ""),
  };
}

/** Answers `GET /api/config`. */
export function pageConfigRoute(request: Request, vars: PageVars): Response {
  return json(pageConfig(request, vars));
}

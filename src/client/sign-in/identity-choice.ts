/** Which way the page signs its user in, decided from the deployment's settings alone (no DOM here). */
import type { PageConfig } from "@edge-chat/protocol";

/** The ways, in the order they are tried (docs/AUTH.md, "The page"). */
export type IdentityChoice = "embedder" | "token-url" | "access" | "anonymous" | "unavailable";

/**
 * The first way that applies: an embedding page's tokens (only when framed, with origins listed),
 * the token endpoint, Cloudflare Access's identity, anonymous tokens unless AUTH_REQUIRED forbids
 * them, and else none at all.
 */
export function chooseIdentity(config: PageConfig, embedded: boolean, framed: boolean): IdentityChoice {
  if (embedded && framed && config.allowedOrigins.length > 0) return "embedder";
  if (config.authTokenUrl !== null) return "token-url";
  if (config.access) return "access";
  return config.authRequired ? "unavailable" : "anonymous";
}

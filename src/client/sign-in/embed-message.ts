/**
 * Tokens from the page that embeds this one (`/r/<room>?embed=1` in an iframe): the iframe asks its
 * parent with `{type: "edge-chat:token-request"}` whenever it needs a token (each connect, and
 * before the current one expires), and takes `{type: "edge-chat:token", token}` only from an
 * origin listed in ALLOWED_ORIGINS; a message from any other origin is ignored. docs/AUTH.md,
 * "Embedding", has the host's side. The messages' shapes, without the DOM; embed-tokens.ts posts and listens.
 */

/** The iframe's request for a fresh token, posted to the parent. */
export const TOKEN_REQUEST = "edge-chat:token-request";
/** The parent's answer (or a token it hands over unasked). */
export const TOKEN_MESSAGE = "edge-chat:token";

/** The token of a message from the embedding page, or undefined when it is not one to take. */
export function embedToken(event: { origin: string; data: unknown }, origins: readonly string[]): string | undefined {
  if (!origins.includes(event.origin)) return undefined;
  const data = event.data as { type?: unknown; token?: unknown } | null;
  if (typeof data !== "object" || data === null || data.type !== TOKEN_MESSAGE || typeof data.token !== "string") return undefined;
  return data.token;
}

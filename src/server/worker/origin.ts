/** ALLOWED_ORIGINS: the browser origins besides the page's own that may open room sockets and frame the page. */

/** The origins listed in `allowed` (comma-separated, as in the ALLOWED_ORIGINS var), trimmed, without a trailing slash. */
export function listedOrigins(allowed: string): string[] {
  return allowed
    .split(",")
    .map((entry) => entry.trim().replace(/\/+$/, ""))
    .filter((entry) => entry !== "");
}

/**
 * True when a socket may be opened: no Origin (a non-browser client), the page's own origin,
 * or one listed in `allowed` (comma-separated, as in the ALLOWED_ORIGINS var).
 */
export function isAllowedOrigin(origin: string | null, ownOrigin: string, allowed: string): boolean {
  if (origin === null || origin === ownOrigin) return true;
  return listedOrigins(allowed).includes(origin);
}

/**
 * The listed origins that are well-formed `scheme://host[:port]` origins: only these may stand in
 * a header such as Content-Security-Policy, where a stray `;` or space would change its meaning.
 */
export function wellFormedOrigins(allowed: string): string[] {
  return listedOrigins(allowed).filter((entry) => {
    try {
      return new URL(entry).origin === entry;
    } catch {
      return false;
    }
  });
}

/** The Origin rule for room sockets: browsers only from the page's own origin or a listed one. */

/**
 * True when a socket may be opened: no Origin (a non-browser client), the page's own origin,
 * or one listed in `allowed` (comma-separated, as in the ALLOWED_ORIGINS var).
 */
export function isAllowedOrigin(origin: string | null, ownOrigin: string, allowed: string): boolean {
  if (origin === null || origin === ownOrigin) return true;
  return allowed
    .split(",")
    .map((entry) => entry.trim().replace(/\/+$/, ""))
    .some((entry) => entry !== "" && entry === origin);
}

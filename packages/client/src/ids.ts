/**
 * Random identifiers made in the page: the user's secret token and each message's client id.
 * `crypto.getRandomValues` works on plain-HTTP origins too (`randomUUID` needs a secure context).
 */

/** `bytes` random bytes as base64url without padding. */
export function randomBase64url(bytes: number): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  let binary = "";
  for (const byte of data) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** A fresh secret token: 256 random bits, well over the protocol's 128-bit minimum. */
export function newToken(): string {
  return randomBase64url(32);
}

/** A fresh client id for one `say` (128 random bits, so ids never collide in practice). */
export function newMessageId(): string {
  return randomBase64url(16);
}

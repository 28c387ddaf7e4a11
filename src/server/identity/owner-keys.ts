/**
 * Owner keys: 256 random bits as 43 base64url characters, shown once by `POST /api/rooms` and kept
 * by the room only as a SHA-256 hash. A key presented in `hello` (or as the stats endpoint's
 * Bearer) is hashed and compared with a kept hash in constant time (the runtime's
 * `crypto.subtle.timingSafeEqual`), the room's own key and the deployment's ADMIN_KEY alike.
 */
import { sha256 } from "@noble/hashes/sha2.js";

const encoder = new TextEncoder();

/** A new owner key. */
export function newOwnerKey(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The hash a room keeps of an owner key (base64url SHA-256). */
export function hashOwnerKey(key: string): string {
  return base64url(sha256(encoder.encode(key)));
}

/**
 * Keys longer than this cannot be a room's owner key (43 characters); the deployment's ADMIN_KEY,
 * any secret string its operator chose, raises the bound to its own length when it is longer.
 */
export const KEY_MAX_LENGTH = 256;

/**
 * True when `key` is short enough to be an owner key: at most `KEY_MAX_LENGTH` characters, or
 * ADMIN_KEY's length when that is longer. Anything longer matches no key and is refused without
 * being hashed (a 60 KB key was hashed twice on every hello). A bound rather than the exact
 * shapes, so that the time a refusal takes tells nothing of ADMIN_KEY's length.
 */
export function mayBeOwnerKey(key: string, adminKeyLength = 0): boolean {
  return key.length <= Math.max(KEY_MAX_LENGTH, adminKeyLength);
}

/** True when `key` is the key whose hash is `hash`, compared in constant time. */
export function keyMatches(key: string, hash: string | undefined): boolean {
  if (hash === undefined) return false;
  const presented = encoder.encode(hashOwnerKey(key));
  const kept = encoder.encode(hash);
  return presented.byteLength === kept.byteLength && crypto.subtle.timingSafeEqual(presented, kept);
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

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

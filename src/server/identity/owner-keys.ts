/**
 * Owner keys: 256 random bits as 43 base64url characters, shown once by `POST /api/rooms` and kept
 * by the room only as a SHA-256 hash. A key presented in `hello` is hashed and compared in
 * constant time, with the room's own key and with the deployment's ADMIN_KEY alike.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** A new owner key. */
export function newOwnerKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** The hash a room keeps of an owner key (base64url SHA-256). */
export function hashOwnerKey(key: string): string {
  return createHash("sha256").update(key).digest("base64url");
}

/** True when `key` is the key whose hash is `hash`, compared in constant time. */
export function keyMatches(key: string, hash: string | undefined): boolean {
  if (hash === undefined) return false;
  const presented = Buffer.from(hashOwnerKey(key));
  const kept = Buffer.from(hash);
  return presented.length === kept.length && timingSafeEqual(presented, kept);
}

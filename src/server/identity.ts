/**
 * Token → public user id. The id is the first 16 base64url characters of SHA-256(token), so it is
 * stable for a token, reveals nothing about it, and nobody can act as an id without its token.
 */
import { createHash } from "node:crypto";

/** Derives a user's public id from their secret token (synchronous, so `hello` never yields). */
export function userIdFromToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url").slice(0, 16);
}

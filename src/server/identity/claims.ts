/**
 * The claims of a signed token the rooms use (PROTOCOL.md v3, "Signed identity"), read from a
 * payload whose signature, `exp`, `nbf`, `iss` and `aud` were already checked: `sub` becomes the
 * user's id as given, `name` the name asked for, `role` the role for the sockets that present the
 * token, `bot` a badge on every user object of theirs, `rooms` the rooms the token may enter.
 */
import { normalizeName } from "@edge-chat/protocol/validate";

/** What a verified token says of its user. */
export interface SignedIdentity {
  /** The user's id, exactly as the token gives it. */
  sub: string;
  /** When the token expires (seconds since the epoch). */
  exp: number;
  /** The name asked for by a valid `name` claim, trimmed. */
  name?: string;
  /** What is wrong with a `name` claim that breaks the rules of a name (`name_invalid`). */
  nameError?: string;
  /** The role for the sockets that present the token; without it the room's record decides. */
  role?: "owner" | "moderator" | "member";
  bot: boolean;
  /** The rooms the token may enter (absent: every room). */
  rooms?: string[];
}

/** A user id a token may carry: 1–64 of `A-Za-z0-9_.:@-`. */
const SUB = /^[A-Za-z0-9_.:@-]{1,64}$/;

/** Ids of incoming hooks; no token may claim one. */
const HOOK_PREFIX = "hook:";

const ROLES: ReadonlySet<unknown> = new Set(["owner", "moderator", "member"]);

/** Seconds a token's `iat` may be ahead of the room's clock (the leeway of every time claim). */
export const LEEWAY_SECONDS = 60;

/** The identity a verified payload gives, or what makes the token unacceptable. */
export function identityFromClaims(payload: Record<string, unknown>, nowSeconds: number): SignedIdentity | { refused: string } {
  const { sub, exp, iat, name, role, bot, rooms } = payload;
  if (typeof sub !== "string" || !SUB.test(sub)) return { refused: "sub must be 1–64 characters of A-Za-z0-9_.:@-" };
  if (sub.startsWith(HOOK_PREFIX)) return { refused: "sub may not begin with hook:" };
  if (typeof exp !== "number") return { refused: "exp is required" };
  // jose checks `iat` for the future only with a maximum age; PROTOCOL.md wants it always.
  if (iat !== undefined && (typeof iat !== "number" || iat > nowSeconds + LEEWAY_SECONDS)) return { refused: "iat is in the future" };
  if (role !== undefined && !ROLES.has(role)) return { refused: 'role must be "owner", "moderator" or "member"' };
  if (bot !== undefined && typeof bot !== "boolean") return { refused: "bot must be true or false" };
  if (rooms !== undefined && !(Array.isArray(rooms) && rooms.every((room) => typeof room === "string"))) {
    return { refused: "rooms must be an array of strings" };
  }
  const identity: SignedIdentity = { sub, exp, bot: bot === true };
  if (name !== undefined) {
    const trimmed = normalizeName(name);
    if (trimmed === null) identity.nameError = "the token's name claim is not a valid name";
    else identity.name = trimmed;
  }
  if (role !== undefined) identity.role = role as SignedIdentity["role"];
  if (rooms !== undefined) identity.rooms = rooms as string[];
  return identity;
}

/**
 * True when the token may enter `room`: it names no rooms, or one of them equals the room's name,
 * or one ending in `*` is a prefix of it (the `*` removed).
 */
export function mayEnter(identity: Pick<SignedIdentity, "rooms">, room: string): boolean {
  if (identity.rooms === undefined) return true;
  return identity.rooms.some((allowed) => (allowed.endsWith("*") ? room.startsWith(allowed.slice(0, -1)) : room === allowed));
}

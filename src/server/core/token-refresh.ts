/**
 * The `auth` frame (PROTOCOL.md v3): a socket admitted with a signed token sends a fresh one before
 * its `exp`. Anonymous sockets get `bad_message` (an Access socket's `auth` is refused by the decoder
 * already); a token that does not verify gets `unauthorized`, one for another `sub` (or that may not
 * enter this room) `forbidden`, and a refusal changes nothing. Accepted, the socket's holder moves
 * its expiry to the new `exp` and the room answers `{"type": "auth", "exp"}`; nothing else of the
 * new token is taken (a name claim is not a rename), and nothing is charged to the bucket.
 */
import type { Credential } from "./credential.ts";
import type { Conn } from "./presence.ts";
import type { RuleContext } from "./rule-context.ts";

/** Judges an `auth` frame of a welcomed connection, with the holder's verification of its token. */
export function handleAuth(room: RuleContext, conn: Conn, credential: Credential | undefined): void {
  const reply = { to: "conn", conn: conn.key } as const;
  if (!conn.signed) return room.error(reply, "bad_message", "this connection was not admitted with a signed token");
  if (credential?.kind !== "signed") {
    return room.error(reply, "unauthorized", `the signed token was refused: ${credential?.message ?? "it was not verified"}`);
  }
  if (credential.identity.sub !== conn.user) return room.error(reply, "forbidden", "the new token is for another user");
  if (!credential.mayEnter) return room.error(reply, "forbidden", "the new token may not enter this room");
  conn.signed.exp = credential.identity.exp;
  room.hooks.expires(conn.key, conn.signed.exp);
  room.reply(conn, { type: "auth", exp: conn.signed.exp });
}

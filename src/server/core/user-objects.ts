/**
 * User objects as every frame shows them ({id, name, bot?}): `bot: true` is present exactly for the
 * users the room knows as bots (their signed token's `bot` claim, PROTOCOL.md v3), wherever they
 * appear: as a sender, a recipient, a quote's author, in lists, joins, leaves and moderation.
 */
import type { User } from "@edge-chat/protocol";

/** Whether the room knows a user id as a bot (an in-memory lookup: users.ts keeps bots cached). */
export type IsBot = (id: string) => boolean;

/** The user object of `id` under `name`. */
export function userObject(id: string, name: string, isBot: IsBot): User {
  return isBot(id) ? { id, name, bot: true } : { id, name };
}

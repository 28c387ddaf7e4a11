/**
 * Who the page can name: everyone it knows of (people online, then the authors of the messages
 * it holds), and the person a `/msg` line starts with. No DOM here, so unit tests hold it.
 */
import type { User } from "@edge-chat/protocol";
import { nameKey } from "@edge-chat/protocol/names";

/** Everyone in `online`, then every author in `messages` not among them, each once (by id). */
export function knownPeople(online: readonly User[], messages: readonly { from: User }[]): User[] {
  const known = new Map<string, User>();
  for (const user of online) known.set(user.id, user);
  for (const message of messages) if (!known.has(message.from.id)) known.set(message.from.id, message.from);
  return [...known.values()];
}

/**
 * The person whose name `rest` starts with, followed by whitespace or the end, and how many
 * characters of `rest` the name took. Names compare as the room compares them (`nameKey`), and
 * the longest match wins, so "ann lee hi" goes to "ann lee" when both "ann" and "ann lee" exist.
 */
export function personNamed(people: readonly User[], rest: string): { user: User; length: number } | undefined {
  let best: { user: User; length: number } | undefined;
  for (const user of people) {
    // A name's key can be shorter than what was typed (width and case forms, joiners): look a little further.
    for (let end = 1; end <= Math.min(rest.length, user.name.length * 4 + 4); end++) {
      const after = rest[end];
      if (after !== undefined && !/\s/u.test(after)) continue;
      if (nameKey(rest.slice(0, end)) === nameKey(user.name) && end > (best?.length ?? 0)) best = { user, length: end };
    }
  }
  return best;
}

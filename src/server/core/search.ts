/**
 * Search (PROTOCOL.md v3): the messages a user may see whose current text holds every term of `q`
 * (compared after NFKC and lower-casing, as substrings), newest first, below `before`, in their
 * current state as `history` shows them. `next` is the `before` of the next page, present only
 * when an older match exists (one more row is read to know). The frame takes a token from the
 * bucket and echoes `q` exactly as sent; the HTTP API answers the same pages (search-route.ts).
 */
import { LIMITS, type MessageFrame, type SearchRequestFrame } from "@edge-chat/protocol";
import { searchTerms } from "@edge-chat/protocol/search";
import type { Conn } from "./presence.ts";
import type { RuleContext } from "./rule-context.ts";

/** One page of search results. */
export interface SearchPage {
  messages: MessageFrame[];
  next?: number;
}

/** Answers a `search` frame (its fields were judged by the decoder), after the bucket. */
export function handleSearch(room: RuleContext, conn: Conn, frame: SearchRequestFrame): void {
  const judged = searchTerms(frame.q);
  if (!judged.ok) return room.error({ to: "conn", conn: conn.key }, judged.code, judged.message);
  if (!room.charge(conn)) return;
  const page = searchPage(room, conn.user, judged.terms, frame.limit ?? LIMITS.searchPageDefault, frame.before);
  room.reply(conn, { type: "search", q: frame.q, ...page });
}

/** A page of matches for `viewer` (null: public messages only, as the HTTP API without a credential). */
export function searchPage(room: Pick<RuleContext, "log" | "folder">, viewer: string | null, terms: readonly string[], limit: number, before?: number): SearchPage {
  const rows = room.log.searchRows(viewer, terms, limit + 1, before);
  const shown = rows.slice(0, limit);
  // Folded one by one: a page spans any stretch of the log, and a message's reactions are read by its own key.
  const messages = shown.flatMap((row) => room.folder.messages([row], viewer));
  const page: SearchPage = { messages };
  if (rows.length > limit) page.next = shown.at(-1)!.seq;
  return page;
}

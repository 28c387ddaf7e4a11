/**
 * What a user reads of the log: a `history` page, and the messages a `welcome` carries (every
 * event after `since` when the log can prove it complete, else the latest page).
 */
import { LIMITS } from "@edge-chat/protocol";
import type { HistoryRequestFrame, ReceivedHelloFrame, WelcomeFrame } from "@edge-chat/protocol";
import type { Conn } from "./presence.ts";
import type { RuleContext } from "./rule-context.ts";

/** Answers `history`: the page before `before` this user may see, in their current state. Costs a token. */
export function handleHistory(room: RuleContext, conn: Conn, request: HistoryRequestFrame): void {
  if (!room.charge(conn)) return;
  const limit = request.limit ?? LIMITS.pageDefault;
  const rows = room.log.messageRows(conn.user, limit + 1, request.before);
  const hasMore = rows.length > limit;
  const messages = room.folder.messages(rows.slice(0, limit).reverse(), conn.user);
  room.reply(conn, { type: "history", messages, hasMore });
}

/** Every event after `since` the user may see, if the log can prove it complete; else the latest page. */
export function resumeOf(room: RuleContext, viewer: string, hello: Pick<ReceivedHelloFrame, "since" | "epoch">): { resumed: boolean; messages: WelcomeFrame["messages"] } {
  const { since, epoch } = hello;
  const log = room.log;
  if (since !== undefined && epoch === log.epoch && since <= log.lastSeq && since >= log.prunedThrough) {
    const rows = log.eventRowsAfter(viewer, since, LIMITS.resumeMax + 1);
    if (rows.length <= LIMITS.resumeMax) return { resumed: true, messages: room.folder.events(rows, viewer) };
  }
  const rows = log.messageRows(viewer, LIMITS.pageDefault).reverse();
  return { resumed: false, messages: room.folder.messages(rows, viewer) };
}

/**
 * Read state (PROTOCOL.md v3): the `read` frame moves the user's position to the larger of what it
 * was and `seq`, capped at the room's latest seq (change events count); nothing answers the sender,
 * and when it moved, the user's other connections get `{"type": "read", "seq"}`. Not charged. The
 * position is the user's alone: only their own connections and their own credential ever see it.
 * A welcome and the room info carry it with `unread`: messages the user may see above it (the
 * visibility rule of history), not deleted, not their own, counted up to 1,000.
 */
import type { ReadFrame } from "@edge-chat/protocol";
import type { Conn } from "./presence.ts";
import type { RuleContext } from "./rule-context.ts";

/** `unread` counts at most this many (PROTOCOL.md v3, "Read state"). */
export const UNREAD_CAP = 1_000;

/** Judges a `read` frame: the position only ever moves forward, and never past the room's latest seq. */
export function handleRead(room: RuleContext, conn: Conn, frame: ReadFrame): void {
  const seq = Math.min(frame.seq, room.log.lastSeq);
  if (seq <= room.reads.get(conn.user)) return;
  const now = room.now();
  room.reads.move(conn.user, seq, now);
  room.hooks.readMoved(room.reads.unwrittenSince ?? now);
  for (const key of room.presence.user(conn.user)?.conns ?? []) {
    if (key !== conn.key) room.queue.frame({ to: "conn", conn: key }, { type: "read", seq });
  }
}

/** A user's read position and unread count, as a welcome and the room info carry them. */
export function readStateOf(room: Pick<RuleContext, "log" | "reads">, userId: string): { read: number; unread: number } {
  const read = room.reads.get(userId);
  return { read, unread: room.log.unreadCount(userId, read, UNREAD_CAP) };
}

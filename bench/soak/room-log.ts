/**
 * The room's stored log, read back over HTTP: its messages in their current state from
 * `GET /api/rooms/:room/messages` page by page, and its latest seq from `GET /api/rooms/:room`.
 * The API folds change events into their messages and never lists them, so the seqs of edits,
 * deletes and reactions come from the senders, who saw each of theirs stored. Together they are
 * checked on their own: seqs 1..N with no gap (every soak event is public), each seq one event,
 * each (user, client id) stored once.
 */
import type { EventFrame, MessageFrame } from "@edge-chat/protocol";
import { decodeServerText } from "@edge-chat/protocol/server-frames";

/** The messages, ascending by seq. */
export type RoomLog = MessageFrame[];

/** The room's latest seq, as `GET /api/rooms/:room` answers it. */
export async function readRoomSeq(baseUrl: string, room: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/rooms/${room}`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`room info answered ${response.status}`);
  const info = (await response.json()) as { seq?: unknown };
  if (typeof info.seq !== "number") throw new Error("room info has no seq");
  return info.seq;
}

/** Reads a room's whole public history, newest page first, and returns it ascending. */
export async function readPublicLog(baseUrl: string, room: string, maxPages = 1_000): Promise<RoomLog> {
  const pages: MessageFrame[][] = [];
  let before: number | undefined;
  for (let i = 0; i < maxPages; i++) {
    const query = before === undefined ? "limit=100" : `limit=100&before=${before}`;
    const response = await fetch(`${baseUrl}/api/rooms/${room}/messages?${query}`, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) throw new Error(`history page answered ${response.status}`);
    const page = parsePage(await response.text());
    pages.unshift(page.messages);
    const first = page.messages[0];
    if (!page.hasMore || !first) return pages.flat();
    before = first.seq;
  }
  throw new Error(`history has more than ${maxPages} pages`);
}

/** Validates a page body. It has the shape of a `history` frame without `type`, so that schema reads it. */
function parsePage(body: string): { messages: MessageFrame[]; hasMore: boolean } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new Error("history page is not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error("history page is not an object");
  const decoded = decodeServerText(JSON.stringify({ ...raw, type: "history" }));
  const frame = decoded.kind === "frames" ? decoded.frames[0] : undefined;
  if (frame?.type !== "history") throw new Error("history page does not match the protocol");
  return { messages: frame.messages, hasMore: frame.hasMore };
}

/** What the log looks like on its own. */
export interface LogShape {
  /** The last seq (0 when empty). */
  lastSeq: number;
  /** Seqs missing from 1..lastSeq, and messages out of ascending order. */
  gaps: number;
  outOfOrder: number;
  /** Events whose (user id, client id) an earlier one already had, or whose seq another event holds. */
  duplicated: number;
}

/**
 * Checks that the messages and the change events together are 1..N, one event a seq, with each
 * (user, client id) once, and the messages in order; `roomSeq` is the room's own latest seq.
 */
export function logShape(log: RoomLog, changes: readonly EventFrame[] = [], roomSeq = 0): LogShape {
  const keys = new Set<string>();
  const seqs = new Set<number>();
  let duplicated = 0;
  let outOfOrder = 0;
  let previous = 0;
  for (const event of [...log, ...changes]) {
    if (event.type === "message") {
      if (event.seq <= previous) outOfOrder++;
      previous = Math.max(previous, event.seq);
    }
    const key = eventKey(event);
    if (keys.has(key) || seqs.has(event.seq)) duplicated++;
    keys.add(key);
    seqs.add(event.seq);
  }
  const lastSeq = Math.max(roomSeq, ...seqs);
  return { lastSeq, gaps: lastSeq - seqs.size, outOfOrder, duplicated };
}

/** The identity of a message: its sender's user id and the sender's client id. */
export function messageKey(userId: string, clientId: string): string {
  return `${userId} ${clientId}`;
}

/** The identity of any stored event: its author's user id and client id (one namespace per user). */
export function eventKey(event: EventFrame): string {
  return messageKey(event.type === "message" ? event.from.id : event.user.id, event.id);
}

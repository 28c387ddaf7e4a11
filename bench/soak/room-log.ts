/**
 * The room's stored public log, read back over `GET /api/rooms/:room/messages` page by page, and
 * checked on its own: seqs 1..N with no gap (every soak message is public), each (user, client id)
 * stored once.
 */
import type { MessageFrame } from "../../src/shared/protocol.ts";
import { decodeServerText } from "../../src/shared/server-frames.ts";

/** The log, ascending by seq. */
export type RoomLog = MessageFrame[];

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
  /** Seqs missing from 1..lastSeq, and seqs out of ascending order. */
  gaps: number;
  outOfOrder: number;
  /** Messages whose (user id, client id) an earlier message already had. */
  duplicated: number;
}

/** Checks that the log is 1..N in order with each (user, client id) once. */
export function logShape(log: RoomLog): LogShape {
  const keys = new Set<string>();
  let duplicated = 0;
  let outOfOrder = 0;
  let previous = 0;
  for (const message of log) {
    if (message.seq <= previous) outOfOrder++;
    previous = Math.max(previous, message.seq);
    const key = messageKey(message.from.id, message.id);
    if (keys.has(key)) duplicated++;
    keys.add(key);
  }
  const distinctSeqs = new Set(log.map((m) => m.seq)).size;
  return { lastSeq: previous, gaps: previous - distinctSeqs, outOfOrder, duplicated };
}

/** The identity of a message: its sender's user id and the sender's client id. */
export function messageKey(userId: string, clientId: string): string {
  return `${userId} ${clientId}`;
}

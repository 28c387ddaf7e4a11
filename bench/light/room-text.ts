/**
 * One text frame from a room, as the light client reads it: the frames `decodeServerText`
 * validates (a `batch` unpacked), each beside its raw JSON, and what the decoder left out, sorted
 * into frame types it does not know (a newer room's, such as protocol v2's `occupancy`: counted,
 * never fatal) and frames that break their own type's rules (malformed: a real fault). The raw
 * JSON is kept because a v1 schema drops fields the bench reads, such as v2's `online`.
 */
import { decodeServerText, type RoomFrame } from "@edge-chat/protocol/server-frames";

/**
 * Types `decodeServerText` validates, and `batch` (a nested one is malformed). A dropped frame of
 * one of these broke its schema; any other type is one the decoder does not know yet. The list
 * need not grow with server-frames.ts: a type the decoder learns is decoded, never dropped.
 */
const KNOWN = new Set<string>([
  ...(["welcome", "message", "join", "leave", "rename", "typing", "history", "error"] satisfies RoomFrame["type"][]),
  "batch",
]);

/** A frame the decoder accepted, with the JSON object it came from. */
export interface ReadFrame {
  frame: RoomFrame;
  raw: Record<string, unknown>;
}

/** What one text frame held. */
export interface RoomText {
  pong: boolean;
  /** Accepted frames, in order. */
  frames: ReadFrame[];
  /** Left out, type unknown to the decoder, with their raw JSON (a v2 `occupancy` carries `online`). */
  unknown: { type: string; raw: Record<string, unknown> }[];
  /** Left out although of a known type, or not an object with a string type at all. */
  malformed: number;
  /** True when the text was one frame, not a batch (its size is then the text's). */
  single: boolean;
}

/** Reads one text frame from a room with `decodeServerText`, sorting out what it left out. */
export function readRoomText(text: string): RoomText {
  const result: RoomText = { pong: false, frames: [], unknown: [], malformed: 0, single: true };
  const decoded = decodeServerText(text);
  if (decoded.kind === "pong") return { ...result, pong: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ...result, malformed: 1 };
  }
  const batch = isObject(parsed) && parsed.type === "batch" && Array.isArray(parsed.frames);
  const items: unknown[] = batch ? (parsed as { frames: unknown[] }).frames : [parsed];
  result.single = !batch;
  // The decoded frames are the items it accepted, in order: walk both lists side by side.
  const accepted = decoded.kind === "frames" ? decoded.frames : [];
  let next = 0;
  for (const item of items) {
    const type = isObject(item) && typeof item.type === "string" ? item.type : undefined;
    const frame = accepted[next];
    if (frame && isObject(item) && frame.type === type) {
      result.frames.push({ frame, raw: item });
      next++;
    } else if (type !== undefined && !KNOWN.has(type)) {
      result.unknown.push({ type, raw: item as Record<string, unknown> });
    } else {
      result.malformed++;
    }
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

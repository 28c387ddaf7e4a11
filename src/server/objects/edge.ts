/**
 * What every object that holds room sockets (the Room, its shards) does with an incoming frame
 * before any room state is involved: size, binary, JSON and the protocol module's validation.
 * One implementation, so a socket on a shard is judged exactly like one on the Room.
 */
import { CLOSE, LIMITS } from "@edge-chat/protocol";
import type { ErrorFrame } from "@edge-chat/protocol";
import { decodeClientFrame, frameRef, type DecodeContext, type Decoded } from "@edge-chat/protocol/validate";

/** What to do with one incoming frame. */
export type Admission =
  | { kind: "close"; code: number; reason: string }
  | { kind: "error"; frame: ErrorFrame }
  | { kind: "decoded"; decoded: Decoded };

const encoder = new TextEncoder();

/** Checks a frame's size and kind, then decodes it (`context`: what the socket's upgrade carried). */
export function admit(data: string | ArrayBuffer, context: DecodeContext = {}): Admission {
  const bytes = typeof data === "string" ? utf8Length(data) : data.byteLength;
  if (bytes > LIMITS.frameBytes) return { kind: "close", code: CLOSE.tooBig, reason: "frame over 65536 bytes" };
  if (typeof data !== "string") return { kind: "error", frame: { type: "error", code: "bad_message", message: "binary frames are not accepted" } };
  return { kind: "decoded", decoded: decodeClientFrame(data, context) };
}

/**
 * The answer a frame gets without the room, or undefined when the room must judge it. `welcomed`:
 * the socket's hello was accepted; `helloSent`: a hello went to the room and its answer may still
 * be on its way (then everything goes to the room, which knows).
 */
export function localAnswer(decoded: Decoded, welcomed: boolean, helloSent: boolean): ErrorFrame | undefined {
  if (welcomed) {
    if (decoded.type === "hello") return errorFrame("bad_message", "hello was already accepted");
    return decoded.ok ? undefined : errorFrame(decoded.code, decoded.message, decoded.ref);
  }
  if (helloSent) return undefined;
  if (decoded.type !== undefined && decoded.type !== "hello") {
    return errorFrame("not_ready", "send hello first", decoded.ok ? frameRef(decoded.frame) : decoded.ref);
  }
  return decoded.ok ? undefined : errorFrame(decoded.code, decoded.message, decoded.ref);
}

function errorFrame(code: ErrorFrame["code"], message: string, ref?: string): ErrorFrame {
  return ref === undefined ? { type: "error", code, message } : { type: "error", code, message, ref };
}

/** UTF-8 size of a string, without encoding it when it is clearly small. */
function utf8Length(text: string): number {
  return text.length * 3 <= LIMITS.frameBytes ? text.length : encoder.encode(text).byteLength;
}

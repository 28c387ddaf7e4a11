/**
 * Validation of what a room sends, for every client (the page, the bench and soak clients, the
 * tests): a text frame becomes a list of typed frames (a `batch` unpacked) or nothing. The types
 * are the protocol module's; each schema below is checked against its interface at compile time,
 * so the two cannot drift. `validate.ts` beside it validates what clients send.
 */
import * as v from "valibot";
import { HEARTBEAT } from "./protocol.ts";
import type {
  ErrorFrame,
  HistoryFrame,
  JoinFrame,
  LeaveFrame,
  MessageFrame,
  RenamedFrame,
  SingleServerFrame,
  TypingNoticeFrame,
  WelcomeFrame,
} from "./protocol.ts";

const Seq = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const UserSchema = v.object({ id: v.string(), name: v.string() });

const MessageSchema = v.object({
  type: v.literal("message"),
  seq: Seq,
  id: v.string(),
  from: UserSchema,
  text: v.string(),
  ts: v.number(),
  to: v.optional(UserSchema),
});

/**
 * A message inside `welcome.messages` and `history.messages`. PROTOCOL.md lists these as
 * "message…" without saying whether each carries `type`; our room sends it, and a room that
 * left it out is read the same way.
 */
const ListedMessageSchema = v.object({ ...MessageSchema.entries, type: v.optional(v.literal("message"), "message") });

const WelcomeSchema = v.object({
  type: v.literal("welcome"),
  self: UserSchema,
  users: v.array(UserSchema),
  messages: v.array(ListedMessageSchema),
  seq: Seq,
  epoch: v.string(),
  resumed: v.boolean(),
  limits: v.object({ text: v.number(), name: v.number(), burst: v.number(), perSecond: v.number() }),
});

const JoinSchema = v.object({ type: v.literal("join"), user: UserSchema });
const LeaveSchema = v.object({ type: v.literal("leave"), user: UserSchema });
const RenameSchema = v.object({ type: v.literal("rename"), user: UserSchema, old: v.string() });
const TypingSchema = v.object({ type: v.literal("typing"), user: UserSchema });
const HistorySchema = v.object({ type: v.literal("history"), messages: v.array(ListedMessageSchema), hasMore: v.boolean() });
const ErrorSchema = v.object({
  type: v.literal("error"),
  // Any string: a newer room may add codes, and the page shows those with a generic line.
  code: v.string(),
  message: v.string(),
  ref: v.optional(v.string()),
  retryAfterMs: v.optional(v.number()),
});

/** The schema for each frame type, each checked against the protocol module's interface. */
const SCHEMAS = {
  welcome: WelcomeSchema satisfies v.GenericSchema<unknown, WelcomeFrame>,
  message: MessageSchema satisfies v.GenericSchema<unknown, MessageFrame>,
  join: JoinSchema satisfies v.GenericSchema<unknown, JoinFrame>,
  leave: LeaveSchema satisfies v.GenericSchema<unknown, LeaveFrame>,
  rename: RenameSchema satisfies v.GenericSchema<unknown, RenamedFrame>,
  typing: TypingSchema satisfies v.GenericSchema<unknown, TypingNoticeFrame>,
  history: HistorySchema satisfies v.GenericSchema<unknown, HistoryFrame>,
  error: ErrorSchema satisfies v.GenericSchema<unknown, RoomError>,
} as const;

/** An `error` frame, its code read as any string so that a code added later still shows. */
export type RoomError = Omit<ErrorFrame, "code"> & { code: string };

/** Any single frame a room sends, as the page reads it. */
export type RoomFrame = Exclude<SingleServerFrame, ErrorFrame> | RoomError;

/**
 * What one text frame from the room turned out to be. `skipped` says why items of a `batch` were
 * left out (an unknown type from a newer room, a malformed frame, a nested batch): a client
 * carries on without them, a test fails on them.
 */
export type Incoming =
  | { kind: "pong" }
  | { kind: "frames"; frames: RoomFrame[]; skipped: string[] }
  | { kind: "invalid"; reason: string };

/** Decodes one text frame from the room: the heartbeat, or its frames with any `batch` unpacked. */
export function decodeServerText(text: string): Incoming {
  if (text === HEARTBEAT.pong) return { kind: "pong" };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: "invalid", reason: "not JSON" };
  }
  if (isBatch(raw)) {
    // A batch never nests; frames of unknown types inside it are skipped like single ones.
    const frames: RoomFrame[] = [];
    const skipped: string[] = [];
    for (const item of raw.frames) {
      const frame = isBatch(item) ? null : validateSingle(item);
      if (frame) frames.push(frame);
      else skipped.push(isBatch(item) ? "a nested batch" : `unknown or malformed: ${JSON.stringify(item).slice(0, 200)}`);
    }
    return { kind: "frames", frames, skipped };
  }
  const frame = validateSingle(raw);
  return frame ? { kind: "frames", frames: [frame], skipped: [] } : { kind: "invalid", reason: "unknown or malformed frame" };
}

/** Validates one non-batch frame; unknown types (a newer room) and malformed frames give null. */
function validateSingle(raw: unknown): RoomFrame | null {
  if (typeof raw !== "object" || raw === null) return null;
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== "string" || !Object.hasOwn(SCHEMAS, type)) return null;
  const result = v.safeParse(SCHEMAS[type as keyof typeof SCHEMAS], raw);
  return result.success ? result.output : null;
}

function isBatch(raw: unknown): raw is { type: "batch"; frames: unknown[] } {
  return (
    typeof raw === "object" &&
    raw !== null &&
    (raw as { type?: unknown }).type === "batch" &&
    Array.isArray((raw as { frames?: unknown }).frames)
  );
}

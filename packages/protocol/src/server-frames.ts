/**
 * Validation of what a room sends, for every client (the page, the bench and soak clients, the
 * tests): a text frame becomes a list of typed frames (a `batch` unpacked) or nothing. The types
 * are the protocol module's; each schema below is checked against its interface at compile time,
 * so the two cannot drift. `validate.ts` beside it validates what clients send. Unknown fields are
 * dropped (a newer room may add some); the test client compares what was sent with what was kept.
 */
import * as v from "valibot";
import { HEARTBEAT } from "./protocol.ts";
import type {
  DeleteEventFrame,
  EditEventFrame,
  ErrorFrame,
  HistoryFrame,
  JoinFrame,
  LeaveFrame,
  MembersFrame,
  MessageFrame,
  ModerationFrame,
  OccupancyFrame,
  ReactEventFrame,
  ReadNoticeFrame,
  RenamedFrame,
  SearchFrame,
  AuthAcceptedFrame,
  ServerFrameV3,
  SettingsFrame,
  SingleServerFrame,
  TypingNoticeFrame,
  WelcomeFrame,
} from "./protocol.ts";

const Seq = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const Count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const UserSchema = v.object({ id: v.string(), name: v.string(), bot: v.optional(v.literal(true)) });
const ListedUserSchema = v.object({ ...UserSchema.entries, role: v.optional(v.picklist(["owner", "moderator"])) });
const SelfSchema = v.object({ ...UserSchema.entries, role: v.picklist(["owner", "moderator", "member"]) });
const SettingsEntries = { slowMs: Count, locked: v.boolean() };

const MessageSchema = v.object({
  type: v.literal("message"),
  seq: Seq,
  id: v.string(),
  from: UserSchema,
  text: v.string(),
  ts: v.number(),
  to: v.optional(UserSchema),
  replyTo: v.optional(v.object({ seq: Seq, from: UserSchema, text: v.string(), deleted: v.optional(v.literal(true)) })),
  edited: v.optional(v.number()),
  deleted: v.optional(v.literal(true)),
  reactions: v.optional(v.array(v.object({ emoji: v.string(), count: Count, me: v.optional(v.boolean()) }))),
  files: v.optional(
    v.array(v.object({ id: v.string(), type: v.string(), size: Count, name: v.optional(v.string()), url: v.string(), width: v.optional(Count), height: v.optional(Count) })),
  ),
});

/** What every change event carries: its seq and client id, the target, who made it and when. */
const ChangeEntries = { seq: Seq, id: v.string(), target: Seq, user: UserSchema, ts: v.number(), to: v.optional(UserSchema) };
const EditSchema = v.object({ type: v.literal("edit"), ...ChangeEntries, text: v.string() });
const DeleteSchema = v.object({ type: v.literal("delete"), ...ChangeEntries });
const ReactSchema = v.object({ type: v.literal("react"), ...ChangeEntries, emoji: v.string(), on: v.boolean(), count: Count });

/** Items of `welcome.messages`: messages, and on a resume the change events too. */
const EventSchema = v.variant("type", [MessageSchema, EditSchema, DeleteSchema, ReactSchema]);

const WelcomeSchema = v.object({
  type: v.literal("welcome"),
  self: SelfSchema,
  users: v.array(ListedUserSchema),
  online: Count,
  messages: v.array(EventSchema),
  seq: Seq,
  epoch: v.string(),
  resumed: v.boolean(),
  settings: v.object(SettingsEntries),
  limits: v.object({
    text: v.number(),
    name: v.number(),
    burst: v.number(),
    perSecond: v.number(),
    reactions: v.number(),
    usersListed: v.number(),
    files: v.optional(v.number()),
    fileBytes: v.optional(v.number()),
  }),
  read: v.optional(Seq),
  unread: v.optional(Count),
});

const JoinSchema = v.object({ type: v.literal("join"), user: ListedUserSchema, online: Count });
const LeaveSchema = v.object({ type: v.literal("leave"), user: UserSchema, online: Count });
const OccupancySchema = v.object({ type: v.literal("occupancy"), online: Count });
const RenameSchema = v.object({ type: v.literal("rename"), user: UserSchema, old: v.string() });
const TypingSchema = v.object({ type: v.literal("typing"), user: UserSchema });
const HistorySchema = v.object({ type: v.literal("history"), messages: v.array(MessageSchema), hasMore: v.boolean() });
const MembersSchema = v.object({ type: v.literal("members"), users: v.array(ListedUserSchema), next: v.optional(v.string()) });
const ModerationSchema = v.object({
  type: v.literal("moderation"),
  action: v.picklist(["grant", "kick", "mute", "ban"]),
  user: UserSchema,
  by: UserSchema,
  role: v.optional(v.picklist(["moderator", "member"])),
  until: v.optional(v.number()),
  reason: v.optional(v.string()),
});
const SettingsSchema = v.object({ type: v.literal("settings"), ...SettingsEntries, by: UserSchema });
const ErrorSchema = v.object({
  type: v.literal("error"),
  // Any string: a newer room may add codes, and the page shows those with a generic line.
  code: v.string(),
  message: v.string(),
  ref: v.optional(v.string()),
  retryAfterMs: v.optional(v.number()),
});

// Version 3.
const ReadSchema = v.object({ type: v.literal("read"), seq: Seq });
const SearchSchema = v.object({ type: v.literal("search"), q: v.string(), messages: v.array(MessageSchema), next: v.optional(Seq) });
const AuthSchema = v.object({ type: v.literal("auth"), exp: v.number() });

/** The schema for each frame type, each checked against the protocol module's interface. */
const SCHEMAS = {
  welcome: WelcomeSchema satisfies v.GenericSchema<unknown, WelcomeFrame>,
  message: MessageSchema satisfies v.GenericSchema<unknown, MessageFrame>,
  edit: EditSchema satisfies v.GenericSchema<unknown, EditEventFrame>,
  delete: DeleteSchema satisfies v.GenericSchema<unknown, DeleteEventFrame>,
  react: ReactSchema satisfies v.GenericSchema<unknown, ReactEventFrame>,
  join: JoinSchema satisfies v.GenericSchema<unknown, JoinFrame>,
  leave: LeaveSchema satisfies v.GenericSchema<unknown, LeaveFrame>,
  occupancy: OccupancySchema satisfies v.GenericSchema<unknown, OccupancyFrame>,
  rename: RenameSchema satisfies v.GenericSchema<unknown, RenamedFrame>,
  typing: TypingSchema satisfies v.GenericSchema<unknown, TypingNoticeFrame>,
  history: HistorySchema satisfies v.GenericSchema<unknown, HistoryFrame>,
  members: MembersSchema satisfies v.GenericSchema<unknown, MembersFrame>,
  moderation: ModerationSchema satisfies v.GenericSchema<unknown, ModerationFrame>,
  settings: SettingsSchema satisfies v.GenericSchema<unknown, SettingsFrame>,
  error: ErrorSchema satisfies v.GenericSchema<unknown, RoomError>,
  read: ReadSchema satisfies v.GenericSchema<unknown, ReadNoticeFrame>,
  search: SearchSchema satisfies v.GenericSchema<unknown, SearchFrame>,
  auth: AuthSchema satisfies v.GenericSchema<unknown, AuthAcceptedFrame>,
} as const;

/** An `error` frame, its code read as any string so that a code added later still shows. */
export type RoomError = Omit<ErrorFrame, "code"> & { code: string };

/** Any single frame a room sends, as the page reads it. */
export type RoomFrame = Exclude<SingleServerFrame, ErrorFrame> | RoomError | ServerFrameV3;

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

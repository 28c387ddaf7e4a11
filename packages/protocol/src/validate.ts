/**
 * Validation of everything a client sends, with valibot schemas: a frame is decoded into a typed
 * `ClientFrame` or into the exact protocol error it deserves. Never cast, always validate.
 */
import * as v from "valibot";
import { NAME_CONTROL, NAME_INVISIBLE, nameKey } from "./names.ts";
import { LIMITS, ROOM_NAME, TOKEN } from "./protocol.ts";
import { searchTerms } from "./search.ts";
import type { ErrorCode, ReceivedClientFrame, ReceivedHelloFrame } from "./protocol.ts";

const wellFormed = (s: string): boolean => s.isWellFormed();

/**
 * A name: trimmed, 1–32 code points, no control characters, no invisible (default-ignorable)
 * code points but the three emoji need, something left once those three are set aside, and no
 * lone surrogates.
 */
export const NameSchema = v.pipe(
  v.string("name must be a string"),
  v.trim(),
  v.check(wellFormed, "name has broken Unicode"),
  v.check((s) => !NAME_CONTROL.test(s), "name has control characters"),
  v.check((s) => !NAME_INVISIBLE.test(s), "name has invisible characters"),
  v.check((s) => nameKey(s).length > 0, "name is empty"),
  v.maxCodePoints(LIMITS.name, `name is over ${LIMITS.name} characters`),
);

/** Client message ids; well-formed so that they read back from storage exactly as sent. */
const MessageIdSchema = v.pipe(
  v.string("id must be a string"),
  v.check(wellFormed, "id has broken Unicode"),
  v.minLength(1, "id is empty"),
  v.maxLength(LIMITS.idMax, `id is over ${LIMITS.idMax} characters`),
);

const SEQ_RULE = "must be a whole number from 0";
const SeqSchema = v.pipe(v.number(SEQ_RULE), v.safeInteger(SEQ_RULE), v.minValue(0, SEQ_RULE));

/** A whole number from `min` to `max`, with one message for every way of breaking it. */
function wholeNumber(min: number, max: number) {
  const rule = `must be a whole number from ${min} to ${max}`;
  return v.pipe(v.number(rule), v.safeInteger(rule), v.minValue(min, rule), v.maxValue(max, rule));
}

/** A user id as a field of a frame: 1–64 characters (an id nobody holds is judged later). */
const UserIdSchema = v.pipe(
  v.string("must be a user id"),
  v.check(wellFormed, "must be a user id"),
  v.minLength(1, "must be a user id"),
  v.maxLength(LIMITS.idMax, "must be a user id"),
);

/** Message text (`say`, `edit`): trimmed, 1–2000 code points, well-formed. */
const TextSchema = v.pipe(
  v.string("text must be a string"),
  v.trim(),
  v.check(wellFormed, "text has broken Unicode"),
  v.minCodePoints(1, "text is empty"),
  v.maxCodePoints(LIMITS.text, `text is over ${LIMITS.text} characters`),
);

/** A reaction: trimmed, 1–16 code points, no whitespace, no control characters. */
const EmojiSchema = v.pipe(
  v.string("emoji must be a string"),
  v.trim(),
  v.check(wellFormed, "emoji has broken Unicode"),
  v.minCodePoints(1, "emoji is empty"),
  v.maxCodePoints(LIMITS.emoji, `emoji is over ${LIMITS.emoji} characters`),
  v.check((s) => !/\s/u.test(s), "emoji has whitespace"),
  v.check((s) => !NAME_CONTROL.test(s), "emoji has control characters"),
);

/**
 * A hello's fields, each checked alone; which credential it carries, and its name, are judged
 * after (`judgeHello`): the name of a signed hello only once the room knows the token's claims.
 */
const HelloSchema = v.object({
  type: v.literal("hello"),
  token: v.optional(v.pipe(v.string("token must be a string"), v.regex(TOKEN, "token must be 16–128 base64url characters"))),
  // Any string: one over LIMITS.authMax or that does not verify is `unauthorized`, judged by the room.
  auth: v.optional(v.string("auth must be a string")),
  name: v.optional(v.unknown()),
  since: v.optional(SeqSchema),
  // Any string: an unknown epoch just fails to resume (the frame size bounds it).
  epoch: v.optional(v.string("must be a string")),
  // Any string: a key that is not this room's is `forbidden`, judged by the room.
  key: v.optional(v.string("must be a string")),
});

/** Version 3: a fresh signed token for a socket admitted with one. */
const AuthSchema = v.object({ type: v.literal("auth"), auth: v.string("auth must be a string") });

/** A `say`'s text may be empty when the message carries files (protocol v3): then 0–2000 code points. */
const SayTextSchema = v.pipe(
  v.string("text must be a string"),
  v.trim(),
  v.check(wellFormed, "text has broken Unicode"),
  v.maxCodePoints(LIMITS.text, `text is over ${LIMITS.text} characters`),
);

/**
 * Version 3: `say.files`, 1–4 distinct file ids (any string of an id's length: one that names no
 * file of this user in this room is `not_found`, judged by the room).
 */
const SayFilesSchema = v.pipe(
  v.array(v.pipe(v.string("files must hold file ids"), v.minLength(1, "a file id is empty"), v.maxLength(LIMITS.idMax, "a file id is too long")), "files must be an array of file ids"),
  v.minLength(1, "files is empty: leave it out"),
  v.maxLength(LIMITS.files, `a message carries at most ${LIMITS.files} files`),
  v.check((ids) => new Set(ids).size === ids.length, "files names a file twice"),
);

const SaySchema = v.pipe(
  v.object({
    type: v.literal("say"),
    id: MessageIdSchema,
    text: SayTextSchema,
    to: v.optional(UserIdSchema),
    replyTo: v.optional(SeqSchema),
    files: v.optional(SayFilesSchema),
  }),
  v.check((say) => say.text.length > 0 || say.files !== undefined, "text is empty"),
);

const EditSchema = v.object({ type: v.literal("edit"), id: MessageIdSchema, target: SeqSchema, text: TextSchema });

const DeleteSchema = v.object({ type: v.literal("delete"), id: MessageIdSchema, target: SeqSchema });

const ReactSchema = v.object({
  type: v.literal("react"),
  id: MessageIdSchema,
  target: SeqSchema,
  emoji: EmojiSchema,
  on: v.boolean("must be true or false"),
});

const RenameSchema = v.object({ type: v.literal("rename"), name: NameSchema });

const TypingSchema = v.object({ type: v.literal("typing") });

const HistorySchema = v.object({
  type: v.literal("history"),
  before: v.optional(SeqSchema),
  limit: v.optional(wholeNumber(1, LIMITS.pageMax)),
});

const MembersSchema = v.object({
  type: v.literal("members"),
  after: v.optional(UserIdSchema),
  limit: v.optional(wholeNumber(1, LIMITS.membersMax)),
});

const GrantSchema = v.object({
  type: v.literal("grant"),
  user: UserIdSchema,
  role: v.picklist(["moderator", "member"], "must be moderator or member"),
});

/**
 * A moderation reason (v3 fine print): trimmed, at most 200 code points (longer: `too_long`),
 * well-formed; one that is empty after trimming is as if absent.
 */
const ReasonSchema = v.pipe(
  v.string("reason must be a string"),
  v.trim(),
  v.check(wellFormed, "reason has broken Unicode"),
  v.maxCodePoints(LIMITS.reason, `reason is over ${LIMITS.reason} characters`),
  v.transform((s): string | undefined => (s === "" ? undefined : s)),
);

/** Drops a `reason` that was empty after trimming, so that the frame reads as if it had none. */
function withoutEmptyReason<T extends { reason?: string | undefined }>(frame: T): T {
  if (frame.reason !== undefined) return frame;
  const { reason: _, ...rest } = frame;
  return rest as T;
}

const KickSchema = v.pipe(v.object({ type: v.literal("kick"), user: UserIdSchema, reason: v.optional(ReasonSchema) }), v.transform(withoutEmptyReason));

const MuteSchema = v.pipe(
  v.object({ type: v.literal("mute"), user: UserIdSchema, ms: wholeNumber(0, LIMITS.muteMaxMs), reason: v.optional(ReasonSchema) }),
  v.transform(withoutEmptyReason),
);

const BanSchema = v.pipe(
  v.object({ type: v.literal("ban"), user: UserIdSchema, ms: wholeNumber(0, LIMITS.banMaxMs), reason: v.optional(ReasonSchema) }),
  v.transform(withoutEmptyReason),
);

const SettingsSchema = v.pipe(
  v.object({
    type: v.literal("settings"),
    slowMs: v.optional(wholeNumber(0, LIMITS.slowMaxMs)),
    locked: v.optional(v.boolean("must be true or false")),
  }),
  v.check((s) => s.slowMs !== undefined || s.locked !== undefined, "settings needs slowMs or locked"),
);

/** Version 3: the user has read up to `seq`. */
const ReadSchema = v.object({ type: v.literal("read"), seq: SeqSchema });

/** Version 3: `q` is any string here; its trimmed length and terms are judged after (`searchTerms`), and it is echoed as sent. */
const SearchSchema = v.object({
  type: v.literal("search"),
  q: v.string("q must be a string"),
  before: v.optional(SeqSchema),
  limit: v.optional(wholeNumber(1, LIMITS.searchPageMax)),
});

const SCHEMAS = {
  hello: HelloSchema,
  say: SaySchema,
  edit: EditSchema,
  delete: DeleteSchema,
  react: ReactSchema,
  rename: RenameSchema,
  typing: TypingSchema,
  history: HistorySchema,
  members: MembersSchema,
  grant: GrantSchema,
  kick: KickSchema,
  mute: MuteSchema,
  ban: BanSchema,
  settings: SettingsSchema,
  auth: AuthSchema,
  read: ReadSchema,
  search: SearchSchema,
} as const;

/** Frame types that store an event; errors about them carry the frame's valid `id` as `ref`. */
const WITH_ID: ReadonlySet<string> = new Set(["say", "edit", "delete", "react"]);

/** The frame types a client may send. */
export type FrameType = keyof typeof SCHEMAS;

/** Fields whose failure has its own error code; every other failure is `bad_message`. */
const FIELD_CODES: Record<string, ErrorCode> = { name: "name_invalid" };

/** The outcome of decoding one incoming frame; `type` is set whenever the frame named a known type. */
export type Decoded =
  | { ok: true; type: FrameType; frame: ReceivedClientFrame }
  | { ok: false; type?: FrameType; code: ErrorCode; message: string; ref?: string };

/**
 * What a frame's validity depends on beyond itself: `access` is true on a socket whose upgrade
 * carried `Cf-Access-Jwt-Assertion` (its hello then carries neither `token` nor `auth`).
 */
export interface DecodeContext {
  access?: boolean;
}

/** Decodes one text frame into a valid client frame, or into the error the protocol prescribes. */
export function decodeClientFrame(data: string, context: DecodeContext = {}): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, code: "bad_json", message: "frame is not valid JSON" };
  }
  return validateClientFrame(raw, context);
}

/** Validates an already parsed JSON value as a client frame. */
export function validateClientFrame(raw: unknown, context: DecodeContext = {}): Decoded {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, code: "bad_message", message: "frame must be a JSON object" };
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== "string" || !Object.hasOwn(SCHEMAS, type)) {
    return { ok: false, code: "bad_message", message: "unknown frame type" };
  }
  const known = type as FrameType;
  const result = v.safeParse(SCHEMAS[known], raw, { abortEarly: true });
  if (result.success) {
    if (known === "hello") return judgeHello(result.output as HelloFields, context);
    if (known === "auth" && context.access) {
      return { ok: false, type: "auth", code: "bad_message", message: "this connection's identity came with its upgrade and cannot be refreshed" };
    }
    if (known === "search") {
      const judged = searchTerms((result.output as { q: string }).q);
      if (!judged.ok) return { ok: false, type: "search", code: judged.code, message: judged.message };
    }
    return { ok: true, type: known, frame: result.output as ReceivedClientFrame };
  }

  const issue = result.issues[0];
  const field = String(issue.path?.[0]?.key ?? "");
  const code: ErrorCode =
    issue.type === "max_code_points" && (field === "text" || field === "reason") ? "too_long" : (FIELD_CODES[field] ?? "bad_message");
  const message = field && !issue.message.startsWith(field) ? `${field}: ${issue.message}` : issue.message;
  const ref = WITH_ID.has(known) ? refOf(raw) : undefined;
  return ref === undefined ? { ok: false, type: known, code, message } : { ok: false, type: known, code, message, ref };
}

type HelloFields = v.InferOutput<typeof HelloSchema>;

/**
 * A hello carries exactly one of `token` and `auth`, or neither on an Access socket (else
 * `bad_message`). A name present must be valid (`name_invalid`), except that a hello without
 * `token` keeps an invalid one aside as `nameError`: a `name` claim of its signed token overrides it.
 */
function judgeHello(fields: HelloFields, context: DecodeContext): Decoded {
  const { name, ...rest } = fields;
  const credentials = Number(fields.token !== undefined) + Number(fields.auth !== undefined);
  if (context.access && credentials > 0) {
    return { ok: false, type: "hello", code: "bad_message", message: "this connection's identity came with its upgrade: send neither token nor auth" };
  }
  if (!context.access && credentials !== 1) {
    return { ok: false, type: "hello", code: "bad_message", message: "hello needs exactly one of token and auth" };
  }
  const frame: ReceivedHelloFrame = rest;
  if (name !== undefined) {
    const checked = v.safeParse(NameSchema, name, { abortEarly: true });
    if (checked.success) frame.name = checked.output;
    else if (fields.token !== undefined) return { ok: false, type: "hello", code: "name_invalid", message: checked.issues[0].message };
    else frame.nameError = checked.issues[0].message;
  }
  return { ok: true, type: "hello", frame };
}

/** The client id of a stored-event frame, when it is a valid one (errors about it carry it as `ref`). */
function refOf(raw: object): string | undefined {
  const id = (raw as { id?: unknown }).id;
  return v.is(MessageIdSchema, id) ? id : undefined;
}

/** The client id that errors about a valid frame carry as `ref` (stored-event frames only). */
export function frameRef(frame: ReceivedClientFrame): string | undefined {
  return "id" in frame ? frame.id : undefined;
}

/** Returns the trimmed name, or null when it breaks the name rules. */
export function normalizeName(name: unknown): string | null {
  const result = v.safeParse(NameSchema, name);
  return result.success ? result.output : null;
}

/** Returns the trimmed reaction emoji, or null when it breaks the protocol's emoji rule. */
export function normalizeEmoji(emoji: unknown): string | null {
  const result = v.safeParse(EmojiSchema, emoji);
  return result.success ? result.output : null;
}

/** True when `room` is a valid room name exactly as it stands. */
export function isRoomName(room: string): boolean {
  return ROOM_NAME.test(room);
}

/** A parsed `?before=&limit=` query of the history API. */
export type PageQuery = { ok: true; before?: number; limit: number } | { ok: false; message: string };

const DIGITS = /^\d{1,15}$/;

/** Parses the history API's query string: `before` a seq, `limit` 1–100 (default 50). */
export function parsePageQuery(params: { get(name: string): string | null }): PageQuery {
  const before = params.get("before");
  const limit = params.get("limit");
  if (before !== null && !DIGITS.test(before)) return { ok: false, message: "before must be a whole number" };
  if (limit !== null && (!DIGITS.test(limit) || Number(limit) < 1 || Number(limit) > LIMITS.pageMax)) {
    return { ok: false, message: `limit must be a whole number from 1 to ${LIMITS.pageMax}` };
  }
  const page: PageQuery = { ok: true, limit: limit === null ? LIMITS.pageDefault : Number(limit) };
  if (before !== null) page.before = Number(before);
  return page;
}

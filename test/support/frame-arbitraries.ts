/**
 * fast-check arbitraries for client frames: valid ones (to check they round-trip), near-valid
 * objects with broken fields, mutated JSON text, deep nesting, odd Unicode and binary payloads
 * (to check that every bad frame is refused the way PROTOCOL.md says and nothing throws).
 * Shared by the protocol-module fuzz and the live-room fuzz.
 */
import fc from "fast-check";

/** A JSON-compatible value (what `JSON.parse` can hand the validator), plus `undefined` for "absent". */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const FRAME_TYPES = [
  "hello", "say", "edit", "delete", "react", "rename", "typing", "history", "members", "grant", "kick", "mute", "ban", "settings",
] as const;

/** Every field name a client frame can carry (the first `KNOWN_FIELDS`), plus names a client might try to smuggle in. */
export const FIELD_NAMES = [
  "type", "token", "name", "since", "epoch", "key", "id", "text", "to", "replyTo", "target", "emoji", "on", "before", "limit",
  "after", "user", "role", "ms", "slowMs", "locked",
  "from", "seq", "ts", "self", "count", "__proto__", "constructor", "toString",
] as const;

/** How many of `FIELD_NAMES` are fields of some client frame. */
export const KNOWN_FIELDS = 21;

/** One lone (unpaired) UTF-16 surrogate. */
export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

/** Characters that tend to break naive code: controls, bidi overrides, zero-width, BOM, noncharacters. */
const oddChar = fc.constantFrom(
  "\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u009f", "\u00ad", "\u200b", "\u200d", "\u202e",
  "\u2066", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\ufffd", "\u0301", "\u3000", "\t", "\n", "\r",
  "\u{1f600}", "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}", "\u{10ffff}", "\u{e0001}", "\"", "\\", "</script>",
);

/** Strings mixing any code point, odd characters and lone surrogates. */
export const oddString = fc
  .array(fc.oneof(fc.string({ unit: "binary", maxLength: 4 }), oddChar, loneSurrogate), { maxLength: 24 })
  .map((parts) => parts.join(""));

/** Code points of many scripts, astral included, none of them whitespace, control or invisible. */
const scriptChar = fc.oneof(
  fc.constantFrom(..."abcXYZ019_-.'"),
  fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCodePoint(c)), // CJK
  // Arabic, without U+061C (the Arabic letter mark, a default-ignorable format character).
  fc.integer({ min: 0x0600, max: 0x064a }).filter((c) => c !== 0x061c).map((c) => String.fromCodePoint(c)),
  fc.integer({ min: 0x0400, max: 0x04ff }).map((c) => String.fromCodePoint(c)), // Cyrillic
  fc.integer({ min: 0x1f300, max: 0x1f64f }).map((c) => String.fromCodePoint(c)), // emoji (astral)
  fc.constantFrom("é", "ß", "ñ", "ø", "\u{20000}", "\u{1d49c}"),
);

/** Whitespace that trimming removes. */
const padding = fc.array(fc.constantFrom(" ", "\t", "\n", "\u3000", "\u00a0", "\ufeff"), { maxLength: 3 }).map((w) => w.join(""));

/** `count` code points of scripts, with inner spaces, wrapped in trimmable whitespace. */
function paddedText(min: number, max: number): fc.Arbitrary<string> {
  return fc
    .tuple(padding, fc.array(scriptChar, { minLength: min, maxLength: max }), padding, fc.nat())
    .map(([before, chars, after, space]) => {
      // An inner space (never first or last) keeps the count while checking that only the ends are trimmed.
      if (chars.length > 2) chars[1 + (space % (chars.length - 2))] = " ";
      return before + chars.join("") + after;
    });
}

/** A valid name before trimming: 1–32 code points of any script. */
export const validName = paddedText(1, 32);

/** A valid `say` text before trimming: mostly short, sometimes right at the 2000 code point limit. */
export const validText = fc.oneof(
  { weight: 8, arbitrary: paddedText(1, 40) },
  { weight: 1, arbitrary: paddedText(1990, 2000) },
);

/** A valid token: 16–128 base64url characters. */
export const validToken = fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/);

/** A valid client message id: 1–64 UTF-16 units, well-formed. */
export const validId = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 64 }),
  fc.array(scriptChar, { minLength: 1, maxLength: 32 }).map((c) => c.join("")).filter((s) => s.length <= 64),
);

/** A safe seq: a non-negative integer. */
const seq = fc.oneof(fc.nat(1_000), fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());

/** Fields a client may add that the room must ignore (`from` among them: it is never trusted). */
const extraFields = fc.dictionary(
  fc.constantFrom("from", "seq", "ts", "self", "count", "x-extra", "v"),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  { maxKeys: 2 },
);

function optional<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined });
}

/** Drops keys whose value is `undefined`, so the object is what JSON would carry. */
function defined(record: Record<string, Json | undefined>): { [key: string]: Json } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as { [key: string]: Json };
}

/** A user id as a frame field: well-formed, 1–64 UTF-16 units. */
const userId = fc.string({ minLength: 1, maxLength: 64 }).filter((s) => s.isWellFormed());

/** A valid reaction before trimming: 1–16 code points of emoji and letters, no whitespace inside. */
export const validEmoji = fc
  .tuple(
    fc.array(fc.constantFrom("👍", "❤️", "😂", "🎉", "👩‍💻", "🇫🇷", "+1", "a", "中", "\u{1f3fd}"), { minLength: 1, maxLength: 4 }),
    fc.constantFrom("", " ", "\u3000"),
  )
  .map(([parts, pad]) => pad + parts.join("") + pad)
  .filter((e) => [...e.trim()].length <= 16);

/** A frame every rule of PROTOCOL.md accepts, possibly with ignorable extra fields. */
export const validFrame: fc.Arbitrary<{ [key: string]: Json }> = fc.oneof(
  fc
    .record({
      token: validToken,
      name: optional(validName),
      since: optional(seq),
      epoch: optional(fc.string({ maxLength: 128 })),
      key: optional(fc.string({ maxLength: 64 })),
    })
    .map((f) => defined({ type: "hello", ...f })),
  fc
    .record({ id: validId, text: validText, to: optional(userId), replyTo: optional(seq) })
    .map((f) => defined({ type: "say", ...f })),
  fc.record({ id: validId, target: seq, text: validText }).map((f) => ({ type: "edit", ...f })),
  fc.record({ id: validId, target: seq }).map((f) => ({ type: "delete", ...f })),
  fc.record({ id: validId, target: seq, emoji: validEmoji, on: fc.boolean() }).map((f) => ({ type: "react", ...f })),
  validName.map((name) => ({ type: "rename", name })),
  fc.constant({ type: "typing" }),
  fc
    .record({ before: optional(seq), limit: optional(fc.integer({ min: 1, max: 100 })) })
    .map((f) => defined({ type: "history", ...f })),
  fc
    .record({ after: optional(userId), limit: optional(fc.integer({ min: 1, max: 500 })) })
    .map((f) => defined({ type: "members", ...f })),
  fc.record({ user: userId, role: fc.constantFrom("moderator", "member") }).map((f) => ({ type: "grant", ...f })),
  userId.map((user) => ({ type: "kick", user })),
  fc.record({ user: userId, ms: fc.integer({ min: 0, max: 604_800_000 }) }).map((f) => ({ type: "mute", ...f })),
  fc.record({ user: userId, ms: fc.integer({ min: 0, max: 31_536_000_000 }) }).map((f) => ({ type: "ban", ...f })),
  fc
    .record({ slowMs: optional(fc.integer({ min: 0, max: 3_600_000 })), locked: optional(fc.boolean()) })
    .filter((f) => f.slowMs !== undefined || f.locked !== undefined)
    .map((f) => defined({ type: "settings", ...f })),
).chain((frame) => extraFields.map((extra) => ({ ...extra, ...frame })));

/** `depth` levels of nesting around a leaf, as JSON text (never built as an object: no recursion anywhere). */
export function nestedJson(depth: number, kind: "array" | "object", leaf = "1"): string {
  return kind === "array" ? "[".repeat(depth) + leaf + "]".repeat(depth) : '{"a":'.repeat(depth) + leaf + "}".repeat(depth);
}

/** Raw JSON number texts that are valid JSON yet awkward: huge, tiny, negative zero, unsafe integers. */
export const awkwardNumberText = fc.constantFrom(
  "1e400", "-1e400", "1e308", "5e-324", "-0", "0.5", "1.0", "1e2", "9007199254740993", "-9007199254740993",
  "123456789012345678901234567890", "18446744073709551616", "1E+21", "100.000000000000001",
);

/** Values that break some field rule when put in place of a field. */
export const weirdValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, -0, 0.5, 101, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324, "", " ", "\u3000"),
  fc.constantFrom<number>(Infinity, -Infinity) as fc.Arbitrary<Json>, // what JSON.parse makes of 1e400
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string(),
  oddString,
  fc.string({ unit: "binary", minLength: 60, maxLength: 200 }),
  fc.array(scriptChar, { minLength: 2001, maxLength: 2010 }).map((c) => c.join("")),
  fc.stringMatching(/^[A-Za-z0-9_-]{129,140}$/),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.integer({ min: 1, max: 300 }).map((depth) => JSON.parse(nestedJson(depth, "array")) as Json),
);

/** One edit of a frame object: a field set to a weird value, a field removed, or the type changed. */
const objectEdit = fc.oneof(
  fc.record({ op: fc.constant("set" as const), field: fc.constantFrom(...FIELD_NAMES), value: weirdValue }),
  fc.record({ op: fc.constant("delete" as const), field: fc.constantFrom(...FIELD_NAMES) }),
  fc.record({
    op: fc.constant("set" as const),
    field: fc.constant("type"),
    value: fc.oneof(fc.constantFrom<Json>(...FRAME_TYPES, "HELLO", "say ", "message", "batch", "welcome", "error", ""), weirdValue),
  }),
);

/** A valid frame with 1–3 edits (some edits leave it valid: that is part of the test). */
export const nearValidObject: fc.Arbitrary<{ [key: string]: Json }> = fc
  .tuple(validFrame, fc.array(objectEdit, { minLength: 1, maxLength: 3 }))
  .map(([frame, edits]) => {
    const out: { [key: string]: Json } = { ...frame };
    for (const edit of edits) {
      // defineProperty, so that "__proto__" becomes an own field exactly as JSON.parse would make it.
      if (edit.op === "set") Object.defineProperty(out, edit.field, { value: edit.value, enumerable: true, writable: true, configurable: true });
      else delete out[edit.field];
    }
    return out;
  });

/** One edit of a frame's JSON text. */
const textEdit = fc.record({
  kind: fc.constantFrom("insert", "delete", "replace", "truncate", "duplicate", "number", "swap-quote", "wrap"),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 8 }),
  insert: fc.oneof(fc.string({ unit: "binary", maxLength: 3 }), oddChar, loneSurrogate, fc.constantFrom("{", "}", "[", "]", '"', ",", ":", "\\", "\\u", "\\ud800", "\\udc00x", "null")),
  number: awkwardNumberText,
});

function applyTextEdit(text: string, edit: typeof textEdit extends fc.Arbitrary<infer E> ? E : never): string {
  const at = text.length === 0 ? 0 : edit.at % (text.length + 1);
  switch (edit.kind) {
    case "insert":
      return text.slice(0, at) + edit.insert + text.slice(at);
    case "delete":
      return text.slice(0, at) + text.slice(at + edit.length);
    case "replace":
      return text.slice(0, at) + edit.insert + text.slice(at + 1);
    case "truncate":
      return text.slice(0, at);
    case "duplicate":
      return text.slice(0, at + edit.length) + text.slice(at);
    case "number": {
      // Put an awkward number where a value starts (after a colon), or anywhere.
      const colon = text.indexOf(":", at);
      const start = colon < 0 ? at : colon + 1;
      const end = text.slice(start).search(/[,}]/);
      return text.slice(0, start) + edit.number + (end < 0 ? "" : text.slice(start + end));
    }
    case "swap-quote":
      return text.replace('"', "'");
    case "wrap":
      return `[${text}]`;
  }
}

/** A valid frame's JSON with 1–4 textual edits: mostly broken JSON, sometimes still valid. */
export const mutatedJson: fc.Arbitrary<string> = fc
  .tuple(validFrame, fc.array(textEdit, { minLength: 1, maxLength: 4 }))
  .map(([frame, edits]) => edits.reduce(applyTextEdit, JSON.stringify(frame)));

/** Deeply nested JSON: bare, inside a frame's field, or left unclosed. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 64, max: 12_000 }), fc.constantFrom("array" as const, "object" as const), fc.constantFrom("bare", "text", "extra", "unclosed"))
  .map(([depth, kind, where]) => {
    const nested = nestedJson(depth, kind);
    switch (where) {
      case "bare":
        return nested;
      case "text":
        return `{"type":"say","id":"deep","text":${nested}}`;
      case "extra":
        // A valid typing frame with a deep extra field: accepted, the field ignored.
        return `{"type":"typing","x":${nested}}`;
      default:
        return nested.slice(0, nested.length - depth);
    }
  });

/** Any text a client could send: random strings, random JSON, mutated and nested frames. */
export const anyFrameText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  oddString,
  fc.json({ maxDepth: 4 }),
  fc.json({ maxDepth: 3, stringUnit: "binary" }),
  nearValidObject.map((o) => JSON.stringify(o)),
  mutatedJson,
  deepJson,
  fc.constantFrom("", " ", "null", "[]", "{}", "0", '""', "true", '{"type":null}', '{"type":"say"}', "ping ", "PING", "pong", '"ping"'),
);

/**
 * Property tests of the protocol module's decoder against PROTOCOL.md. `judge` below restates the
 * client → room rules independently of the valibot schemas, and every generated frame (valid,
 * near-valid, mutated, random, deeply nested, odd Unicode) must get the verdict it prescribes: no
 * exception, the right error code, `ref` exactly when a `say` had a valid id, and valid frames come
 * back trimmed and stripped of unknown fields. Where PROTOCOL.md can be read two ways, `judge`
 * accepts both and says so; the readings are listed in docs/RELIABILITY.md.
 *
 * It runs in workerd (where rooms decode) and not in Node: how deep a JSON value may nest before
 * the engine's stack gives out is the runtime's, and 200,000 levels overflow Node's default stack.
 * No room is involved, so the sharded project leaves it out.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMITS, encode } from "@edge-chat/protocol";
import type { ClientFrame, ErrorCode } from "@edge-chat/protocol";
import { nameKey } from "@edge-chat/protocol/names";
import { decodeClientFrame, validateClientFrame } from "@edge-chat/protocol/validate";
import type { Decoded } from "@edge-chat/protocol/validate";
import {
  anyFrameText,
  deepJson,
  loneSurrogate,
  nearValidObject,
  nestedJson,
  FIELD_NAMES,
  KNOWN_FIELDS,
  validFrame,
  validId,
  validName,
  validToken,
  weirdValue,
} from "./support/frame-arbitraries.ts";

/**
 * Every property stops after 30 s: a passing run takes a few seconds, and shrinking a failure over
 * long strings could otherwise take minutes (the failure is still reported, less shrunk).
 */
const LIMITED = { interruptAfterTimeLimit: 30_000, markInterruptAsFailure: true };

const ERROR_CODES: readonly ErrorCode[] = [
  "bad_json", "bad_message", "not_ready", "too_long", "name_invalid", "unknown_user", "not_found", "forbidden", "gone",
  "too_many", "muted", "banned", "slow_mode", "locked", "rate_limited", "internal",
];
const TYPES = new Set([
  "hello", "say", "edit", "delete", "react", "rename", "typing", "history", "members", "grant", "kick", "mute", "ban", "settings",
]);
const TOKEN_RULE = /^[A-Za-z0-9_-]{16,128}$/;
// "Control characters (Cc, the bidirectional embeddings, overrides and isolates)".
const CONTROL = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
// "No default-ignorable code points other than U+200D and U+FE0E–U+FE0F".
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const EMOJI_INVISIBLE = new Set(["\u200D", "\uFE0E", "\uFE0F"]);

/** A broken rule: the codes it may be answered with; `certain` false when PROTOCOL.md reads both ways. */
interface Fault {
  codes: ErrorCode[];
  certain: boolean;
}

/** What PROTOCOL.md lets the decoder answer for one parsed frame. */
interface Verdict {
  /** Accepting is allowed: no rule is certainly broken. */
  mayAccept: boolean;
  /** Refusing is allowed: some rule is, or may be, broken. */
  mayRefuse: boolean;
  /** Acceptable error codes (several when more than one rule is broken: the order is unspecified). */
  codes: Set<ErrorCode>;
  /** Acceptable values of `ref` on an error. */
  refs: (string | undefined)[];
  /** The frame an acceptance must produce: trimmed, unknown fields dropped. */
  normalized?: ClientFrame;
}

const codePoints = (s: string): number => [...s].length;

/**
 * "A name, after trimming: 1–32 code points, no control characters, no default-ignorable code
 * points other than U+200D and U+FE0E–U+FE0F; any script", and "a name must keep at least one
 * code point other than those three".
 */
function nameFault(value: unknown): Fault | undefined {
  if (typeof value !== "string") return { codes: ["name_invalid"], certain: true };
  const name = value.trim();
  const ignorables = name.match(IGNORABLE) ?? [];
  const onlyEmojiInvisibles = ignorables.every((c) => EMOJI_INVISIBLE.has(c));
  const visible = [...name].filter((c) => !EMOJI_INVISIBLE.has(c)).length;
  // Reading: a lone surrogate is not a character of any script, so such a name is invalid.
  const ok =
    name.isWellFormed() && !CONTROL.test(name) && onlyEmojiInvisibles && visible >= 1 && codePoints(name) <= LIMITS.name;
  return ok ? undefined : { codes: ["name_invalid"], certain: true };
}

/** A seq field (`since`, `before`): a non-negative integer. */
function seqFault(value: unknown): Fault | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return undefined;
  // Reading: integers past 2^53 are not exact in JSON numbers; refusing them is allowed, not required.
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return { codes: ["bad_message"], certain: false };
  return { codes: ["bad_message"], certain: true };
}

/** A `say` id: "string 1–64 chars". Valid: 1–64 UTF-16 units, well-formed; or "maybe" when only the reading differs. */
function idStatus(value: unknown): "valid" | "maybe" | "invalid" {
  if (typeof value !== "string" || value.length === 0) return "invalid";
  if (value.length <= LIMITS.idMax && value.isWellFormed()) return "valid";
  // "chars" may mean code points (then 64 emoji fit) and a lone surrogate may or may not be a char.
  return codePoints(value) <= LIMITS.idMax ? "maybe" : "invalid";
}

/** "text (string)": after trimming 1–2000 code points (empty: bad_message; longer: too_long). */
function textFault(value: unknown): Fault | undefined {
  if (typeof value !== "string") return { codes: ["bad_message"], certain: true };
  const text = value.trim();
  const length = codePoints(text);
  // Reading: text with a lone surrogate is not UTF-8 text, so it is a bad message (whatever its length).
  if (!text.isWellFormed()) return { codes: length > LIMITS.text ? ["bad_message", "too_long"] : ["bad_message"], certain: true };
  if (length === 0) return { codes: ["bad_message"], certain: true };
  if (length > LIMITS.text) return { codes: ["too_long"], certain: true };
  return undefined;
}

/** A field naming a user (`to`, `after`, `user`): a string; one that cannot be an id may be refused or left to the room. */
function userIdFault(value: unknown): Fault | undefined {
  if (typeof value !== "string") return { codes: ["bad_message"], certain: true };
  if (value.length === 0 || value.length > LIMITS.idMax || !value.isWellFormed()) return { codes: ["bad_message"], certain: false };
  return undefined;
}

/** "emoji (string): 1–16 code points after trimming, no whitespace, no control characters". */
function emojiFault(value: unknown): Fault | undefined {
  if (typeof value !== "string") return { codes: ["bad_message"], certain: true };
  const emoji = value.trim();
  if (codePoints(emoji) < 1 || codePoints(emoji) > LIMITS.emoji || /\s/u.test(emoji) || CONTROL.test(emoji)) {
    return { codes: ["bad_message"], certain: true };
  }
  // Reading: a lone surrogate is no character; refusing it is allowed, not required.
  return emoji.isWellFormed() ? undefined : { codes: ["bad_message"], certain: false };
}

/** A whole number from `min` to `max`; past 2^53 JSON numbers are not exact, so refusing those is allowed. */
function rangeFault(value: unknown, min: number, max: number): Fault | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max) return undefined;
  return { codes: ["bad_message"], certain: true };
}

/** Frame types that store an event and carry a client `id`. */
const WITH_ID = new Set(["say", "edit", "delete", "react"]);

/** Restates PROTOCOL.md's client → room field rules for one parsed JSON value. */
function judge(raw: unknown): Verdict {
  const faults: Fault[] = [];
  const fault = (found: Fault | undefined) => found && faults.push(found);
  const refuse = (codes: ErrorCode[], certain = true) => faults.push({ codes, certain });
  let refs: (string | undefined)[] = [undefined];
  let normalized: Record<string, unknown> | undefined;

  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    refuse(["bad_message"]);
    return verdictOf(faults, refs, normalized);
  }
  const f = raw as Record<string, unknown>;
  const has = (key: string) => Object.hasOwn(f, key) && f[key] !== undefined;
  const type = Object.hasOwn(f, "type") ? f.type : undefined;
  if (typeof type !== "string" || !TYPES.has(type)) {
    refuse(["bad_message"]);
    return verdictOf(faults, refs, normalized);
  }
  normalized = { type };
  /** Copies a present field into the expected output, trimmed when `trim`. */
  const keep = (key: string, trim = false) => {
    if (has(key)) normalized![key] = trim && typeof f[key] === "string" ? (f[key] as string).trim() : f[key];
  };
  /** A required field: `check` when present, a bad message when absent. */
  const required = (key: string, check: (value: unknown) => Fault | undefined, trim = false) => {
    fault(has(key) ? check(f[key]) : { codes: ["bad_message"], certain: true });
    keep(key, trim);
  };
  const optional = (key: string, check: (value: unknown) => Fault | undefined, trim = false) => {
    if (has(key)) fault(check(f[key]));
    keep(key, trim);
  };
  if (WITH_ID.has(type)) {
    const id = idStatus(f.id);
    if (id === "invalid") refuse(["bad_message"]);
    if (id === "maybe") refuse(["bad_message"], false);
    refs = id === "valid" ? [f.id as string] : id === "maybe" ? [f.id as string, undefined] : [undefined];
    keep("id");
  }
  switch (type) {
    case "hello":
      required("token", (v) => (typeof v === "string" && TOKEN_RULE.test(v) ? undefined : { codes: ["bad_message"], certain: true }));
      // "a name that is present must be valid": null is present.
      optional("name", nameFault, true);
      optional("since", seqFault);
      optional("epoch", (v) => (typeof v === "string" ? undefined : { codes: ["bad_message"], certain: true }));
      optional("key", (v) => (typeof v === "string" ? undefined : { codes: ["bad_message"], certain: true }));
      break;
    case "say":
      required("text", textFault, true);
      optional("to", userIdFault);
      optional("replyTo", seqFault);
      break;
    case "edit":
      required("target", seqFault);
      required("text", textFault, true);
      break;
    case "delete":
      required("target", seqFault);
      break;
    case "react":
      required("target", seqFault);
      required("emoji", emojiFault, true);
      required("on", (v) => (typeof v === "boolean" ? undefined : { codes: ["bad_message"], certain: true }));
      break;
    case "rename":
      // A missing name is a bad name, or a bad message: either reads right.
      if (!has("name")) refuse(["name_invalid", "bad_message"]);
      else fault(nameFault(f.name));
      keep("name", true);
      break;
    case "typing":
      break;
    case "history":
      // "before (optional integer seq)": seqs are never negative, so a negative before is not one.
      optional("before", seqFault);
      optional("limit", (v) => rangeFault(v, 1, LIMITS.pageMax));
      break;
    case "members":
      optional("after", userIdFault);
      optional("limit", (v) => rangeFault(v, 1, LIMITS.membersMax));
      break;
    case "grant":
      required("user", userIdFault);
      required("role", (v) => (v === "moderator" || v === "member" ? undefined : { codes: ["bad_message"], certain: true }));
      break;
    case "kick":
      required("user", userIdFault);
      break;
    case "mute":
    case "ban":
      required("user", userIdFault);
      required("ms", (v) => rangeFault(v, 0, type === "mute" ? LIMITS.muteMaxMs : LIMITS.banMaxMs));
      break;
    case "settings":
      optional("slowMs", (v) => rangeFault(v, 0, LIMITS.slowMaxMs));
      optional("locked", (v) => (typeof v === "boolean" ? undefined : { codes: ["bad_message"], certain: true }));
      // "A settings frame with one field keeps the other; with neither: bad_message."
      if (!has("slowMs") && !has("locked")) refuse(["bad_message"]);
      break;
  }
  return verdictOf(faults, refs, normalized);
}

function verdictOf(faults: Fault[], refs: (string | undefined)[], normalized: Record<string, unknown> | undefined): Verdict {
  return {
    mayAccept: faults.every((fault) => !fault.certain),
    mayRefuse: faults.length > 0,
    codes: new Set(faults.flatMap((fault) => fault.codes)),
    refs,
    normalized: normalized as ClientFrame | undefined,
  };
}

/** A value, printed short for a failure message (cut well-formed: see `escaped`). */
const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300).toWellFormed()}… (${text.length} chars)` : text;
};

/**
 * The value with every string JSON-escaped. Assertions compare these: a raw lone surrogate in a
 * failing assertion's values cannot cross Vitest's channel out of workerd, and the failure is lost.
 */
function escaped(value: unknown): unknown {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return value.map(escaped);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [JSON.stringify(key), escaped(inner)]));
  }
  return value;
}

/** Checks one decoding against the verdict of PROTOCOL.md for the parsed value `raw`. */
function expectConforms(raw: unknown, decoded: Decoded): void {
  const verdict = judge(raw);
  if (decoded.ok) {
    expect(verdict.mayAccept, `accepted a frame that breaks a rule: ${show(raw)}`).toBe(true);
    expect(decoded.type).toBe((raw as { type: string }).type);
    expect(escaped(decoded.frame), `accepted ${show(raw)} as ${show(decoded.frame)}`).toEqual(escaped(verdict.normalized));
    return;
  }
  expect(verdict.mayRefuse, `refused a valid frame ${show(raw)}: ${decoded.code} ${show(decoded.message)}`).toBe(true);
  expect([...verdict.codes], `${show(raw)} got ${decoded.code}: ${show(decoded.message)}`).toContain(decoded.code);
  expect(escaped(verdict.refs), `ref of ${show(raw)}`).toContainEqual(escaped(decoded.ref));
  expectPlainError(decoded);
  // The decoder reports the frame's type whenever it named a known one (the room relies on it for not_ready).
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && typeof type === "string" && TYPES.has(type)) {
    expect(decoded.type).toBe(type);
  }
}

/** An error for people: a known code and a short message, never a stack trace. */
function expectPlainError(decoded: Extract<Decoded, { ok: false }>): void {
  expect(ERROR_CODES).toContain(decoded.code);
  expect(typeof decoded.message).toBe("string");
  expect(decoded.message.length).toBeGreaterThan(0);
  // No length bound: PROTOCOL.md sets none, and some messages quote the offending value back.
  expect(/\n\s+at |\.ts:\d+|\.js:\d+/.test(decoded.message), `a stack in ${show(decoded.message)}`).toBe(false);
}

/** Decodes `text` and checks the outcome, whatever the text is. */
function expectDecodesSafely(text: string): Decoded {
  let decoded: Decoded | undefined;
  expect(() => {
    decoded = decodeClientFrame(text);
  }).not.toThrow();
  let parsed: unknown;
  let parses = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    parses = false;
  }
  if (!parses) {
    expect(decoded!.ok ? "accepted" : decoded!.code, show(text)).toBe("bad_json");
    expectPlainError(decoded as Extract<Decoded, { ok: false }>);
  } else {
    expectConforms(parsed, decoded!);
  }
  return decoded!;
}

describe("protocol fuzz", () => {
  it("decoding any text never throws and answers exactly as PROTOCOL.md prescribes", () => {
    fc.assert(
      fc.property(anyFrameText, (text) => {
        expectDecodesSafely(text);
      }),
      { ...LIMITED, numRuns: 4_000 },
    );
  });

  it("valid frames are accepted and come back trimmed, without unknown fields, and re-encode to themselves", () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const decoded = decodeClientFrame(JSON.stringify(frame));
        expect(decoded.ok, `${show(frame)} → ${show(decoded)}`).toBe(true);
        if (!decoded.ok) return;
        expect(escaped(decoded.frame)).toEqual(escaped(judge(frame).normalized));
        // `from` and other unknown fields never survive decoding.
        expect(Object.keys(decoded.frame).every((k) => (FIELD_NAMES as readonly string[]).slice(0, KNOWN_FIELDS).includes(k))).toBe(true);
        // Round trip: what the module decoded, encoded again, decodes to the same frame.
        expect(escaped(decodeClientFrame(encode(decoded.frame)))).toEqual(escaped(decoded));
      }),
      { ...LIMITED, numRuns: 2_000 },
    );
  });

  it("near-valid frames get the error code of the rule they break, as objects and as JSON text", () => {
    fc.assert(
      fc.property(nearValidObject, (frame) => {
        expectConforms(frame, validateClientFrame(frame));
        // Through the wire: JSON turns Infinity into null and -0 into 0, so judge what was parsed.
        const text = JSON.stringify(frame);
        expectConforms(JSON.parse(text), decodeClientFrame(text));
      }),
      { ...LIMITED, numRuns: 4_000 },
    );
  });

  it("any field set to any odd value, in any frame type, is judged by its own rule", () => {
    const types = fc.constantFrom("hello", "say", "rename", "typing", "history");
    const fields = fc.constantFrom("token", "name", "since", "epoch", "id", "text", "to", "before", "limit");
    fc.assert(
      fc.property(validFrame, types, fields, weirdValue, (base, type, field, value) => {
        const frame = { ...base, type, [field]: value };
        expectConforms(frame, validateClientFrame(frame));
      }),
      { ...LIMITED, numRuns: 2_000 },
    );
  });

  it("say text counts code points after trimming: 1–2000 pass, more is too_long, blank is bad_message", () => {
    const astral = fc.constantFrom("a", "é", "中", "\u{1f600}", "\u{20000}", "\u{1d49c}");
    fc.assert(
      fc.property(
        validId,
        fc.integer({ min: 0, max: LIMITS.text + 10 }),
        astral,
        fc.constantFrom("", " ", "\n\t", "\u3000"),
        (id, length, char, pad) => {
          const decoded = decodeClientFrame(JSON.stringify({ type: "say", id, text: pad + char.repeat(length) + pad }));
          if (length === 0) expect(decoded).toMatchObject({ ok: false, code: "bad_message", ref: id });
          else if (length > LIMITS.text) expect(decoded).toMatchObject({ ok: false, code: "too_long", ref: id });
          else expect(decoded).toMatchObject({ ok: true, frame: { text: char.repeat(length) } });
        },
      ),
      { ...LIMITED, numRuns: 600 },
    );
  });

  it("names are name_invalid when blank, over 32 code points, or holding a control or broken character, in hello and rename alike", () => {
    const badName = fc.oneof(
      fc.constantFrom<unknown>("", "   ", "\u3000\t", null, 0, true, [], {}, ["bob"]),
      fc.array(fc.constantFrom("a", "中", "\u{1f600}"), { minLength: LIMITS.name + 1, maxLength: LIMITS.name + 8 }).map((c) => c.join("")),
      // The control character sits inside the name (a tab or newline at an end would just be trimmed).
      fc.tuple(validName, fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f)).map(
        ([name, control]) => `x${String.fromCharCode(control)}${name.trim()}`.slice(0, 20),
      ),
      fc.tuple(validName, loneSurrogate).map(([name, half]) => `${name.trim()}${half}x`),
      // An invisible code point inside the name (v2): zero-width space, word joiner, BOM, soft
      // hyphen, LRM, Hangul filler, a variation selector other than the emoji ones, a tag.
      fc
        .tuple(validName, fc.constantFrom("\u200B", "\u2060", "\uFEFF", "\u00AD", "\u200E", "\u3164", "\u180B", "\uFE00", "\u{E0041}", "\u200C"))
        .map(([name, hidden]) => `x${hidden}${name.trim()}`.slice(0, 20)),
      // Nothing left but the invisibles emoji need.
      fc.array(fc.constantFrom("\u200D", "\uFE0E", "\uFE0F"), { minLength: 1, maxLength: 5 }).map((c) => c.join("")),
    );
    fc.assert(
      fc.property(badName, validToken, (name, token) => {
        expect(validateClientFrame({ type: "hello", token, name })).toMatchObject({ ok: false, code: "name_invalid" });
        expect(validateClientFrame({ type: "rename", name })).toMatchObject({ ok: false, code: "name_invalid" });
      }),
      { ...LIMITED, numRuns: 1_000 },
    );
    fc.assert(
      fc.property(validName, validToken, (name, token) => {
        expect(validateClientFrame({ type: "hello", token, name })).toMatchObject({ ok: true, frame: { name: name.trim() } });
        expect(validateClientFrame({ type: "rename", name })).toMatchObject({ ok: true, frame: { name: name.trim() } });
      }),
      { ...LIMITED, numRuns: 1_000 },
    );
  });

  it("names that look alike compare equal: case, width and the emoji invisibles make no new name", () => {
    const disguise = fc.constantFrom(
      (s: string) => s.toUpperCase(),
      (s: string) => s.toLowerCase(),
      // Fullwidth forms of ASCII letters and digits (NFKC maps them back).
      (s: string) => s.replace(/[!-~]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)),
      (s: string) => [...s].join("\u200D"),
      (s: string) => `${s}\uFE0F`,
    );
    const asciiName = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
    fc.assert(
      fc.property(asciiName, fc.array(disguise, { minLength: 1, maxLength: 3 }), (name, steps) => {
        const disguised = steps.reduce((s, step) => step(s), name);
        expect(nameKey(disguised)).toBe(nameKey(name));
        // A disguise that stays within the name rules is still a valid name: it is refused as taken, not as bad.
        if ([...disguised].length <= LIMITS.name) expect(validateClientFrame({ type: "rename", name: disguised })).toMatchObject({ ok: true });
      }),
      { ...LIMITED, numRuns: 1_000 },
    );
    // Lower case, not full case folding: these stay two names.
    expect(nameKey("straße")).not.toBe(nameKey("STRASSE"));
  });

  it("an error about a say carries ref exactly when the say had a valid id", () => {
    const badId = fc.constantFrom<unknown>(undefined, "", null, 7, ["x"], { id: "x" }, "x".repeat(LIMITS.idMax + 1));
    const badRest = fc.constantFrom<Record<string, unknown>>({ text: "" }, { text: 5 }, { text: "x".repeat(LIMITS.text + 1) }, { to: 5 }, { text: "\ud800" }, {});
    fc.assert(
      fc.property(fc.oneof(validId, badId), badRest, (id, rest) => {
        const frame: Record<string, unknown> = { type: "say", text: "hello", ...rest };
        if (id !== undefined) frame.id = id;
        const decoded = validateClientFrame(frame);
        const valid = idStatus(id) === "valid";
        if (decoded.ok) {
          // Only `{}` with a valid id is a valid say.
          expect(valid && Object.keys(rest).length === 0).toBe(true);
          return;
        }
        if (valid) expect(decoded.ref).toBe(id);
        else expect(decoded.ref).toBeUndefined();
      }),
      { ...LIMITED, numRuns: 1_000 },
    );
  });

  it("deep nesting, up to 200,000 levels, is decoded without a stack overflow", () => {
    // 200,000 levels is three times what fits in a 64 KiB frame: the module must not care either way.
    for (const depth of [1_000, 200_000]) {
      for (const kind of ["array", "object"] as const) {
        expectDecodesSafely(nestedJson(depth, kind));
        expectDecodesSafely(`{"type":"say","id":"deep","text":${nestedJson(depth, kind)}}`);
        expectDecodesSafely(`{"type":"history","x":${nestedJson(depth, kind)}}`);
      }
    }
    fc.assert(fc.property(deepJson, (text) => void expectDecodesSafely(text)), { ...LIMITED, numRuns: 200 });
  });

  // Hand-picked frames, one per reading of PROTOCOL.md that the properties above rely on.
  const token = "T".repeat(16);
  it.each([
    ["a JSON string holding a frame", JSON.stringify('{"type":"typing"}'), "bad_message", undefined],
    ["an array holding a frame", '[{"type":"typing"}]', "bad_message", undefined],
    ["a frame cut short", '{"type":"typing"', "bad_json", undefined],
    ["an empty text", "", "bad_json", undefined],
    ["a type inherited by every object", '{"type":"constructor"}', "bad_message", undefined],
    ["a type hidden in __proto__", '{"__proto__":{"type":"typing"}}', "bad_message", undefined],
    ["a type in another case", '{"type":"Typing"}', "bad_message", undefined],
    ["a room-to-client type", '{"type":"message","seq":1}', "bad_message", undefined],
    ["a since of 1e400 (Infinity)", `{"type":"hello","token":"${token}","since":1e400}`, "bad_message", undefined],
    ["a negative since", `{"type":"hello","token":"${token}","since":-1}`, "bad_message", undefined],
    ["a fractional limit", '{"type":"history","limit":100.5}', "bad_message", undefined],
    ["a limit of 101", '{"type":"history","limit":101}', "bad_message", undefined],
    ["a negative before", '{"type":"history","before":-1}', "bad_message", undefined],
    ["a null name in hello (present, so it must be valid)", `{"type":"hello","token":"${token}","name":null}`, "name_invalid", undefined],
    ["a name with a NUL", '{"type":"rename","name":"a\\u0000b"}', "name_invalid", undefined],
    ["a name with a lone surrogate", '{"type":"rename","name":"a\\ud800"}', "name_invalid", undefined],
    ["a token of 15 characters", `{"type":"hello","token":"${"T".repeat(15)}"}`, "bad_message", undefined],
    ["a token with a plus", `{"type":"hello","token":"${"T".repeat(15)}+"}`, "bad_message", undefined],
    ["a text of only whitespace", '{"type":"say","id":"m1","text":" \\n\\t\\u3000 "}', "bad_message", "m1"],
    ["a text with a lone surrogate", '{"type":"say","id":"m1","text":"a\\udc00b"}', "bad_message", "m1"],
    ["a text of 2001 emoji", JSON.stringify({ type: "say", id: "m1", text: "\u{1f600}".repeat(2001) }), "too_long", "m1"],
    ["a say with an empty id", '{"type":"say","id":"","text":"hi"}', "bad_message", undefined],
    ["a say with a numeric id", '{"type":"say","id":1,"text":"hi"}', "bad_message", undefined],
    ["a say with a null to", '{"type":"say","id":"m1","text":"hi","to":null}', "bad_message", "m1"],
  ])("%s is refused with its code", (_label, text, code, ref) => {
    const decoded = decodeClientFrame(text);
    expect(decoded).toMatchObject({ ok: false, code });
    expect(decoded.ok ? undefined : decoded.ref).toBe(ref);
  });

  it.each([
    ["a limit written 1e2", '{"type":"history","limit":1e2}', { type: "history", limit: 100 }],
    ["a before of 0", '{"type":"history","before":0}', { type: "history", before: 0 }],
    ["a say with a from field, dropped", '{"type":"say","id":"m","text":" hi ","from":{"id":"x","name":"y"}}', { type: "say", id: "m", text: "hi" }],
    ["a text of 2000 emoji", JSON.stringify({ type: "say", id: "m", text: "\u{1f600}".repeat(2000) }), { type: "say", id: "m", text: "\u{1f600}".repeat(2000) }],
    ["a name of 32 CJK characters", JSON.stringify({ type: "rename", name: "中".repeat(32) }), { type: "rename", name: "中".repeat(32) }],
    ["a name in Arabic with inner spaces", JSON.stringify({ type: "rename", name: "  سلام عليكم " }), { type: "rename", name: "سلام عليكم" }],
    ["a text with NUL and control characters (only names forbid them)", '{"type":"say","id":"m","text":"a\\u0000\\u0007b"}', { type: "say", id: "m", text: "a\u0000\u0007b" }],
  ])("%s is accepted", (_label, text, frame) => {
    expect(decodeClientFrame(text)).toEqual({ ok: true, type: frame.type, frame });
  });

  it("a hello with an unknown epoch of any length is accepted (PROTOCOL.md sets no limit; the resume just fails)", () => {
    // Deliberately outside the properties above: the module caps epoch at 128 characters, which
    // PROTOCOL.md does not. A client holding such an epoch could never join; it should get resumed: false.
    const decoded = decodeClientFrame(JSON.stringify({ type: "hello", token, since: 3, epoch: "e".repeat(200) }));
    expect(decoded).toMatchObject({ ok: true, frame: { epoch: "e".repeat(200) } });
  });
});

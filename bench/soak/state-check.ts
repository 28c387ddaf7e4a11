/**
 * The current state of messages, checked twice: the room's (as the HTTP API serves it after the
 * drain) against what the senders did, and each client's (as it shows its messages at the end)
 * against the room's. Text and the edited mark, deleted, the reply's quote, and reactions with
 * their counts in order, plus `me`, which the API leaves out and the senders' records settle.
 */
import { LIMITS, truncateCodePoints, type MessageFrame, type ReplyQuote } from "@edge-chat/protocol";
import { messageKey, type RoomLog } from "./room-log.ts";
import type { Reactors, SenderRecords } from "./sender-records.ts";
import type { Segment } from "./view.ts";

/** Messages shown at the end in a state other than the room's, by what differs. */
export interface StaleCounts {
  /** Text or `edited` differs (an edit missed or misapplied). */
  staleText: number;
  /** Deleted in one and not the other, or deleted with something left (text, quote, reactions). */
  staleDeleted: number;
  staleReplies: number;
  /** Emoji, counts or their order differ, or `me` is not what the viewer did. */
  staleReactions: number;
}

/** No stale messages. */
export function noStale(): StaleCounts {
  return { staleText: 0, staleDeleted: 0, staleReplies: 0, staleReactions: 0 };
}

/** Stored messages no sender made, and those whose state differs from what the senders did. */
export function checkRoomState(log: RoomLog, records: SenderRecords): { unknownStored: number; storedMismatched: number } {
  const bySeq = new Map(log.map((m) => [m.seq, m]));
  let unknownStored = 0;
  let storedMismatched = 0;
  for (const message of log) {
    // A hook's posts are the integrations check's (integrations-soak.ts), not a sender's.
    if (message.from.id.startsWith("hook:")) continue;
    const say = records.says.get(messageKey(message.from.id, message.id));
    if (!say) {
      unknownStored++;
      continue;
    }
    const deleted = records.deleted.has(message.seq);
    const edit = records.edits.get(message.seq);
    const expected: MessageFrame = deleted
      ? { type: "message", seq: message.seq, id: say.id, from: message.from, ts: message.ts, text: "", deleted: true }
      : { type: "message", seq: message.seq, id: say.id, from: message.from, ts: message.ts, text: edit?.text ?? say.text };
    if (!deleted && edit) expected.edited = edit.ts;
    const target = say.replyTo ? bySeq.get(say.replyTo.seq) : undefined;
    if (!deleted && say.replyTo) expected.replyTo = target ? quote(target) : { ...say.replyTo, text: "<not in the log>" };
    const reactions = deleted ? undefined : countsOf(records.reactions.get(message.seq));
    if (reactions) expected.reactions = reactions;
    if (message.to || !sameState(expected, message)) storedMismatched++;
  }
  return { unknownStored, storedMismatched };
}

/**
 * The messages a client shows at the end (its last segment) against the room's: `reactors` says
 * who reacts with what, to check the viewer's `me`. A message the room does not hold is the view
 * check's business, not counted here.
 */
export function staleIn(segment: Segment, room: ReadonlyMap<number, MessageFrame>, selfId: string, reactors?: ReadonlyMap<number, Reactors>): StaleCounts {
  const stale = noStale();
  for (const [seq, shown] of segment.shown) {
    const stored = room.get(seq);
    if (!stored) continue;
    if (Boolean(shown.deleted) !== Boolean(stored.deleted) || (shown.deleted && !erased(shown))) stale.staleDeleted++;
    else if (shown.text !== stored.text || shown.edited !== stored.edited) stale.staleText++;
    if (!sameQuote(shown.replyTo, stored.replyTo)) stale.staleReplies++;
    const mine = (emoji: string) => reactors?.get(seq)?.get(emoji)?.has(selfId) ?? false;
    const counts = (m: MessageFrame) => JSON.stringify((m.reactions ?? []).map((r) => [r.emoji, r.count]));
    const meWrong = reactors !== undefined && (shown.reactions ?? []).some((r) => Boolean(r.me) !== mine(r.emoji));
    if (counts(shown) !== counts(stored) || meWrong) stale.staleReactions++;
  }
  return stale;
}

/** Adds `b` into `a`. */
export function addStale(a: StaleCounts, b: StaleCounts): void {
  for (const key of Object.keys(b) as (keyof StaleCounts)[]) a[key] += b[key];
}

/** What a deleted message still carries: nothing of its text, its quote or its reactions. */
function erased(message: MessageFrame): boolean {
  return message.text === "" && message.replyTo === undefined && message.reactions === undefined;
}

/** The quote of `target` as the room serves it. */
function quote(target: MessageFrame): ReplyQuote {
  return target.deleted
    ? { seq: target.seq, from: target.from, text: "", deleted: true }
    : { seq: target.seq, from: target.from, text: truncateCodePoints(target.text, LIMITS.quote) };
}

function countsOf(reactors: Reactors | undefined): MessageFrame["reactions"] {
  if (!reactors || reactors.size === 0) return undefined;
  return [...reactors].map(([emoji, users]) => ({ emoji, count: users.size }));
}

function sameQuote(a: ReplyQuote | undefined, b: ReplyQuote | undefined): boolean {
  if (!a || !b) return a === b;
  return a.seq === b.seq && a.from.id === b.from.id && a.from.name === b.from.name && a.text === b.text && Boolean(a.deleted) === Boolean(b.deleted);
}

/** Every field of the current state, `me` aside (the API leaves it out). */
function sameState(a: MessageFrame, b: MessageFrame): boolean {
  const plain = (m: MessageFrame) =>
    JSON.stringify([m.seq, m.id, m.from.id, m.ts, m.text, m.edited ?? null, m.deleted ?? false, (m.reactions ?? []).map((r) => [r.emoji, r.count])]);
  return plain(a) === plain(b) && sameQuote(a.replyTo, b.replyTo);
}

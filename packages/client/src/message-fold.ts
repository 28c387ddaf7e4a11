/**
 * A message as the page shows it, kept current from change events the way the room folds them:
 * an edit replaces the text and sets `edited`, a delete erases text, quote and reactions, a
 * reaction sets its emoji's count (an emoji at 0 leaves the list, a new one goes last) and `me`
 * for the viewer's own. Pending changes from the outbox are laid over it, so what the person did
 * offline shows at once. No DOM.
 */
import { replyQuote } from "@edge-chat/protocol";
import type { DeleteEventFrame, EditEventFrame, MessageFrame, ReactEventFrame, ReactionCount, ReplyQuote, User } from "@edge-chat/protocol";
import type { PendingChange } from "./pending.ts";

/** The message after an edit event. */
export function foldEdit(message: MessageFrame, edit: EditEventFrame): MessageFrame {
  if (message.deleted) return message;
  return { ...message, text: edit.text, edited: edit.ts };
}

/** The message after a delete event: only what a deleted message still carries. */
export function foldDelete(message: MessageFrame, _event?: DeleteEventFrame): MessageFrame {
  const { type, seq, id, from, ts, to } = message;
  return to ? { type, seq, id, from, ts, to, text: "", deleted: true } : { type, seq, id, from, ts, text: "", deleted: true };
}

/** The message after a reaction event; `selfId` is the viewer (their own `me` follows `on`). */
export function foldReact(message: MessageFrame, react: ReactEventFrame, selfId: string): MessageFrame {
  if (message.deleted) return message;
  const reactions = (message.reactions ?? []).map((r) => ({ ...r }));
  const index = reactions.findIndex((r) => r.emoji === react.emoji);
  const mine = react.user.id === selfId;
  if (react.count === 0) {
    if (index >= 0) reactions.splice(index, 1);
  } else if (index >= 0) {
    const entry = reactions[index]!;
    entry.count = react.count;
    if (mine) entry.me = react.on;
  } else {
    reactions.push({ emoji: react.emoji, count: react.count, me: mine && react.on });
  }
  const next: MessageFrame = { ...message };
  if (reactions.length > 0) next.reactions = reactions;
  else delete next.reactions;
  return next;
}

/**
 * A reply's quote after an edit or delete of the message it quotes: the edited text (cut as the
 * room cuts it), or deleted. It works from the event alone, because the quoted message itself
 * need not be loaded: a redraw lists the latest 50 messages, and a reply among them may quote an
 * older one.
 */
export function foldQuote(message: MessageFrame, change: EditEventFrame | DeleteEventFrame): MessageFrame {
  if (!message.replyTo || message.replyTo.seq !== change.target || message.deleted) return message;
  const { seq, from } = message.replyTo;
  const replyTo = replyQuote(change.type === "delete" ? { seq, from, text: "", deleted: true } : { seq, from, text: change.text });
  return { ...message, replyTo };
}

/** What the page shows of a message with the person's unanswered changes laid over it. */
export interface ShownMessage {
  message: MessageFrame;
  /** An edit waits to be answered (its text is shown). */
  editPending: boolean;
  /** A delete waits to be answered. */
  deletePending: boolean;
  /** Emojis whose shown state is a reaction change not yet answered. */
  reactPending: Set<string>;
}

/** Lays the outbox's changes to this message over it, oldest first. */
export function overlay(message: MessageFrame, pending: readonly PendingChange[]): ShownMessage {
  const shown: ShownMessage = { message, editPending: false, deletePending: false, reactPending: new Set() };
  for (const change of pending) {
    if (change.target !== message.seq || message.deleted) continue;
    if (change.kind === "edit") {
      shown.message = { ...shown.message, text: change.text };
      shown.editPending = true;
    } else if (change.kind === "delete") {
      shown.deletePending = true;
    } else {
      shown.message = { ...shown.message, reactions: toggled(shown.message.reactions ?? [], change.emoji, change.on) };
      shown.reactPending.add(change.emoji);
    }
  }
  return shown;
}

/** Reactions with the viewer's own reaction set to `on` (counts follow). */
function toggled(reactions: readonly ReactionCount[], emoji: string, on: boolean): ReactionCount[] {
  const out = reactions.map((r) => ({ ...r }));
  const entry = out.find((r) => r.emoji === emoji);
  if (!entry) return on ? [...out, { emoji, count: 1, me: true }] : out;
  if (Boolean(entry.me) === on) return out;
  entry.count += on ? 1 : -1;
  entry.me = on;
  return entry.count > 0 ? out : out.filter((r) => r !== entry);
}

/** The quote a reply carries in the outbox, cut as the room cuts it (the room makes its own from the seq). */
export function quoteOf(message: MessageFrame): ReplyQuote {
  return replyQuote(message);
}

/** The other person of a private message, for `selfId` (a reply to it must be private to them). */
export function privatePartner(message: MessageFrame, selfId: string): User | undefined {
  if (!message.to) return undefined;
  return message.from.id === selfId ? message.to : message.from;
}

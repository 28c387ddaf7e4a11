/**
 * Stored rows to wire frames: a message in its current state (edited, deleted, reactions, the
 * quote of what it replies to as that stands now), and change events as they were stored (with
 * text and emoji already erased when their message was deleted), except that an edit carries its
 * message's current text (protocol v3: a message keeps one text, in its own row; an edit's row
 * holds a text only when it was the last edit of a message pruned since).
 */
import { fileUrl, replyQuote } from "@edge-chat/protocol";
import type { EventFrame, FileRef, MessageFrame, ReactionCount, ReplyQuote, User } from "@edge-chat/protocol";
import type { AttachedFile } from "../storage/files.ts";
import { KIND, type EventLog, type EventRow, type NewEvent } from "../storage/event-log.ts";
import { userObject, type IsBot } from "./user-objects.ts";

/** Turns rows of the event log into frames for one viewer (null: the public HTTP API, no `me`). */
export class Folder {
  readonly #log: EventLog;
  readonly #isBot: IsBot;
  /** The room's name: file URLs name it. */
  readonly #room: string;

  constructor(log: EventLog, isBot: IsBot, room = "") {
    this.#log = log;
    this.#isBot = isBot;
    this.#room = room;
  }

  /** Message rows, ascending, in their current state. */
  messages(rows: readonly EventRow[], viewer: string | null): MessageFrame[] {
    const reactions = this.#reactions(rows, viewer);
    return rows.map((row) => this.#message(row, reactions.get(row.seq)));
  }

  /** Rows of any kind, ascending: messages in their current state, change events as stored. */
  events(rows: readonly EventRow[], viewer: string): EventFrame[] {
    const reactions = this.#reactions(rows.filter((r) => r.kind === KIND.say), viewer);
    return rows.map((row) => (row.kind === KIND.say ? this.#message(row, reactions.get(row.seq)) : this.#change(row)));
  }

  /** One row as it is delivered to everyone who may see it: a message in its current state, no `me`. */
  delivered(row: EventRow): EventFrame {
    return row.kind === KIND.say ? this.messages([row], null)[0]! : this.#change(row);
  }

  /** The quote a reply shows of message `seq` as it stands now, or undefined if it is no message. */
  quote(seq: number): ReplyQuote | undefined {
    const row = this.#log.row(seq);
    if (!row || row.kind !== KIND.say) return undefined;
    return replyQuote({ seq, from: this.#user(row.user_id, row.name), text: row.text ?? "", deleted: row.deleted === 1 });
  }

  #message(row: EventRow, reactions: ReactionCount[] | undefined): MessageFrame {
    const frame: MessageFrame = { type: "message", seq: row.seq, id: row.client_id, from: this.#user(row.user_id, row.name), text: row.text ?? "", ts: row.ts };
    if (row.to_id !== null) frame.to = this.#user(row.to_id, row.to_name ?? "");
    if (row.deleted) {
      frame.text = "";
      frame.deleted = true;
      return frame;
    }
    if (row.reply_to !== null) {
      const quote = this.quote(row.reply_to);
      if (quote) frame.replyTo = quote;
    }
    if (row.edited !== null) frame.edited = row.edited;
    if (reactions && reactions.length > 0) frame.reactions = reactions;
    if (row.files) frame.files = fileRefs(this.#room, JSON.parse(row.files) as AttachedFile[]);
    return frame;
  }

  /**
   * Reaction counts per message, emojis in the order they were first added: one stored row per
   * (message, emoji), and for a viewer their own reactions on the messages that have any.
   */
  #reactions(rows: readonly EventRow[], viewer: string | null): Map<number, ReactionCount[]> {
    const counts = new Map<number, ReactionCount[]>();
    if (rows.length === 0) return counts;
    const seqs = new Set(rows.map((r) => r.seq));
    const first = rows[0]!.seq;
    const last = rows.at(-1)!.seq;
    for (const r of this.#log.reactionCounts(Math.min(first, last), Math.max(first, last))) {
      if (!seqs.has(r.target)) continue;
      let list = counts.get(r.target);
      if (!list) counts.set(r.target, (list = []));
      list.push(viewer === null ? { emoji: r.emoji, count: r.count } : { emoji: r.emoji, count: r.count, me: false });
    }
    if (viewer !== null) {
      for (const own of this.#log.ownReactions(viewer, [...counts.keys()])) {
        const entry = counts.get(own.target)?.find((c) => c.emoji === own.emoji);
        if (entry) entry.me = true;
      }
    }
    return counts;
  }

  /** A change event as stored; an edit with its message's current text ("" once deleted). */
  #change(row: EventRow): EventFrame {
    const frame = changeFrame(row, (id, name) => this.#user(id, name));
    if (frame.type !== "edit" || row.target === null) return frame;
    const message = this.#log.row(row.target);
    if (message && message.kind === KIND.say) frame.text = message.deleted ? "" : (message.text ?? "");
    return frame;
  }

  #user(id: string, name: string): User {
    return userObject(id, name, this.#isBot);
  }
}

/** A message's files as its frames carry them (v3), each with the URL of its bytes. */
export function fileRefs(room: string, files: readonly AttachedFile[]): FileRef[] {
  return files.map((file) => ({ ...file, url: fileUrl(room, file.id) }));
}

/** The live frame of an event just stored (a message carries what was sent, plus its quote and files). */
export function liveFrame(event: NewEvent, quote?: ReplyQuote, room = ""): EventFrame {
  const base = { seq: event.seq, id: event.clientId, ts: event.ts };
  const to = event.to ? { to: event.to } : {};
  switch (event.kind) {
    case "say": {
      const frame: MessageFrame = { type: "message", ...base, from: event.user, text: event.text!, ...to };
      if (quote) frame.replyTo = quote;
      if (event.files) frame.files = fileRefs(room, event.files);
      return frame;
    }
    case "edit":
      return { type: "edit", ...base, target: event.target!, text: event.text!, user: event.user, ...to };
    case "delete":
      return { type: "delete", ...base, target: event.target!, user: event.user, ...to };
    case "react":
      return { type: "react", ...base, target: event.target!, emoji: event.emoji!, on: event.on!, count: event.count!, user: event.user, ...to };
  }
}

function changeFrame(row: EventRow, user: (id: string, name: string) => User): EventFrame {
  const base = { seq: row.seq, id: row.client_id, target: row.target ?? 0, user: user(row.user_id, row.name), ts: row.ts };
  const to = row.to_id !== null ? { to: user(row.to_id, row.to_name ?? "") } : {};
  if (row.kind === KIND.edit) return { type: "edit", ...base, text: row.text ?? "", ...to };
  if (row.kind === KIND.delete) return { type: "delete", ...base, ...to };
  return { type: "react", ...base, emoji: row.emoji ?? "", on: row.on_ === 1, count: row.count ?? 0, ...to };
}

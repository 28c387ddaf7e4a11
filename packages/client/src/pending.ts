/**
 * A client's own stored-event frames (`say`, `edit`, `delete`, `react`) while the room has not
 * answered them: what each one is, the frame it goes out as, how its answer is recognised, and
 * how one read back from localStorage is checked. No DOM.
 */
import type { EventFrame, ReplyQuote, StoredClientFrame, User } from "@edge-chat/protocol";

/**
 * A `say` not echoed yet. `kind` is optional because pages before protocol v2 stored says
 * without it, and those must still go out after an upgrade.
 */
export interface PendingSay {
  kind?: "say";
  id: string;
  text: string;
  /** The recipient of a private message. */
  to?: User;
  /** The message this answers, as the page showed it (the frame carries only its seq). */
  replyTo?: ReplyQuote;
  /** Ids of uploaded files to attach (protocol v3). */
  files?: string[];
}

/** An edit of one's own message, not answered yet. */
export interface PendingEdit {
  kind: "edit";
  id: string;
  target: number;
  text: string;
}

/** A delete not answered yet. */
export interface PendingDelete {
  kind: "delete";
  id: string;
  target: number;
}

/** A reaction change not answered yet. */
export interface PendingReact {
  kind: "react";
  id: string;
  target: number;
  emoji: string;
  on: boolean;
}

/** Any action waiting in the outbox. */
export type PendingAction = PendingSay | PendingEdit | PendingDelete | PendingReact;

/** A change to a message (everything in the outbox but a say). */
export type PendingChange = PendingEdit | PendingDelete | PendingReact;

/** A change as the page asks for it; the transport gives it its client id. */
export type NewChange = Omit<PendingEdit, "id"> | Omit<PendingDelete, "id"> | Omit<PendingReact, "id">;

/** True for a say (stored with or without its `kind`). */
export function isSay(action: PendingAction): action is PendingSay {
  return action.kind === undefined || action.kind === "say";
}

/** The frame an action goes out as (the same frame each time it is resent). */
export function actionFrame(action: PendingAction): StoredClientFrame {
  if (isSay(action)) {
    const frame: StoredClientFrame = { type: "say", id: action.id, text: action.text };
    if (action.to) frame.to = action.to.id;
    if (action.replyTo) frame.replyTo = action.replyTo.seq;
    if (action.files) frame.files = [...action.files];
    return frame;
  }
  switch (action.kind) {
    case "edit":
      return { type: "edit", id: action.id, target: action.target, text: action.text };
    case "delete":
      return { type: "delete", id: action.id, target: action.target };
    case "react":
      return { type: "react", id: action.id, target: action.target, emoji: action.emoji, on: action.on };
  }
}

/**
 * The client id a stored event answers when `self` made it: the echo of one's own action, or the
 * room's answer to a resent duplicate (which may be of another type: an id is one namespace).
 */
export function ownEventId(event: EventFrame, self: string | undefined): string | undefined {
  const author = event.type === "message" ? event.from.id : event.user.id;
  return self !== undefined && author === self ? event.id : undefined;
}

/** True when `value` (read back from localStorage) is a well-formed pending action. */
export function isPendingAction(value: unknown): value is PendingAction {
  if (typeof value !== "object" || value === null) return false;
  const a = value as Record<string, unknown>;
  if (typeof a.id !== "string") return false;
  const seq = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  switch (a.kind) {
    case undefined:
    case "say":
      return (
        typeof a.text === "string" &&
        (a.to === undefined || isUser(a.to)) &&
        (a.replyTo === undefined || isQuote(a.replyTo)) &&
        (a.files === undefined || (Array.isArray(a.files) && a.files.every((f) => typeof f === "string")))
      );
    case "edit":
      return seq(a.target) && typeof a.text === "string";
    case "delete":
      return seq(a.target);
    case "react":
      return seq(a.target) && typeof a.emoji === "string" && typeof a.on === "boolean";
    default:
      return false;
  }
}

function isUser(value: unknown): value is User {
  const u = value as { id?: unknown; name?: unknown } | null;
  return typeof u === "object" && u !== null && typeof u.id === "string" && typeof u.name === "string";
}

function isQuote(value: unknown): value is ReplyQuote {
  const q = value as { seq?: unknown; from?: unknown; text?: unknown } | null;
  return typeof q === "object" && q !== null && typeof q.seq === "number" && isUser(q.from) && typeof q.text === "string";
}

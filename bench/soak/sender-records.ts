/**
 * What the senders did, gathered for the checker: every action they queued, which ones the room
 * acknowledged and the stored event (with its seq) that answered each, and from those alone the
 * state each message should be in: its text after the last edit, whether it is deleted, and who
 * reacts with what, in the order the emoji were first added. The room's own answer (the HTTP
 * API) is compared with this, and every client with the room's answer.
 */
import type { PendingAction, PendingSay } from "@edge-chat/client";
import { isSay } from "@edge-chat/client";
import type { EventFrame } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import type { ActionKind } from "./actions.ts";
import { messageKey } from "./room-log.ts";
import type { ChangeEvent } from "./view.ts";

/** A sender as the check sees it (a PageClient, or a made-up one in the checker's tests). */
export interface CheckedSender {
  readonly selfId: string | undefined;
  /** Every action queued, by client id. */
  readonly sent: ReadonlyMap<string, PendingAction>;
  /** The stored event that answered each acknowledged action, by client id. */
  readonly stored: ReadonlyMap<string, EventFrame>;
  /** Actions the room refused for good (a `rate_limited` one stays queued and is not here). */
  readonly refused: ReadonlyMap<string, RoomError>;
  /** `rate_limited` answers it received (each held and resent by the transport). */
  readonly rateLimited: number;
  /** Client ids the room acknowledged. */
  acknowledged(): string[];
  /** Actions still in the outbox. */
  readonly unanswered: number;
  readonly flushedOnReconnect: number;
  readonly actionsOnWire: number;
  readonly dedupeAnswers: number;
}

/** One emoji's reactors on a message; the map's order is the order the emoji were first added. */
export type Reactors = Map<string, Set<string>>;

/** What the senders' records say the room holds. */
export interface SenderRecords {
  /** Says (and replies) made, by (user id, client id). */
  says: Map<string, PendingSay>;
  /** Acknowledged changes as stored, ascending by seq. */
  changes: ChangeEvent[];
  /** The last acknowledged edit of each message: its text as sent and its stored `ts`. */
  edits: Map<number, { text: string; ts: number }>;
  deleted: Set<number>;
  /** Who reacts with what, by message seq. */
  reactions: Map<number, Reactors>;
  /** Acknowledged actions without a stored event: the room's answer never reached the check. */
  unrecorded: number;
  /** Actions sent and acknowledged, by kind. */
  kinds: Record<ActionKind, { sent: number; acknowledged: number }>;
}

/** The kind of an action as the soak counts it: a say with `replyTo` is a reply. */
export function actionKind(action: PendingAction): ActionKind {
  if (isSay(action)) return action.replyTo ? "reply" : "say";
  return action.kind;
}

/** Gathers every sender's actions and works out the state they leave. */
export function senderRecords(senders: readonly CheckedSender[]): SenderRecords {
  const kinds = { say: 0, reply: 0, edit: 0, delete: 0, react: 0 };
  const records: SenderRecords = {
    says: new Map(), changes: [], edits: new Map(), deleted: new Set(), reactions: new Map(), unrecorded: 0,
    kinds: Object.fromEntries(Object.keys(kinds).map((k) => [k, { sent: 0, acknowledged: 0 }])) as SenderRecords["kinds"],
  };
  const done: { action: PendingAction; event: ChangeEvent; user: string }[] = [];
  for (const sender of senders) {
    const self = sender.selfId ?? "";
    for (const action of sender.sent.values()) {
      records.kinds[actionKind(action)].sent++;
      if (isSay(action)) records.says.set(messageKey(self, action.id), action);
    }
    for (const id of sender.acknowledged()) {
      const action = sender.sent.get(id);
      if (!action) continue;
      records.kinds[actionKind(action)].acknowledged++;
      const event = sender.stored.get(id);
      if (!event) records.unrecorded++;
      else if (event.type !== "message" && !isSay(action)) done.push({ action, event, user: self });
    }
  }
  done.sort((a, b) => a.event.seq - b.event.seq);
  for (const { action, event, user } of done) {
    records.changes.push(event);
    // The action as sent, not the event as served: events about a deleted message come back emptied.
    if (action.kind === "edit") records.edits.set(action.target, { text: action.text, ts: event.ts });
    else if (action.kind === "delete") {
      records.deleted.add(action.target);
      records.reactions.delete(action.target);
    } else if (action.kind === "react") react(records.reactions, action.target, action.emoji, action.on, user);
  }
  return records;
}

/** Applies one reaction change: an emoji whose last reactor leaves drops out, and added again goes last. */
function react(reactions: Map<number, Reactors>, target: number, emoji: string, on: boolean, user: string): void {
  let byEmoji = reactions.get(target);
  if (!byEmoji) reactions.set(target, (byEmoji = new Map()));
  const users = byEmoji.get(emoji) ?? new Set<string>();
  if (on) users.add(user);
  else users.delete(user);
  if (users.size > 0) byEmoji.set(emoji, users);
  else byEmoji.delete(emoji);
}

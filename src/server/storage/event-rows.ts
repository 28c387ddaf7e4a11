/** The shapes of the event log's rows: what is stored (`EventRow`) and what is appended (`NewEvent`). */
import type { User } from "@edge-chat/protocol";
import type { AttachedFile } from "./files.ts";

/** Kinds of stored events, as kept in the `kind` column. */
export const KIND = { say: 0, edit: 1, delete: 2, react: 3 } as const;

/** The kinds by name. */
export type EventKind = keyof typeof KIND;

/** One row of the `events` table. */
export interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  kind: number;
  client_id: string;
  user_id: string;
  name: string;
  ts: number;
  text: string | null;
  target: number | null;
  reply_to: number | null;
  emoji: string | null;
  on_: number | null;
  count: number | null;
  to_id: string | null;
  to_name: string | null;
  author_id: string;
  edited: number | null;
  deleted: number | null;
  /** Version 3: a message's files, as JSON (`AttachedFile[]`); null when it has none or was deleted. */
  files: string | null;
}

/** A new event to store; the room has checked every rule before it gets here. */
export interface NewEvent {
  seq: number;
  kind: EventKind;
  clientId: string;
  /** Who did it (a say's sender, an edit's or a reaction's author). */
  user: User;
  ts: number;
  /** The message's recipient when it is private (for a change, the target's). */
  to?: User;
  /** The message's sender (for a change, the target's sender): with `to`, who may see it. */
  authorId: string;
  text?: string;
  replyTo?: number;
  target?: number;
  emoji?: string;
  on?: boolean;
  /** A reaction's count after it. */
  count?: number;
  /** Version 3: a say's files, in the order given. */
  files?: AttachedFile[];
}

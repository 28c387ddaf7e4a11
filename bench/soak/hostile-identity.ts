/**
 * One identity (one token) of the soak's hostile client, as the check sees a sender: the actions
 * it meant to store, and the stored event that answered each. Its refusals are the attack's point,
 * not faults: an action the room refused is dropped and counted by the hostile client, so that
 * `refused` and `rateLimited` stay empty, while `unanswered` is what it sent and never had
 * answered, which the check counts as a violation (a stored event nobody accounts for).
 */
import type { PendingAction } from "@edge-chat/client";
import { actionFrame, newToken } from "@edge-chat/client";
import type { EventFrame, StoredClientFrame } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import type { CheckedSender } from "./sender-records.ts";

/** A hostile identity's records. */
export class HostileIdentity implements CheckedSender {
  readonly token = newToken();
  selfId: string | undefined;
  /** Actions stored, by client id (only those: see the file's comment). */
  readonly sent = new Map<string, PendingAction>();
  readonly stored = new Map<string, EventFrame>();
  readonly refused = new Map<string, RoomError>();
  readonly rateLimited = 0;
  readonly flushedOnReconnect = 0;
  /** As many as it stored: its frames sent again are the attack, counted by the hostile client, not resends of the report's kind. */
  get actionsOnWire(): number {
    return this.sent.size;
  }
  readonly dedupeAnswers = 0;
  /** Actions sent to be stored and not answered yet, by client id. */
  readonly waiting = new Map<string, PendingAction>();

  get unanswered(): number {
    return this.waiting.size;
  }

  acknowledged(): string[] {
    return [...this.stored.keys()];
  }

  /** Remembers an action about to be sent; returns its frame. */
  expect(action: PendingAction): StoredClientFrame {
    this.waiting.set(action.id, action);
    return actionFrame(action);
  }

  /** The frames of the actions still waiting, to send again after a lost connection (same ids). */
  waitingFrames(): StoredClientFrame[] {
    return [...this.waiting.values()].map(actionFrame);
  }

  /**
   * Takes an event of this user: the answer to an action waiting (true), or a stored one sent
   * again, the answer to a resent id (false).
   */
  answered(id: string, event: EventFrame): boolean {
    const action = this.waiting.get(id);
    if (!action) return false;
    this.waiting.delete(id);
    this.sent.set(id, action);
    this.stored.set(id, event);
    return true;
  }

  /** The room refused an action waiting: it was not stored. */
  refusedAction(id: string): boolean {
    return this.waiting.delete(id);
  }
}

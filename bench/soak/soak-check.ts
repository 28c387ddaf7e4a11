/**
 * The soak's verdict: every client's view against the stored log (each event once and in order,
 * each message at the end in the room's current state), every acknowledged action against the
 * log, and the log against itself and against what the senders did. Each count that must be zero
 * becomes a violation if not.
 */
import { LIMITS, type MessageFrame } from "@edge-chat/protocol";
import type { ActionKind } from "./actions.ts";
import { eventKey, logShape, type RoomLog } from "./room-log.ts";
import { actionKind, senderRecords, type CheckedSender, type Reactors } from "./sender-records.ts";
import { addStale, checkRoomState, noStale, staleIn, type StaleCounts } from "./state-check.ts";
import type { ChangeEvent, ClientView } from "./view.ts";

/** The soak's counts. Every count but the informational ones (see soakViolations) must be 0. */
export interface SoakCounts extends StaleCounts {
  /** Actions of every kind sent and acknowledged; events stored (messages and changes). */
  sent: number;
  acknowledged: number;
  stored: number;
  /** Per kind: sent, acknowledged and stored (a reply is a say with `replyTo`). */
  kinds: Record<ActionKind, { sent: number; acknowledged: number; stored: number }>;
  /** Messages shown and change events received, summed over all clients. */
  delivered: number;
  changesDelivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** A shown message or a received change that is not the stored one with its seq, or that was never stored. */
  mismatched: number;
  /** Seqs missing from the stored log's 1..N. */
  seqGaps: number;
  /** Stored messages no sender ever made, and stored messages whose state is not what the senders did. */
  unknownStored: number;
  storedMismatched: number;
  /** Actions still unanswered at the end, and actions the room refused (rate_limited or otherwise). */
  unacknowledged: number;
  rateLimited: number;
  otherRefusals: number;
  /** Reconnects that should have resumed (≤ 500 missed) but did not; epochs seen besides the first. */
  missedResumes: number;
  epochChanges: number;
  /** Frames that failed validation, and `error` frames no action explains. */
  invalidFrames: number;
  errors: number;
  /**
   * Informational: actions the outbox sent after a reconnect, those of them sent before too, those
   * the room answered with its stored copy, resumes and redraws.
   */
  flushedOnReconnect: number;
  resent: number;
  dedupeAnswers: number;
  resumes: number;
  redraws: number;
}

/** A client as the check sees it. */
export interface CheckedClient {
  view: ClientView;
  invalidFrames: number;
  errors: number;
}

/** The stored log as a view is checked against it: messages and change events by seq, and the last seq. */
export interface StoredLog {
  messages: ReadonlyMap<number, MessageFrame>;
  changes: ReadonlyMap<number, ChangeEvent>;
  /** Message seqs ascending, to find the latest 50 a redraw lists. */
  messageSeqs: readonly number[];
  lastSeq: number;
}

/** A stored log from the HTTP API's messages and the change events the senders saw stored. */
export function storedLog(log: RoomLog, changes: readonly ChangeEvent[] = [], lastSeq = 0): StoredLog {
  const messageSeqs = log.map((m) => m.seq);
  return {
    messages: new Map(log.map((m) => [m.seq, m])),
    changes: new Map(changes.map((c) => [c.seq, c])),
    messageSeqs,
    lastSeq: Math.max(lastSeq, messageSeqs.at(-1) ?? 0, ...changes.map((c) => c.seq)),
  };
}

/** Compares the senders' records and every client's view with the stored log; `roomSeq` is the room's latest seq. */
export function checkSoak(log: RoomLog, senders: readonly CheckedSender[], clients: readonly CheckedClient[], roomSeq = 0): SoakCounts {
  const records = senderRecords(senders);
  const shape = logShape(log, records.changes, roomSeq);
  const stored = storedLog(log, records.changes, roomSeq);
  const room = checkRoomState(log, records);
  const kinds = Object.fromEntries(Object.entries(records.kinds).map(([k, v]) => [k, { ...v, stored: 0 }])) as SoakCounts["kinds"];
  const counts: SoakCounts = {
    // A hook's posts are counted by the integrations check (integrations-soak.ts), not here.
    sent: 0, acknowledged: 0, stored: log.filter((m) => !m.from.id.startsWith("hook:")).length + records.changes.length, kinds, delivered: 0, changesDelivered: 0,
    lost: records.unrecorded, duplicated: shape.duplicated, reordered: shape.outOfOrder, mismatched: 0, seqGaps: shape.gaps,
    unknownStored: room.unknownStored, storedMismatched: room.storedMismatched, unacknowledged: 0, rateLimited: 0, otherRefusals: 0,
    missedResumes: 0, epochChanges: 0, invalidFrames: 0, errors: 0, flushedOnReconnect: 0, resent: 0, dedupeAnswers: 0, resumes: 0, redraws: 0,
    ...noStale(),
  };
  const storedKeys = new Set([...log, ...records.changes].map(eventKey));
  for (const kind of Object.values(kinds)) {
    counts.sent += kind.sent;
    counts.acknowledged += kind.acknowledged;
  }
  for (const sender of senders) {
    counts.flushedOnReconnect += sender.flushedOnReconnect;
    counts.resent += sender.actionsOnWire - sender.sent.size;
    counts.dedupeAnswers += sender.dedupeAnswers;
    counts.unacknowledged += sender.unanswered;
    counts.rateLimited += sender.rateLimited;
    counts.otherRefusals += sender.refused.size;
    // Nothing a sender saw acknowledged may be missing from the log.
    for (const id of sender.acknowledged()) {
      const event = sender.stored.get(id);
      const action = sender.sent.get(id);
      if (!event || !action) continue; // counted as unrecorded
      if (!storedKeys.has(eventKey(event)) || (event.type === "message" && !stored.messages.has(event.seq))) counts.lost++;
      else kinds[actionKind(action)].stored++;
    }
  }

  const epochs = new Set<string>();
  for (const client of clients) {
    const view = checkView(client.view, stored, records.reactions);
    counts.delivered += client.view.shownCount;
    counts.changesDelivered += client.view.changeCount;
    counts.lost += view.lost;
    counts.mismatched += view.mismatched;
    addStale(counts, view.stale);
    counts.duplicated += client.view.duplicated;
    counts.reordered += client.view.reordered;
    counts.missedResumes += client.view.missedResumes;
    counts.resumes += client.view.resumes;
    counts.redraws += client.view.redraws;
    counts.invalidFrames += client.invalidFrames;
    counts.errors += client.errors;
    for (const epoch of client.view.epochs) epochs.add(epoch);
  }
  counts.epochChanges = Math.max(0, epochs.size - 1);
  return counts;
}

/** What one view's check found. */
export interface ViewCheck {
  lost: number;
  mismatched: number;
  /** The last segment's messages against the room's current state. */
  stale: StaleCounts;
}

/**
 * A client's view against the log: every stored event it answers for received once, as stored,
 * and every message it shows at the end in the room's current state (`reactors` settles `me`).
 */
export function checkView(view: ClientView, log: StoredLog, reactors?: ReadonlyMap<number, Reactors>): ViewCheck {
  let lost = 0;
  let mismatched = 0;
  view.segments.forEach((segment, index) => {
    const last = index === view.segments.length - 1;
    // The client is connected at the end, so its last segment runs to the log's last seq.
    const end = last ? Math.max(segment.end, log.lastSeq) : segment.end;
    // A redraw lists the latest 50 messages at or below its seq: the client answers for those and all after.
    const below = upperBound(log.messageSeqs, segment.base);
    const windowStart = below >= LIMITS.pageDefault ? log.messageSeqs[below - LIMITS.pageDefault]! - 1 : 0;
    for (let seq = windowStart + 1; seq <= end; seq++) {
      const message = log.messages.get(seq);
      const change = seq > segment.base ? log.changes.get(seq) : undefined;
      if (message) {
        const shown = segment.shown.get(seq);
        if (!shown) lost++;
        else if (!sameIdentity(message, shown)) mismatched++;
      } else if (change) {
        const got = segment.changes.get(seq);
        if (!got) lost++;
        else if (got.type !== change.type || eventKey(got) !== eventKey(change) || got.target !== change.target) mismatched++;
      }
    }
    // Shown but outside what it answers for (a redraw listing too much), or never stored.
    for (const seq of segment.shown.keys()) if (seq <= windowStart || !log.messages.has(seq)) mismatched++;
    for (const seq of segment.changes.keys()) if (seq <= segment.base || !log.changes.has(seq)) mismatched++;
  });
  const segment = view.segments.at(-1);
  const stale = segment ? staleIn(segment, log.messages, view.selfId, reactors) : noStale();
  return { lost, mismatched, stale };
}

/** How many of the ascending `seqs` are at most `seq`. */
function upperBound(seqs: readonly number[], seq: number): number {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (seqs[mid]! <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What never changes about a message: who sent it, when, to whom, under which id and seq. */
function sameIdentity(a: MessageFrame, b: MessageFrame): boolean {
  return a.seq === b.seq && a.id === b.id && a.from.id === b.from.id && a.from.name === b.from.name && a.ts === b.ts && a.to?.id === b.to?.id;
}

/** The counts that must be zero and are not, as readable lines. */
export function soakViolations(counts: SoakCounts): string[] {
  const mustBeZero: (keyof SoakCounts)[] = [
    "lost", "duplicated", "reordered", "mismatched", "seqGaps", "unknownStored", "storedMismatched", "unacknowledged",
    "rateLimited", "otherRefusals", "missedResumes", "epochChanges", "invalidFrames", "errors",
    "staleText", "staleDeleted", "staleReplies", "staleReactions",
  ];
  const violations = mustBeZero.filter((key) => counts[key] !== 0).map((key) => `${key}: ${counts[key]}`);
  if (counts.stored !== counts.acknowledged) violations.push(`stored ${counts.stored} ≠ acknowledged ${counts.acknowledged}`);
  if (counts.acknowledged === 0) violations.push("nothing was acknowledged: the soak proved nothing");
  return violations;
}

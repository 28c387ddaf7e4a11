/**
 * The soak's verdict: every client's view against the stored log, every acknowledged say against
 * the log, and the log against itself. Each count that must be zero becomes a violation if not.
 */
import type { MessageFrame } from "../../src/shared/protocol.ts";
import type { PageClient } from "./page-client.ts";
import { logShape, messageKey, type RoomLog } from "./room-log.ts";
import type { ClientView } from "./view.ts";

/** The soak's counts. `lost`, `duplicated` and `reordered` (and every other count but the first five) must be 0. */
export interface SoakCounts {
  sent: number;
  acknowledged: number;
  stored: number;
  /** Messages shown, summed over all clients. */
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** A shown message that differs from the stored one with its seq, or that was never stored. */
  mismatched: number;
  /** Seqs missing from the stored log's 1..N. */
  seqGaps: number;
  /** Stored messages no sender ever made. */
  unknownStored: number;
  /** Says still unechoed at the end, and says the room refused (rate_limited or otherwise). */
  unacknowledged: number;
  rateLimited: number;
  otherRefusals: number;
  /** Reconnects that should have resumed (≤ 500 missed) but did not; epochs seen besides the first. */
  missedResumes: number;
  epochChanges: number;
  /** Frames that failed validation, and `error` frames no say explains. */
  invalidFrames: number;
  errors: number;
  /**
   * Informational: says the outbox sent after a reconnect, those of them sent before too, those
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

/** Compares the senders' records and every client's view with the stored log. */
export function checkSoak(log: RoomLog, senders: PageClient[], clients: CheckedClient[]): SoakCounts {
  const shape = logShape(log);
  const bySeq = new Map(log.map((m) => [m.seq, m]));
  const storedKeys = new Set(log.map((m) => messageKey(m.from.id, m.id)));
  const sentTexts = new Map<string, string>();
  const counts: SoakCounts = {
    sent: 0, acknowledged: 0, stored: log.length, delivered: 0,
    lost: 0, duplicated: shape.duplicated, reordered: shape.outOfOrder, mismatched: 0,
    seqGaps: shape.gaps, unknownStored: 0, unacknowledged: 0, rateLimited: 0, otherRefusals: 0,
    missedResumes: 0, epochChanges: 0, invalidFrames: 0, errors: 0, flushedOnReconnect: 0, resent: 0, dedupeAnswers: 0, resumes: 0, redraws: 0,
  };

  for (const sender of senders) {
    const self = sender.transport.self?.id ?? "";
    const acked = sender.acknowledged();
    counts.sent += sender.sent.size;
    counts.acknowledged += acked.length;
    counts.flushedOnReconnect += sender.flushedOnReconnect;
    counts.resent += sender.saysOnWire - sender.sent.size;
    counts.dedupeAnswers += sender.dedupeAnswers;
    counts.unacknowledged += sender.transport.outbox.length;
    for (const error of sender.refused.values()) {
      if (error.code === "rate_limited") counts.rateLimited++;
      else counts.otherRefusals++;
    }
    // Nothing a sender saw acknowledged may be missing from the log.
    for (const id of acked) if (!storedKeys.has(messageKey(self, id))) counts.lost++;
    for (const [id, text] of sender.sent) sentTexts.set(messageKey(self, id), text);
  }
  for (const message of log) {
    const text = sentTexts.get(messageKey(message.from.id, message.id));
    if (text === undefined) counts.unknownStored++;
    else if (text !== message.text) counts.mismatched++;
  }

  const epochs = new Set<string>();
  for (const client of clients) {
    const view = checkView(client.view, bySeq, shape.lastSeq);
    counts.delivered += client.view.shownCount;
    counts.lost += view.lost;
    counts.mismatched += view.mismatched;
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

/** A client's view against the log: every stored message it answers for, shown exactly as stored. */
export function checkView(view: ClientView, bySeq: Map<number, MessageFrame>, finalSeq: number): { lost: number; mismatched: number } {
  let lost = 0;
  let mismatched = 0;
  view.segments.forEach((segment, index) => {
    // The client is connected at the end, so its last segment runs to the log's last seq.
    const end = index === view.segments.length - 1 ? Math.max(segment.end, finalSeq) : segment.end;
    for (let seq = segment.start + 1; seq <= end; seq++) {
      const stored = bySeq.get(seq);
      const shown = segment.shown.get(seq);
      if (!stored) continue; // a gap in the log itself, counted there
      if (!shown) lost++;
      else if (!sameMessage(stored, shown)) mismatched++;
    }
    // Shown but outside what it answers for (a redraw listing too much), or never stored.
    for (const seq of segment.shown.keys()) if (seq <= segment.start || !bySeq.has(seq)) mismatched++;
  });
  return { lost, mismatched };
}

function sameMessage(a: MessageFrame, b: MessageFrame): boolean {
  return (
    a.seq === b.seq && a.id === b.id && a.from.id === b.from.id && a.from.name === b.from.name &&
    a.text === b.text && a.ts === b.ts && a.to?.id === b.to?.id
  );
}

/** The counts that must be zero and are not, as readable lines. */
export function soakViolations(counts: SoakCounts): string[] {
  const mustBeZero: (keyof SoakCounts)[] = [
    "lost", "duplicated", "reordered", "mismatched", "seqGaps", "unknownStored", "unacknowledged",
    "rateLimited", "otherRefusals", "missedResumes", "epochChanges", "invalidFrames", "errors",
  ];
  const violations = mustBeZero.filter((key) => counts[key] !== 0).map((key) => `${key}: ${counts[key]}`);
  if (counts.stored !== counts.acknowledged) violations.push(`stored ${counts.stored} ≠ acknowledged ${counts.acknowledged}`);
  if (counts.acknowledged === 0) violations.push("nothing was acknowledged: the soak proved nothing");
  return violations;
}

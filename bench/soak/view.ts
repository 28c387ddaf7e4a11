/**
 * What one client has shown, by seq, and which seqs it is answerable for. A redraw (a
 * `resumed: false` welcome) clears the view, as the page does, and starts a new segment; a resume
 * continues the current one. Every stored event has a seq (messages and change events alike), and
 * each must reach the client once and in order. Change events are folded into the messages they
 * are about with the client package's own code (its message-fold.ts), the way the page's message
 * list applies them, so the last segment holds each message as the page shows it.
 */
import type { DeleteEventFrame, EditEventFrame, EventFrame, MessageFrame, ReactEventFrame, WelcomeFrame } from "@edge-chat/protocol";
import { LIMITS } from "@edge-chat/protocol";
import { foldDelete, foldEdit, foldQuote, foldReact } from "@edge-chat/client";

/** A change event as the client received it: what the checker compares with the log. */
export type ChangeEvent = EditEventFrame | DeleteEventFrame | ReactEventFrame;

/** One stretch of a view between two redraws. */
export interface Segment {
  /** The room's seq at the redraw: every event after it is owed live or by a resume. */
  base: number;
  /** The last seq seen. */
  end: number;
  /** Messages shown, by seq, in their current state as the client folded them. */
  shown: Map<number, MessageFrame>;
  /** Change events received, by seq. */
  changes: Map<number, ChangeEvent>;
  /** Replies shown, by the seq they quote (an edit or delete of a message updates its quotes). */
  replies: Map<number, Set<number>>;
}

/** A client's view of the room, built from its welcomes and live events. */
export class ClientView {
  readonly segments: Segment[] = [];
  /** Welcomes that resumed, and welcomes after the first that did not (the page redrew). */
  resumes = 0;
  redraws = 0;
  /** A seq received twice in one segment. */
  duplicated = 0;
  /** A seq that arrived after a higher one. */
  reordered = 0;
  /** Welcomes that did not resume although the protocol says they must (at most 500 missed). */
  missedResumes = 0;
  /** Every epoch the room gave; more than one means the log was reset. */
  readonly epochs = new Set<string>();
  /** The viewer's user id, for the `me` of its own reactions. */
  selfId = "";

  /** The last seq seen (what the next hello sends as `since`). */
  get lastSeq(): number {
    return this.segments.at(-1)?.end ?? 0;
  }

  /** Messages shown, over all segments. */
  get shownCount(): number {
    let count = 0;
    for (const segment of this.segments) count += segment.shown.size;
    return count;
  }

  /** Change events received, over all segments. */
  get changeCount(): number {
    let count = 0;
    for (const segment of this.segments) count += segment.changes.size;
    return count;
  }

  /** Up to the `count` newest messages shown now (the current segment), oldest first, as shown. */
  recent(count: number): MessageFrame[] {
    const shown = this.segments.at(-1)?.shown;
    return shown ? [...shown.values()].slice(-count) : [];
  }

  /** Records an accepted hello's answer; `since` is what the hello sent, if anything. */
  welcome(welcome: WelcomeFrame, since: number | undefined): void {
    this.epochs.add(welcome.epoch);
    this.selfId = welcome.self.id;
    // Same epoch (checked over the run), since <= seq and at most 500 missed: the room must resume.
    const mustResume = since !== undefined && since <= welcome.seq && welcome.seq - since <= LIMITS.resumeMax;
    if (mustResume && !welcome.resumed) this.missedResumes++;
    let segment = this.segments.at(-1);
    if (welcome.resumed && segment) {
      this.resumes++;
      // A resume lists every event after `since`, messages in their current state and changes.
      for (const event of welcome.messages) this.#event(segment, event);
    } else {
      if (segment) this.redraws++;
      // A redraw lists the latest messages in their current state; the checker knows which those are.
      const base = welcome.resumed ? (since ?? 0) : welcome.seq;
      // `end` starts below the list, so that the list too must come in ascending seq.
      segment = { base, end: 0, shown: new Map(), changes: new Map(), replies: new Map() };
      this.segments.push(segment);
      for (const event of welcome.messages) if (event.type === "message") this.#insert(segment, event);
    }
    segment.end = Math.max(segment.end, welcome.seq);
  }

  /** Records a live message the client showed. */
  message(message: MessageFrame): void {
    this.#live(message);
  }

  /** Records a live edit, delete or reaction, folded into the message it is about. */
  change(event: ChangeEvent): void {
    this.#live(event);
  }

  #live(event: EventFrame): void {
    const segment = this.segments.at(-1);
    if (segment) this.#event(segment, event);
    else this.reordered++; // an event before any welcome breaks the protocol's order
  }

  #event(segment: Segment, event: EventFrame): void {
    if (event.type === "message") return this.#insert(segment, event);
    if (!this.#note(segment, event.seq)) return;
    segment.changes.set(event.seq, event);
    this.#apply(segment, event);
  }

  /** Takes a seq into the segment's order; false for one already received. */
  #note(segment: Segment, seq: number): boolean {
    if (segment.shown.has(seq) || segment.changes.has(seq)) {
      this.duplicated++;
      return false;
    }
    if (seq <= segment.end) this.reordered++;
    else segment.end = seq;
    return true;
  }

  /** As the page's message list inserts: a seq already shown is left as it is. */
  #insert(segment: Segment, message: MessageFrame): void {
    if (!this.#note(segment, message.seq)) return;
    segment.shown.set(message.seq, message);
    if (message.replyTo) {
      let replies = segment.replies.get(message.replyTo.seq);
      if (!replies) segment.replies.set(message.replyTo.seq, (replies = new Set()));
      replies.add(message.seq);
    }
  }

  /** As the page's message list applies a change: to the message if it holds it, and to that message's quotes. */
  #apply(segment: Segment, event: ChangeEvent): void {
    const message = segment.shown.get(event.target);
    if (message) {
      const next =
        event.type === "edit" ? foldEdit(message, event) : event.type === "delete" ? foldDelete(message, event) : foldReact(message, event, this.selfId);
      segment.shown.set(event.target, next);
    }
    if (event.type === "react") return;
    for (const reply of segment.replies.get(event.target) ?? []) segment.shown.set(reply, foldQuote(segment.shown.get(reply)!, event));
  }
}

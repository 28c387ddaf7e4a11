/**
 * What one client has shown, by seq, and which seqs it is answerable for. A client is answerable
 * for every public message it was present for or resumed to: from the messages its last redraw
 * listed up to the last seq it has seen. A `resumed: false` welcome clears the view (the page
 * redraws), so it starts a new segment; a `resumed: true` one continues the current segment.
 */
import { LIMITS } from "../../src/shared/protocol.ts";
import type { MessageFrame, WelcomeFrame } from "../../src/shared/protocol.ts";

/** One stretch of a view between two redraws. */
export interface Segment {
  /** The client must show every public message with a seq in (start, end]. */
  start: number;
  end: number;
  /** What it showed, by seq. */
  shown: Map<number, MessageFrame>;
}

/** A client's view of the room, built from its welcomes and live messages. */
export class ClientView {
  readonly segments: Segment[] = [];
  /** Welcomes that resumed, and welcomes after the first that did not (the page redrew). */
  resumes = 0;
  redraws = 0;
  /** A seq shown twice in one segment. */
  duplicated = 0;
  /** A seq that arrived after a higher one. */
  reordered = 0;
  /** Welcomes that did not resume although the protocol says they must (at most 500 missed). */
  missedResumes = 0;
  /** Every epoch the room gave; more than one means the log was reset. */
  readonly epochs = new Set<string>();

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

  /** Records an accepted hello's answer; `since` is what the hello sent, if anything. */
  welcome(welcome: WelcomeFrame, since: number | undefined): void {
    this.epochs.add(welcome.epoch);
    // Same epoch (checked over the run), since <= seq and at most 500 missed: the room must resume.
    const mustResume = since !== undefined && since <= welcome.seq && welcome.seq - since <= LIMITS.resumeMax;
    if (mustResume && !welcome.resumed) this.missedResumes++;
    let segment = this.segments.at(-1);
    if (welcome.resumed && segment) {
      this.resumes++;
    } else {
      if (segment) this.redraws++;
      // A redraw lists the latest 50 messages the client may see. Every message of a soak room
      // is public, so those are exactly the seqs after `seq - 50`: the client answers for them.
      const start = welcome.resumed ? welcome.seq - welcome.messages.length : Math.max(0, welcome.seq - LIMITS.pageDefault);
      segment = { start, end: start, shown: new Map() };
      this.segments.push(segment);
    }
    for (const message of welcome.messages) if (message.type === "message") this.#show(segment, message);
    segment.end = Math.max(segment.end, welcome.seq);
  }

  /** Records a live message the client showed. */
  message(message: MessageFrame): void {
    const segment = this.segments.at(-1);
    if (segment) this.#show(segment, message);
    else this.reordered++; // a message before any welcome breaks the protocol's order
  }

  #show(segment: Segment, message: MessageFrame): void {
    if (segment.shown.has(message.seq)) {
      this.duplicated++;
      return;
    }
    segment.shown.set(message.seq, message);
    if (message.seq <= segment.end) this.reordered++;
    else segment.end = message.seq;
  }
}

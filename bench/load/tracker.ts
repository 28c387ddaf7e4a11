/**
 * Delivery accounting for one trial: every message a sender sends gets a dense index, every
 * receipt is checked against it. From that come latency per stage, deliveries per window, and the
 * lost, duplicated and out-of-order counts both by room seq and by each sender's own sequence.
 */
import { Samples } from "../stats.ts";
import type { StageResult } from "../types.ts";

/** The fields a bench message carries in its text, in this order, separated by ":". */
export interface Stamp {
  index: number;
  sender: number;
  senderSeq: number;
  sentAt: number;
}

/** Writes the text of a bench message: the stamp, then padding up to `bytes`. */
export function stampText(stamp: Stamp, bytes: number): string {
  const head = `${stamp.index}:${stamp.sender}:${stamp.senderSeq}:${stamp.sentAt.toFixed(3)}:`;
  return head.length >= bytes ? head : head + "x".repeat(bytes - head.length);
}

/** Reads a stamp back from a received text; null when the text is not one of ours. */
export function readStamp(text: string): Stamp | null {
  const [index, sender, senderSeq, sentAt] = text.split(":", 4);
  const stamp = { index: Number(index), sender: Number(sender), senderSeq: Number(senderSeq), sentAt: Number(sentAt) };
  return Number.isInteger(stamp.index) && Number.isFinite(stamp.sentAt) ? stamp : null;
}

/** Per-stage counters (see `StageResult` for their meaning). */
class StageCounters {
  readonly latency = new Samples();
  readonly sendLag = new Samples();
  sent = 0;
  refused = 0;
  windowDeliveries = 0;
  windowFrames = 0;
  windowMaxLatency = 0;
  duplicatedBySeq = 0;
  duplicatedBySender = 0;
  outOfOrderBySeq = 0;
  outOfOrderBySender = 0;
}

/** Tracks every send and receipt of one trial. */
export class Tracker {
  readonly #clients: number;
  readonly #senders: number;
  readonly #capacity: number;
  readonly #withSeq: boolean;
  readonly #stages: StageCounters[];
  /** Per message: its stage, how many clients got it, whether the room refused it. */
  readonly #stageOf: Uint16Array;
  readonly #receivers: Uint32Array;
  readonly #refused: Uint8Array;
  /** Per client × message: seen (by index); per client × seq: seen. */
  readonly #seenIndex: Uint8Array;
  readonly #seenSeq: Uint8Array;
  /** Per client: last seq seen; per client × sender: last sender sequence seen. */
  readonly #lastSeq: Int32Array;
  readonly #lastSenderSeq: Int32Array;
  /** seq → message index, learned from the first client that sees a seq. */
  readonly #indexOfSeq: Int32Array;
  #maxSeq = 0;
  #sent = 0;
  /** The stage whose window is open (deliveries then count toward its throughput), or -1. */
  #window = -1;

  constructor(options: { clients: number; senders: number; stages: number; capacity: number; withSeq: boolean }) {
    const { clients, senders, capacity } = options;
    if (clients * capacity > 400_000_000) throw new Error(`trial too large to track: ${clients} clients × ${capacity} messages`);
    this.#clients = clients;
    this.#senders = senders;
    this.#capacity = capacity;
    this.#withSeq = options.withSeq;
    this.#stages = Array.from({ length: options.stages }, () => new StageCounters());
    this.#stageOf = new Uint16Array(capacity);
    this.#receivers = new Uint32Array(capacity);
    this.#refused = new Uint8Array(capacity);
    this.#seenIndex = new Uint8Array(clients * capacity);
    this.#seenSeq = new Uint8Array(options.withSeq ? clients * (capacity + 1) : 0);
    this.#lastSeq = new Int32Array(clients);
    this.#lastSenderSeq = new Int32Array(clients * senders).fill(-1);
    this.#indexOfSeq = new Int32Array(options.withSeq ? capacity + 1 : 0).fill(-1);
  }

  /** Messages sent so far (the next message's index). */
  get sent(): number {
    return this.#sent;
  }

  /** True when another message fits the tracker's arrays. */
  get hasRoom(): boolean {
    return this.#sent < this.#capacity;
  }

  /** Opens the throughput window of `stage` (or closes it with -1). */
  setWindow(stage: number): void {
    this.#window = stage;
  }

  /** Counts a frame received during the open window (a `batch` is one frame carrying several messages). */
  frameReceived(): void {
    if (this.#window >= 0) this.#stages[this.#window]!.windowFrames++;
  }

  /** Records a send and returns the new message's index. `lagMs`: how late the generator was. */
  sentOne(stage: number, lagMs: number): number {
    const index = this.#sent++;
    this.#stageOf[index] = stage;
    const counters = this.#stages[stage]!;
    counters.sent++;
    counters.sendLag.add(lagMs);
    return index;
  }

  /** The room refused a message (rate limit): no client is expected to get it. */
  refusedOne(index: number): void {
    if (index < 0 || index >= this.#sent || this.#refused[index]) return;
    this.#refused[index] = 1;
    this.#stages[this.#stageOf[index]!]!.refused++;
  }

  /** Records that `client` received a message; `seq` is the room's (undefined for the baseline). */
  received(client: number, stamp: Stamp, seq: number | undefined, now: number): boolean {
    const { index, sender, senderSeq } = stamp;
    if (index < 0 || index >= this.#sent || sender < 0 || sender >= this.#senders) return false;
    const counters = this.#stages[this.#stageOf[index]!]!;
    const latency = now - stamp.sentAt;
    if (this.#window >= 0) {
      const open = this.#stages[this.#window]!;
      open.windowDeliveries++;
      open.windowMaxLatency = Math.max(open.windowMaxLatency, latency);
    }

    const seenAt = client * this.#capacity + index;
    if (this.#seenIndex[seenAt]) counters.duplicatedBySender++;
    else {
      this.#seenIndex[seenAt] = 1;
      this.#receivers[index]!++;
      counters.latency.add(latency);
      const lastAt = client * this.#senders + sender;
      if (senderSeq < this.#lastSenderSeq[lastAt]!) counters.outOfOrderBySender++;
      else this.#lastSenderSeq[lastAt] = senderSeq;
    }
    if (seq !== undefined && this.#withSeq) this.#receivedSeq(client, seq, index, counters);
    return true;
  }

  /** How many deliveries arrived during `stage`'s window. */
  windowDeliveries(stage: number): number {
    return this.#stages[stage]?.windowDeliveries ?? 0;
  }

  /** The largest latency among deliveries that arrived during `stage`'s window. */
  windowMaxLatency(stage: number): number {
    return this.#stages[stage]!.windowMaxLatency;
  }

  /** Deliveries still missing (expected minus received), over all stages. */
  missing(): number {
    let missing = 0;
    for (let i = 0; i < this.#sent; i++) if (!this.#refused[i]) missing += this.#clients - this.#receivers[i]!;
    return missing;
  }

  /** Final figures per stage; `seconds` and `cpu` come from the trial's clock. */
  results(windows: { seconds: number; loadCpuShare: number; ratePerSender: number }[]): StageResult[] {
    const lost = new Array<number>(this.#stages.length).fill(0);
    for (let i = 0; i < this.#sent; i++) {
      if (!this.#refused[i]) lost[this.#stageOf[i]!]! += this.#clients - this.#receivers[i]!;
    }
    const gaps = this.#withSeq ? this.#seqGapsByStage() : null;
    return this.#stages.map((c, stage) => {
      const { seconds, loadCpuShare, ratePerSender } = windows[stage] ?? { seconds: 0, loadCpuShare: 0, ratePerSender: 0 };
      const offeredPerS = ratePerSender * this.#senders;
      return {
        offeredPerS,
        offeredDeliveriesPerS: offeredPerS * this.#clients,
        seconds,
        sent: c.sent,
        refused: c.refused,
        deliveriesPerS: seconds > 0 ? Math.round(c.windowDeliveries / seconds) : 0,
        messagesPerFrame: c.windowFrames > 0 ? Math.round((c.windowDeliveries / c.windowFrames) * 100) / 100 : null,
        latency: c.latency.percentiles(),
        lost: lost[stage]!,
        duplicatedBySeq: this.#withSeq ? c.duplicatedBySeq : null,
        duplicatedBySender: c.duplicatedBySender,
        outOfOrderBySeq: this.#withSeq ? c.outOfOrderBySeq : null,
        outOfOrderBySender: c.outOfOrderBySender,
        seqGaps: gaps ? gaps[stage]! : null,
        sendLagP99: c.sendLag.percentiles().p99 ?? 0,
        loadCpuShare,
      };
    });
  }

  #receivedSeq(client: number, seq: number, index: number, counters: StageCounters): void {
    if (!Number.isInteger(seq) || seq < 1 || seq > this.#capacity) return;
    if (this.#indexOfSeq[seq] === -1) this.#indexOfSeq[seq] = index;
    this.#maxSeq = Math.max(this.#maxSeq, seq);
    const seenAt = client * (this.#capacity + 1) + seq;
    if (this.#seenSeq[seenAt]) return void counters.duplicatedBySeq++;
    this.#seenSeq[seenAt] = 1;
    if (seq < this.#lastSeq[client]!) counters.outOfOrderBySeq++;
    else this.#lastSeq[client] = seq;
  }

  /** Seqs (up to the highest anyone saw) a client never saw, attributed to the stage of their message. */
  #seqGapsByStage(): number[] {
    const gaps = new Array<number>(this.#stages.length).fill(0);
    for (let seq = 1; seq <= this.#maxSeq; seq++) {
      const index = this.#indexOfSeq[seq]!;
      // A seq nobody saw belongs to no known message: charge it to the last stage.
      const stage = index >= 0 ? this.#stageOf[index]! : this.#stages.length - 1;
      for (let client = 0; client < this.#clients; client++) {
        if (!this.#seenSeq[client * (this.#capacity + 1) + seq]) gaps[stage]!++;
      }
    }
    return gaps;
  }
}

/**
 * One direction of calls between two objects of a room (a shard's uplink to the Room, the Room's
 * downlink to a shard): a queue, at most one call in flight, what arrives meanwhile riding the
 * next call, and a failed call tried again as it was (same batch, same number) before anything
 * newer, after a delay that doubles from 50 ms to 2 s. The queue is bounded by weight (about the
 * bytes its items hold): while the peer does not answer, `push` refuses what would pass the bound
 * and the owner decides what that means (docs/SHARDS.md, "Past the bound"). Items that are
 * bounded by their nature (one close per connection) go in with `pushAlways`.
 */

/** A one-shot timer (injected so tests drive time). */
export interface RetryTimer {
  later(fn: () => void, ms: number): void;
}

/** The real timer: a few ms to 2 s while a peer fails, never while it answers. */
export const realTimer: RetryTimer = { later: (fn, ms) => void setTimeout(fn, ms) };

/** How a channel makes and sends its calls. */
export interface ChannelOptions<Item, Batch> {
  /** Makes one call's batch of the items queued, numbered `n` (made once: a retry sends it again). */
  seal(items: Item[], n: number): Batch;
  /** Sends a batch; resolves once the peer took it. */
  call(batch: Batch): Promise<void>;
  /** The peer took a batch. */
  delivered?(batch: Batch): void;
  /** The weight queued never passes this (the batch in flight does not count). */
  maxWeight: number;
  log(what: string, err: unknown): void;
  timer?: RetryTimer;
}

/** Retries wait this long, doubling up to the cap. */
const RETRY_MS = 50;
const RETRY_CAP_MS = 2_000;

/** One bounded channel. */
export class Channel<Item, Batch> {
  readonly #options: ChannelOptions<Item, Batch>;
  readonly #timer: RetryTimer;
  #queue: Item[] = [];
  #weight = 0;
  #n = 0;
  /** The batch in flight, or the one that failed and waits to be sent again. */
  #batch: Batch | undefined;
  #inFlight = false;
  #retryMs = RETRY_MS;
  #failing = false;

  constructor(options: ChannelOptions<Item, Batch>) {
    this.#options = options;
    this.#timer = options.timer ?? realTimer;
  }

  /** Queues an item of `weight`; false (and nothing queued) when it would pass the bound. */
  push(item: Item, weight: number): boolean {
    if (this.#weight + weight > this.#options.maxWeight) return false;
    this.#queue.push(item);
    this.#weight += weight;
    return true;
  }

  /** Queues an item whatever the bound: only for items bounded by their nature. */
  pushAlways(item: Item): void {
    this.#queue.push(item);
  }

  /** Drops everything queued (not the batch in flight, nor one waiting to be tried again). */
  drop(): Item[] {
    const dropped = this.#queue;
    this.#queue = [];
    this.#weight = 0;
    return dropped;
  }

  /** Items queued and not yet in a call. */
  get queued(): number {
    return this.#queue.length;
  }

  /** True from a failed call until a call succeeds again. */
  get failing(): boolean {
    return this.#failing;
  }

  /** Sends what is queued unless a call is in flight; `always` makes a call even with no item. */
  flush(always = false): void {
    if (this.#inFlight) return;
    if (this.#batch === undefined) {
      if (this.#queue.length === 0 && !always) return;
      this.#batch = this.#options.seal(this.#queue, ++this.#n);
      this.#queue = [];
      this.#weight = 0;
    }
    const batch = this.#batch;
    this.#inFlight = true;
    this.#options.call(batch).then(
      () => {
        this.#batch = undefined;
        this.#retryMs = RETRY_MS;
        this.#failing = false;
        this.#inFlight = false;
        this.#options.delivered?.(batch);
        this.flush();
      },
      (err: unknown) => {
        this.#options.log("call failed, retrying", err);
        this.#failing = true;
        const wait = this.#retryMs;
        this.#retryMs = Math.min(RETRY_CAP_MS, this.#retryMs * 2);
        this.#timer.later(() => {
          this.#inFlight = false;
          this.flush();
        }, wait);
      },
    );
  }
}

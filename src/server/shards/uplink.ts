/**
 * A shard's side of the call up to its room: what its sockets sent that the room must judge (in
 * order, with their connection keys), and their closes. At most one `uplink` call is in flight;
 * what comes meanwhile rides the next one, so a busy shard makes few calls. A failed call is
 * retried as it was (same number: the room drops a batch it already handled).
 */
import type { UplinkBatch, UplinkItem } from "./shard-wire.ts";

/** What the shard calls on its room. */
export interface RoomStub {
  uplink(batch: UplinkBatch): Promise<void>;
}

const RETRY_MS = 50;
const RETRY_CAP_MS = 2_000;

/** The uplink of one shard. */
export class Uplink {
  readonly #shard: number;
  readonly #room: () => RoomStub;
  readonly #open: () => number;
  readonly #log: (what: string, err: unknown) => void;
  readonly #instance = crypto.randomUUID();
  #queue: UplinkItem[] = [];
  #roster: string[] | undefined;
  #n = 0;
  /** The batch in flight, or the one that failed and waits to be sent again. */
  #batch: UplinkBatch | undefined;
  #inFlight = false;
  #retryMs = RETRY_MS;

  constructor(shard: number, room: () => RoomStub, open: () => number, log: (what: string, err: unknown) => void) {
    this.#shard = shard;
    this.#room = room;
    this.#open = open;
    this.#log = log;
  }

  /** Queues one item for the room. */
  push(item: UplinkItem): void {
    this.#queue.push(item);
  }

  /** Sends every connection held with the next call, so the room can drop what it lost. */
  roster(keys: string[]): void {
    this.#roster = keys;
  }

  /** Sends what is queued, unless a call is in flight. */
  flush(): void {
    if (this.#inFlight) return;
    if (!this.#batch) {
      if (this.#queue.length === 0 && this.#roster === undefined) return;
      this.#batch = { shard: this.#shard, instance: this.#instance, n: ++this.#n, open: this.#open(), items: this.#queue };
      if (this.#roster) this.#batch.roster = this.#roster;
      this.#queue = [];
      this.#roster = undefined;
    }
    const batch = this.#batch;
    this.#inFlight = true;
    this.#room()
      .uplink(batch)
      .then(
        () => {
          this.#batch = undefined;
          this.#retryMs = RETRY_MS;
          this.#inFlight = false;
          this.flush();
        },
        (err: unknown) => {
          this.#log("uplink failed, retrying", err);
          const wait = this.#retryMs;
          this.#retryMs = Math.min(RETRY_CAP_MS, this.#retryMs * 2);
          setTimeout(() => {
            this.#inFlight = false;
            this.flush();
          }, wait);
        },
      );
  }
}

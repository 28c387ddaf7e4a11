/**
 * A shard's side of the call up to its room: what its sockets sent that the room must judge (in
 * order, with their connection keys), and their closes, over one bounded channel (`channel.ts`).
 * A retried call goes as it was (same number: the room drops a batch it already handled). Past
 * the bound (the room has not answered for a while), a frame is not queued: the shard closes its
 * socket with 1013, so its client reconnects and resumes once the room answers (docs/SHARDS.md).
 */
import { Channel, type RetryTimer } from "./channel.ts";
import type { UplinkBatch, UplinkItem } from "./shard-wire.ts";

/** What the shard calls on its room. */
export interface RoomStub {
  uplink(batch: UplinkBatch): Promise<void>;
}

/** The weight of frames one shard keeps queued for its room at most (their UTF-16 length). */
export const UPLINK_MAX_WEIGHT = 4 * 1024 * 1024;

/** The uplink of one shard. */
export class Uplink {
  readonly #channel: Channel<UplinkItem, UplinkBatch>;
  #roster: string[] | undefined;

  constructor(shard: number, room: () => RoomStub, open: () => number, log: (what: string, err: unknown) => void, bound = { maxWeight: UPLINK_MAX_WEIGHT, timer: undefined as RetryTimer | undefined }) {
    const instance = crypto.randomUUID();
    this.#channel = new Channel<UplinkItem, UplinkBatch>({
      seal: (items, n) => {
        const batch: UplinkBatch = { shard, instance, n, open: open(), items };
        if (this.#roster) batch.roster = this.#roster;
        this.#roster = undefined;
        return batch;
      },
      call: (batch) => room().uplink(batch),
      maxWeight: bound.maxWeight,
      log: (what, err) => log(`uplink ${what}`, err),
      ...(bound.timer ? { timer: bound.timer } : {}),
    });
  }

  /** Queues a frame of `weight` (its text's length); false when it would pass the bound. */
  frame(item: UplinkItem & { kind: "frame" }, weight: number): boolean {
    return this.#channel.push(item, weight);
  }

  /** Queues a close: never refused (one per connection). */
  closed(conn: string): void {
    this.#channel.pushAlways({ kind: "closed", conn });
  }

  /** Sends every connection held with the next call, so the room can drop what it lost. */
  roster(keys: string[]): void {
    this.#roster = keys;
  }

  /** Sends what is queued, unless a call is in flight. */
  flush(): void {
    this.#channel.flush(this.#roster !== undefined);
  }
}

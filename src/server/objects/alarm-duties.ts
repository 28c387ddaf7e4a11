/**
 * One alarm per object, shared by every timed duty it has: the socket sweep (both objects), the
 * Room's retention and bucket pruning, a shard's roster. Each duty says when it is next due; the
 * alarm is set to the earliest, never a timer that keeps the object awake. Adding a duty (token
 * expiry, webhook retries, removing unattached files: DESIGN.md) is one more `Duty` handed to
 * `addDuty`, its next time kept wherever its own state lives (memory, attachments, SQLite).
 */

/** One timed duty of an object. */
export interface Duty {
  /** For logs. */
  readonly name: string;
  /** When the duty is next due (ms since the epoch), or undefined when it has nothing to do. */
  next(now: number): number | undefined;
  /** Does the duty; runs when the alarm fires at or after its time. */
  run(now: number): void | Promise<void>;
}

/** The alarm never fires sooner than this after the last one (a busy sweep has work every moment). */
const MIN_GAP_MS = 1_000;

/** An object's duties and its one alarm, whose time is kept in memory (read once per wake). */
export class AlarmDuties {
  readonly #storage: DurableObjectStorage;
  readonly #duties: Duty[] = [];
  readonly #log: (what: string, err: unknown) => void;
  /** The alarm's time; null when none is set; undefined until read. */
  #at: number | null | undefined;

  constructor(storage: DurableObjectStorage, log: (what: string, err: unknown) => void) {
    this.#storage = storage;
    this.#log = log;
  }

  /** Adds a duty (in the object's constructor). */
  add(duty: Duty): void {
    this.#duties.push(duty);
  }

  /**
   * Makes sure the alarm fires no later than `at` (a duty just became due sooner, a socket just
   * opened): storage is read the first time after a wake, and written only to move the alarm earlier.
   */
  async dueBy(at: number): Promise<void> {
    if (this.#at === undefined) this.#at = await this.#storage.getAlarm();
    if (this.#at !== null && this.#at <= at) return;
    this.#at = at;
    await this.#storage.setAlarm(at);
  }

  /**
   * Sets the alarm to the earliest of what storage holds and `at`, writing it even when storage
   * already holds that time: a local runtime keeps no alarm timers across its own restart, so a
   * woken object that still owes work (webhook deliveries) arms its alarm afresh.
   */
  async reassert(at: number): Promise<void> {
    const stored = this.#at === undefined ? await this.#storage.getAlarm() : this.#at;
    this.#at = stored === null ? at : Math.min(stored, at);
    await this.#storage.setAlarm(this.#at);
  }

  /** The alarm fired: runs every duty that is due (one failing does not stop the others), then re-arms. */
  async fire(now: number): Promise<void> {
    this.#at = null;
    for (const duty of this.#duties) {
      const due = duty.next(now);
      if (due === undefined || due > now) continue;
      try {
        await duty.run(now);
      } catch (err) {
        this.#log(`duty ${duty.name} failed`, err);
      }
    }
    await this.#rearm(now);
  }

  /** Sets the alarm to the earliest next time of any duty, or deletes it when none has work. */
  async #rearm(now: number): Promise<void> {
    let next = Infinity;
    for (const duty of this.#duties) next = Math.min(next, duty.next(now) ?? Infinity);
    if (next === Infinity) {
      await this.#storage.deleteAlarm();
      return;
    }
    this.#at = Math.max(next, now + MIN_GAP_MS);
    await this.#storage.setAlarm(this.#at);
  }
}

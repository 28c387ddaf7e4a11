/**
 * When the Room lets out what its core queued, decided in one place at the end of every turn:
 * at once while the room is quiet, at the batch window's end while broadcasts come fast
 * (`batch-window.ts`), a window later for writes no frame waits for (names seen), and an
 * `occupancy` frame at most once a second while the count keeps changing. The timers are a few
 * ms to a second long and run only while the room is busy, so they never keep it from hibernating.
 */
import type { RoomCore } from "../core/room-core.ts";
import { realScheduler, type BatchWindow, type Scheduler } from "./batch-window.ts";

/** What the schedule needs of the core. */
export type Releasable = Pick<RoomCore, "idle" | "writesDue" | "commit" | "tick">;

/** The Room's sending, turn by turn. */
export class SendSchedule {
  readonly #window: BatchWindow;
  readonly #core: Releasable;
  readonly #flush: () => void;
  readonly #log: (what: string, err: unknown) => void;
  readonly #scheduler: Scheduler;
  #occupancyTimer = false;

  /** `flush` sends what a turn made: to the object's sockets, and one call per shard with anything. */
  constructor(window: BatchWindow, core: Releasable, flush: () => void, log: (what: string, err: unknown) => void, scheduler: Scheduler = realScheduler) {
    this.#window = window;
    this.#core = core;
    this.#flush = flush;
    this.#log = log;
    this.#scheduler = scheduler;
  }

  /** End of a turn: let out what is due, now or at the batch window's end; keep occupancy ticking. */
  settle(): void {
    try {
      this.#scheduleOccupancy(this.#core.tick());
      if (!this.#core.idle) this.#window.settle(() => this.#release());
      else if (this.#core.writesDue) this.#window.later(() => this.#release());
    } catch (err) {
      this.#log("settle failed", err);
    }
    this.#flush();
  }

  #release(): void {
    try {
      this.#core.commit();
    } catch (err) {
      this.#log("commit failed", err);
    }
    this.#flush();
  }

  /** At most one `occupancy` a second: a short timer while the count keeps changing. */
  #scheduleOccupancy(due: number | undefined): void {
    if (due === undefined || this.#occupancyTimer) return;
    this.#occupancyTimer = true;
    this.#scheduler.later(() => {
      this.#occupancyTimer = false;
      this.settle();
    }, Math.max(0, due - this.#scheduler.now()));
  }
}

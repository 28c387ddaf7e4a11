/**
 * Deletes the bytes of erased files from R2 (PROTOCOL.md v3: deleting a message erases its files;
 * a file never attached goes an hour after its upload). The room's record says `erasing` from the
 * commit that erased it, so the Worker serves nothing of it from then on; this deletes the bytes
 * right after that commit, and, as the Room's `files` alarm duty, expires unattached files and
 * retries what R2 could not delete (the records stay until R2 says done, and survive a restart).
 */
import type { Duty } from "./alarm-duties.ts";
import { fileKey } from "../core/file-rules.ts";

/** What the eraser needs of the room's core. */
export interface ErasingCore {
  readonly nextFileExpiry: number | undefined;
  readonly filesErasingDue: boolean;
  expireFiles(now: number): void;
  erasingFiles(limit: number): string[];
  forgetFiles(ids: readonly string[]): void;
}

/** R2 deletes at most this many keys per call. */
const DELETE_BATCH = 1_000;

/** After a failed delete, the alarm tries again this much later. */
const RETRY_MS = 30_000;

/** One room's deletion of file bytes. */
export class FileEraser {
  readonly #core: ErasingCore;
  readonly #bucket: R2Bucket;
  readonly #room: string;
  readonly #log: (what: string, err: unknown) => void;
  readonly #wakeBy: (at: number) => void;
  #running: Promise<void> | undefined;
  #again = false;
  /** When the last delete failed (the duty retries RETRY_MS after it). */
  #failedAt: number | undefined;

  constructor(core: ErasingCore, bucket: R2Bucket, room: string, log: (what: string, err: unknown) => void, wakeBy: (at: number) => void) {
    this.#core = core;
    this.#bucket = bucket;
    this.#room = room;
    this.#log = log;
    this.#wakeBy = wakeBy;
  }

  /** A commit erased files: delete their bytes now (the alarm stands by in case this fails or the object goes). */
  start(): void {
    this.#wakeBy(Date.now() + RETRY_MS);
    void this.run();
  }

  /** A file was reserved: the alarm must fire by the time the oldest unattached file expires. */
  expiresBy(at: number | undefined): void {
    if (at !== undefined) this.#wakeBy(at);
  }

  /** Deletes every erasing file's bytes, then its record; one run at a time (a start during a run runs again after). */
  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#deleteAll()
      .then(() => (this.#failedAt = undefined))
      .catch((err) => {
        this.#failedAt = Date.now();
        this.#log("deleting files from R2 failed", err);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          void this.run();
        }
      });
    return this.#running;
  }

  /** The Room's `files` alarm duty: expiry of unattached files, and deletes still owed. */
  duty(): Duty {
    return {
      name: "files",
      next: (now) => {
        const expiry = this.#core.nextFileExpiry;
        const owed = this.#core.filesErasingDue ? (this.#failedAt === undefined ? now : this.#failedAt + RETRY_MS) : undefined;
        if (expiry === undefined) return owed;
        return owed === undefined ? expiry : Math.min(expiry, owed);
      },
      run: async (now) => {
        this.#core.expireFiles(now);
        await this.run();
      },
    };
  }

  async #deleteAll(): Promise<void> {
    for (;;) {
      const ids = this.#core.erasingFiles(DELETE_BATCH);
      if (ids.length === 0) return;
      await this.#bucket.delete(ids.map((id) => fileKey(this.#room, id)));
      this.#core.forgetFiles(ids);
    }
  }
}

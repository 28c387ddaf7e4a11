/**
 * Requests that the room answers without an id (`history`, `members`, `search`, `rename`, the
 * moderation frames, `settings`, `auth`): each waits here for its answer. A room answers one
 * socket's frames in the order they came, so an `error` without `ref` belongs to the oldest
 * request still waiting, and each answer is recognised by its shape (a `history` frame, the
 * `moderation` frame about our `kick`, ...) among the broadcasts around it.
 *
 * Requests made while disconnected go out after the next welcome. When a connection is lost,
 * reads (`history`, `members`, `search`) are sent again after the next welcome; anything else
 * that was sent is rejected with the local code `disconnected`, since the room may or may not
 * have acted on it. No timer declares the connection stuck over a request's answer: a request
 * holds nothing else up (unlike the outbox's one action in flight), a dead connection is found by
 * the heartbeat, and a slow room is given the time it needs rather than a reconnect. (The one
 * timer here is a rename's quiet wait.)
 */
import type { RoomError, RoomFrame } from "@edge-chat/protocol/server-frames";
import type { EphemeralFrame } from "./transport-types.ts";

/** One request and how its answer is told apart. */
export interface RequestSpec<T> {
  frame: EphemeralFrame;
  /** The answer this request waits for, or undefined for a frame that is not it. */
  answer(frame: RoomFrame): T | undefined;
  /** A read: safe to send again after a reconnect. */
  read: boolean;
  /**
   * The room may rightly send nothing back (a rename that ends on the current name): after this
   * long without an answer it resolves with `quietValue()`.
   */
  quietAfterMs?: number;
  quietValue?: () => T;
}

/** A refusal made here, not by the room: the connection went away, or the room was closed. */
export function localError(code: "disconnected" | "closed", message: string): RoomError {
  return { type: "error", code, message };
}

interface Entry {
  spec: RequestSpec<unknown>;
  resolve(value: unknown): void;
  reject(error: RoomError): void;
  sent: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

/** What the queue needs from its transport. */
export interface RequestHooks {
  send(frame: EphemeralFrame): void;
  ready(): boolean;
}

/** The requests waiting for their answers, oldest first. */
export class RequestQueue {
  readonly #hooks: RequestHooks;
  #entries: Entry[] = [];

  constructor(hooks: RequestHooks) {
    this.#hooks = hooks;
  }

  /** How many requests wait for an answer. */
  get size(): number {
    return this.#entries.length;
  }

  /** Queues a request; it goes out now when connected. */
  add<T>(spec: RequestSpec<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = { spec, resolve: resolve as (value: unknown) => void, reject, sent: false };
      this.#entries.push(entry);
      if (this.#hooks.ready()) this.#send(entry);
    });
  }

  /** A welcome arrived: send what waits, in order. */
  flush(): void {
    for (const entry of this.#entries) if (!entry.sent) this.#send(entry);
  }

  /** Offers a frame from the room; true when it answered a request (an error without `ref` always does, when one was sent). */
  take(frame: RoomFrame): boolean {
    if (frame.type === "error") {
      if (frame.ref !== undefined) return false;
      const index = this.#entries.findIndex((e) => e.sent);
      if (index < 0) return false;
      const [entry] = this.#entries.splice(index, 1);
      this.#settled(entry!);
      entry!.reject(frame);
      return true;
    }
    for (let index = 0; index < this.#entries.length; index++) {
      const entry = this.#entries[index]!;
      if (!entry.sent) break;
      const value = entry.spec.answer(frame);
      if (value === undefined) continue;
      this.#entries.splice(index, 1);
      // Earlier requests that may go unanswered were passed over by the room: nothing came for them.
      for (const earlier of this.#entries.splice(0, index).reverse()) {
        if (earlier.spec.quietValue) {
          this.#settled(earlier);
          earlier.resolve(earlier.spec.quietValue());
        } else this.#entries.unshift(earlier);
      }
      this.#settled(entry);
      entry.resolve(value);
      return true;
    }
    return false;
  }

  /** The connection is gone: reads go again after the next welcome, other sent requests fail. */
  disconnected(): void {
    const kept: Entry[] = [];
    for (const entry of this.#entries) {
      clearTimeout(entry.timer);
      if (!entry.sent || entry.spec.read) {
        entry.sent = false;
        kept.push(entry);
      } else entry.reject(localError("disconnected", "the connection was lost before the room answered"));
    }
    this.#entries = kept;
  }

  /** The room is closed for good: every request fails with `error`. */
  close(error: RoomError): void {
    this.disconnected();
    for (const entry of this.#entries.splice(0)) entry.reject(error);
  }

  #send(entry: Entry): void {
    entry.sent = true;
    this.#hooks.send(entry.spec.frame);
    const quiet = entry.spec.quietAfterMs;
    if (quiet !== undefined && entry.spec.quietValue) {
      entry.timer = setTimeout(() => {
        const index = this.#entries.indexOf(entry);
        if (index < 0) return;
        this.#entries.splice(index, 1);
        this.#settled(entry);
        entry.resolve(entry.spec.quietValue!());
      }, quiet);
    }
  }

  #settled(entry: Entry): void {
    clearTimeout(entry.timer);
  }
}

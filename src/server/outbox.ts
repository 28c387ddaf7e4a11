/**
 * Outgoing frames of a room, queued per socket and sent in order. When the room is quiet a frame
 * goes out at the end of the turn that made it; when broadcasts are due faster than one per
 * `windowMs`, they are held until the window since the last broadcast flush has passed, and each
 * socket gets them packed into one `batch` frame. Sockets due the same frames share one batch
 * string: a frame is serialized once, and a batch is built once per distinct queue, never once per
 * receiver. Frames for one socket alone (an error, a welcome) never start or stretch a window, so
 * a flooder's refusals cannot delay everyone else's messages, and they never wait for one: that
 * socket's queue goes out at the end of the turn, broadcasts held for it included, in order.
 */

/** What the outbox needs of a socket. */
export interface Sendable {
  send(text: string): void;
}

/** A clock and a one-shot timer (injected so tests can drive time). */
export interface Scheduler {
  now(): number;
  later(fn: () => void, ms: number): void;
}

/** The real clock and timer. The timer is short-lived, so it never keeps a room from hibernating. */
export const realScheduler: Scheduler = {
  now: () => Date.now(),
  later: (fn, ms) => void setTimeout(fn, ms),
};

interface Queue {
  texts: string[];
  /** Ids of the pushes, to find sockets whose queues are the same. */
  ids: number[];
}

/** Per-socket queues of encoded frames, flushed as single frames or batches. */
export class Outbox<S extends Sendable = Sendable> {
  readonly #queues = new Map<S, Queue>();
  readonly #windowMs: number;
  readonly #scheduler: Scheduler;
  #pushes = 0;
  /** True when something queued since the last flush went to more than one socket. */
  #broadcastPending = false;
  /** When the last flush that carried a broadcast went out. */
  #lastBroadcastFlush = -Infinity;
  #timerArmed = false;
  /** Sockets that got a frame of their own since the last flush: they go out at once. */
  readonly #urgent = new Set<S>();

  constructor(windowMs: number, scheduler: Scheduler = realScheduler) {
    this.#windowMs = windowMs;
    this.#scheduler = scheduler;
  }

  /** Queues one encoded frame for one socket. */
  push(socket: S, text: string): void {
    this.#enqueue(socket, text, ++this.#pushes);
    this.#urgent.add(socket);
  }

  /** Queues one encoded frame for many sockets (one push: their queues stay comparable). */
  pushAll(sockets: Iterable<S>, text: string): void {
    const id = ++this.#pushes;
    for (const socket of sockets) this.#enqueue(socket, text, id);
    this.#broadcastPending = true;
  }

  /** Number of frames waiting, over all sockets. */
  get pending(): number {
    let count = 0;
    for (const queue of this.#queues.values()) count += queue.texts.length;
    return count;
  }

  /**
   * Called at the end of every turn of the room: sends now when only single-socket frames are
   * waiting or the room is quiet; otherwise sends the sockets that got frames of their own and
   * arms one timer for the rest of the window, so the broadcasts due meanwhile join one batch.
   */
  settle(): void {
    if (this.#queues.size === 0) return;
    if (!this.#timerArmed) {
      const wait = this.#broadcastPending ? this.#lastBroadcastFlush + this.#windowMs - this.#scheduler.now() : 0;
      if (wait <= 0) {
        this.flush();
        return;
      }
      this.#timerArmed = true;
      this.#scheduler.later(() => {
        this.#timerArmed = false;
        this.flush();
      }, wait);
    }
    for (const socket of this.#urgent) this.flushSocket(socket);
    this.#urgent.clear();
  }

  /** Sends everything queued for one socket now (before it is closed, say). */
  flushSocket(socket: S): void {
    const queue = this.#queues.get(socket);
    if (!queue) return;
    this.#queues.delete(socket);
    send(socket, pack(queue.texts));
  }

  /** Sends everything queued, one frame or one batch per socket. */
  flush(): void {
    if (this.#broadcastPending) this.#lastBroadcastFlush = this.#scheduler.now();
    this.#broadcastPending = false;
    const built = new Map<string, string>();
    for (const [socket, queue] of this.#queues) {
      if (queue.texts.length === 1) {
        send(socket, queue.texts[0]!);
        continue;
      }
      const key = queue.ids.join(",");
      let text = built.get(key);
      if (text === undefined) {
        text = pack(queue.texts);
        built.set(key, text);
      }
      send(socket, text);
    }
    this.#queues.clear();
    this.#urgent.clear();
  }

  #enqueue(socket: S, text: string, id: number): void {
    const queue = this.#queues.get(socket);
    if (queue) {
      queue.texts.push(text);
      queue.ids.push(id);
    } else {
      this.#queues.set(socket, { texts: [text], ids: [id] });
    }
  }
}

/** One encoded frame as it is, several as a `batch` (built from the encoded frames, no re-encoding). */
function pack(texts: string[]): string {
  return texts.length === 1 ? texts[0]! : `{"type":"batch","frames":[${texts.join(",")}]}`;
}

function send(socket: Sendable, text: string): void {
  try {
    socket.send(text);
  } catch {
    // The socket is closing; its close event updates presence.
  }
}

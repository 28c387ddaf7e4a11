/**
 * Outgoing frames of a room's sockets, queued per socket during a turn and sent at its end, in
 * order: one frame as it is, several packed into one `batch` frame. A frame is serialized once,
 * never per receiver, and sockets due the same frames share one batch string: a batch is built
 * once per distinct queue. When frames are due is the group commit's and the batch window's
 * business (`group-commit.ts`, `batch-window.ts`); this only packs and sends.
 */

/** What the outbox needs of a socket. */
export interface Sendable {
  send(text: string): void;
}

interface Queue {
  texts: string[];
  /** Ids of the pushes, to find sockets whose queues are the same. */
  ids: number[];
}

/** Per-socket queues of encoded frames, flushed as single frames or batches. */
export class Outbox<S extends Sendable = Sendable> {
  readonly #queues = new Map<S, Queue>();
  /**
   * The common case of a busy big room, kept apart: one frame for many sockets and nothing else
   * queued. It is sent straight from this list, with no queue built per socket.
   */
  #only: { sockets: S[]; text: string } | undefined;
  #pushes = 0;
  #sends = 0;

  /** `send()` calls made so far (a batch is one). */
  get sends(): number {
    return this.#sends;
  }

  /** Queues one encoded frame for one socket. */
  push(socket: S, text: string): void {
    this.#spread();
    this.#enqueue(socket, text, ++this.#pushes);
  }

  /** Queues one encoded frame for many sockets (one push: their queues stay comparable). */
  pushAll(sockets: Iterable<S>, text: string): void {
    if (this.#queues.size === 0 && this.#only === undefined) {
      this.#only = { sockets: [...sockets], text };
      return;
    }
    this.#spread();
    const id = ++this.#pushes;
    for (const socket of sockets) this.#enqueue(socket, text, id);
  }

  /** Sends everything queued for one socket now (before it is closed, say). */
  flushSocket(socket: S): void {
    this.#spread();
    const queue = this.#queues.get(socket);
    if (!queue) return;
    this.#queues.delete(socket);
    this.#send(socket, pack(queue.texts));
  }

  /** Sends everything queued, one frame or one batch per socket. */
  flush(): void {
    if (this.#only) {
      const { sockets, text } = this.#only;
      this.#only = undefined;
      for (const socket of sockets) this.#send(socket, text);
      return;
    }
    const built = new Map<string, string>();
    for (const [socket, queue] of this.#queues) {
      if (queue.texts.length === 1) {
        this.#send(socket, queue.texts[0]!);
        continue;
      }
      const key = queue.ids.join(",");
      let text = built.get(key);
      if (text === undefined) {
        text = pack(queue.texts);
        built.set(key, text);
      }
      this.#send(socket, text);
    }
    this.#queues.clear();
  }

  /** Turns the one shared frame into per-socket queues, once something else is queued beside it. */
  #spread(): void {
    const only = this.#only;
    if (!only) return;
    this.#only = undefined;
    const id = ++this.#pushes;
    for (const socket of only.sockets) this.#enqueue(socket, only.text, id);
  }

  #send(socket: S, text: string): void {
    this.#sends++;
    try {
      socket.send(text);
    } catch {
      // The socket is closing; its close event updates presence.
    }
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

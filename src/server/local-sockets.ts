/**
 * The sockets an object holds itself with the Hibernation API, each with its state in its
 * attachment (so a hibernation loses nothing): its connection key, when it opened and was last
 * heard, and once welcomed its user, name, owner flag, serial and bucket. Audiences of the core's
 * frames are resolved to these sockets here; frames go through the outbox.
 */
import { encode } from "../shared/protocol.ts";
import type { SingleServerFrame } from "../shared/protocol.ts";
import type { Audience, CloseTarget } from "./group-commit.ts";
import { Outbox } from "./outbox.ts";
import type { Conn } from "./presence.ts";
import type { Bucket } from "./rate-limit.ts";

/** What a socket's attachment holds. */
export interface SocketState {
  key: string;
  /** When the socket was accepted (ms); the hello deadline counts from here. */
  openedAt: number;
  /** When a frame last arrived (ms), as last saved; pings are read from the runtime. */
  lastSeen: number;
  /** Set once a hello was accepted. */
  conn?: { user: string; name: string; owner: boolean; serial: number };
  /** The user's bucket as this socket last charged it. */
  bucket?: Bucket;
}

/** Save `lastSeen` to the attachment only when it moved this much: the sweep needs no more. */
const LAST_SEEN_SLACK_MS = 10_000;

/** The sockets one object holds, by connection key. */
export class LocalSockets {
  readonly #prefix: string;
  readonly #byKey = new Map<string, WebSocket>();
  readonly #states = new Map<WebSocket, SocketState>();
  /** Sockets already dropped (closed by us; their close event comes later and changes nothing). */
  readonly #dropped = new WeakSet<WebSocket>();
  readonly outbox = new Outbox<WebSocket>();

  /** `prefix` makes keys unique across the objects of a room (`0` for the room's own object). */
  constructor(prefix: string, sockets: readonly WebSocket[]) {
    this.#prefix = prefix;
    for (const ws of sockets) {
      const state = ws.deserializeAttachment() as SocketState | null;
      if (state) this.#track(ws, state);
    }
  }

  /** How many sockets are held. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Starts tracking a freshly accepted socket; returns its key. */
  open(ws: WebSocket, now: number): string {
    const key = `${this.#prefix}:${randomKey()}`;
    const state: SocketState = { key, openedAt: now, lastSeen: now };
    ws.serializeAttachment(state);
    this.#track(ws, state);
    return key;
  }

  /** The state of a socket; one never tracked (its close woke the object) is read from its attachment. */
  state(ws: WebSocket): SocketState | undefined {
    return this.#states.get(ws) ?? (ws.deserializeAttachment() as SocketState | null) ?? undefined;
  }

  /** Welcomed connections, as the core needs them to rebuild presence. */
  *conns(): Generator<{ conn: Conn; name: string; bucket?: Bucket }> {
    for (const state of this.#states.values()) {
      if (state.conn) yield { conn: { key: state.key, ...state.conn }, name: state.conn.name, bucket: state.bucket };
    }
  }

  /** Every socket with its state (for the sweep). */
  entries(): IterableIterator<[WebSocket, SocketState]> {
    return this.#states.entries();
  }

  /** A frame arrived: remember when (saved to the attachment only now and then). */
  heard(ws: WebSocket, now: number): void {
    const state = this.#states.get(ws);
    if (!state) return;
    if (now - state.lastSeen > LAST_SEEN_SLACK_MS) {
      state.lastSeen = now;
      this.#save(ws, state);
    }
  }

  /** The core welcomed a connection of ours. */
  admitted(conn: Conn, name: string): void {
    const ws = this.#byKey.get(conn.key);
    const state = ws && this.#states.get(ws);
    if (!ws || !state) return;
    state.conn = { user: conn.user, name, owner: conn.owner, serial: conn.serial };
    this.#save(ws, state);
  }

  /** A user was renamed: their sockets' attachments keep the new name. */
  renamed(userId: string, name: string): void {
    for (const [ws, state] of this.#states) {
      if (state.conn?.user !== userId) continue;
      state.conn.name = name;
      this.#save(ws, state);
    }
  }

  /** A token was spent by a frame of this connection. */
  charged(key: string, bucket: Bucket): void {
    const ws = this.#byKey.get(key);
    const state = ws && this.#states.get(ws);
    if (!ws || !state) return;
    state.bucket = bucket;
    this.#save(ws, state);
  }

  /** Queues a frame for the sockets of `audience` that are ours; `users` resolves user ids to keys. */
  deliver(audience: Audience, frame: SingleServerFrame, keysOf: (user: string) => Iterable<string>): void {
    const text = encode(frame);
    if (audience.to === "conn") {
      const ws = this.#byKey.get(audience.conn);
      if (ws) this.outbox.push(ws, text);
      return;
    }
    if (audience.to === "users") {
      const sockets = new Set<WebSocket>();
      for (const id of audience.ids) for (const key of keysOf(id)) {
        const ws = this.#byKey.get(key);
        if (ws) sockets.add(ws);
      }
      this.outbox.pushAll(sockets, text);
      return;
    }
    this.outbox.pushAll(this.#everyone(audience.except, audience.upTo), text);
  }

  /** Closes one socket, or every socket of a user, after sending what was queued for it. */
  close(target: CloseTarget, code: number, reason: string): void {
    const sockets = "conn" in target ? [this.#byKey.get(target.conn)] : [...this.#states].filter(([, s]) => s.conn?.user === target.user).map(([ws]) => ws);
    for (const ws of sockets) if (ws) this.closeSocket(ws, code, reason);
  }

  /** Sends what is queued for a socket, then closes it. */
  closeSocket(ws: WebSocket, code: number, reason: string): void {
    this.outbox.flushSocket(ws);
    try {
      ws.close(code, reason);
    } catch {
      // Already closing: its close event cleans up.
    }
  }

  /** Stops tracking a socket; returns its state (the first time only). */
  drop(ws: WebSocket): SocketState | undefined {
    if (this.#dropped.has(ws)) return undefined;
    this.#dropped.add(ws);
    const state = this.state(ws);
    this.#states.delete(ws);
    if (state && this.#byKey.get(state.key) === ws) this.#byKey.delete(state.key);
    return state;
  }

  *#everyone(except?: string, upTo?: number): Generator<WebSocket> {
    for (const [ws, state] of this.#states) {
      const conn = state.conn;
      if (!conn || conn.user === except || (upTo !== undefined && conn.serial > upTo)) continue;
      yield ws;
    }
  }

  #track(ws: WebSocket, state: SocketState): void {
    this.#states.set(ws, state);
    this.#byKey.set(state.key, ws);
  }

  #save(ws: WebSocket, state: SocketState): void {
    try {
      ws.serializeAttachment(state);
    } catch {
      // A socket that is closing may refuse; its close event cleans up.
    }
  }
}

/** 60 random bits in base 36: a connection key that never repeats in practice. */
function randomKey(): string {
  const [a, b] = crypto.getRandomValues(new Uint32Array(2));
  return `${a!.toString(36)}${(b! >>> 4).toString(36)}`;
}

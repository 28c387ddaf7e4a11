/**
 * Who is online, derived only from the sockets the runtime holds and their attachments, so it is
 * true again after the room wakes from hibernation. Several sockets with one token are one user.
 */
import { nameKey } from "../shared/names.ts";
import type { User } from "../shared/protocol.ts";
import type { Bucket } from "./rate-limit.ts";

/** What the room remembers about one socket; serialized as its attachment (survives hibernation). */
export interface SocketState {
  /** When the socket was accepted (ms); the hello deadline counts from here. */
  openedAt: number;
  /** When the last frame arrived (ms); pings are read from the runtime's auto-response time. */
  lastSeen: number;
  /** Set by an accepted hello. */
  user?: User;
  /** The user's bucket as this socket last charged it; the newest across sockets wins on wake. */
  bucket?: Bucket;
}

/** Sockets the room holds, grouped by user, with their states cached in memory. */
export class Presence {
  readonly #users = new Map<string, { name: string; sockets: Set<WebSocket> }>();
  readonly #states = new Map<WebSocket, SocketState>();
  /** Sockets already dropped by this instance (the sweep closed them; their close comes later). */
  readonly #dropped = new WeakSet<WebSocket>();

  /**
   * Rebuilds presence from the runtime's sockets (after a wake-up, or on first use). Closing
   * sockets count too (the sweep drops any whose close never comes). A socket whose close event
   * woke the room is not among them at all: `drop` reads its user from its attachment.
   */
  constructor(sockets: WebSocket[]) {
    for (const ws of sockets) {
      const state = ws.deserializeAttachment() as SocketState | null;
      if (!state) continue;
      this.#states.set(ws, state);
      if (state.user) this.#join(ws, state.user);
    }
  }

  /** Starts tracking a freshly accepted socket. */
  open(ws: WebSocket, now: number): void {
    const state: SocketState = { openedAt: now, lastSeen: now };
    this.#states.set(ws, state);
    ws.serializeAttachment(state);
  }

  /** The state of a socket (a socket the runtime hands us is always tracked; this heals if not). */
  state(ws: WebSocket): SocketState {
    let state = this.#states.get(ws);
    if (!state) {
      state = (ws.deserializeAttachment() as SocketState | null) ?? { openedAt: Date.now(), lastSeen: Date.now() };
      this.#states.set(ws, state);
    }
    return state;
  }

  /** Writes a socket's state through to its attachment. */
  save(ws: WebSocket): void {
    const state = this.#states.get(ws);
    if (state) ws.serializeAttachment(state);
  }

  /** Every tracked socket with its state. */
  entries(): IterableIterator<[WebSocket, SocketState]> {
    return this.#states.entries();
  }

  /** Marks a socket as belonging to `user`; true when it is the user's first socket online. */
  admit(ws: WebSocket, user: User): boolean {
    const state = this.state(ws);
    state.user = user;
    this.save(ws);
    return this.#join(ws, user);
  }

  /**
   * Forgets a socket; returns its user when that was the user's last socket (they left). A
   * socket never tracked (its close woke the room, and the runtime no longer lists it) still
   * names its user in its attachment: with no other socket online, that user left.
   */
  drop(ws: WebSocket): User | undefined {
    if (this.#dropped.has(ws)) return undefined;
    this.#dropped.add(ws);
    const tracked = this.#states.get(ws);
    this.#states.delete(ws);
    const user = tracked ? tracked.user : (ws.deserializeAttachment() as SocketState | null)?.user;
    if (!user) return undefined;
    const entry = this.#users.get(user.id);
    if (!tracked) return entry ? undefined : user;
    if (!entry?.sockets.delete(ws) || entry.sockets.size > 0) return undefined;
    this.#users.delete(user.id);
    return { id: user.id, name: entry.name };
  }

  /** The user online under `id`, if any. */
  user(id: string): User | undefined {
    const entry = this.#users.get(id);
    return entry && { id, name: entry.name };
  }

  /** Everyone online. */
  users(): User[] {
    return Array.from(this.#users, ([id, { name }]) => ({ id, name }));
  }

  /** The sockets of one user. */
  socketsOf(id: string): ReadonlySet<WebSocket> {
    return this.#users.get(id)?.sockets ?? new Set();
  }

  /** Every socket that has said hello, grouped by user id. */
  *joinedSockets(): Generator<[string, WebSocket]> {
    for (const [id, { sockets }] of this.#users) for (const ws of sockets) yield [id, ws];
  }

  /** True when a user other than `self` holds `name`, compared as `nameKey` says. */
  isTaken(name: string, self?: string): boolean {
    const wanted = nameKey(name);
    for (const [id, entry] of this.#users) if (id !== self && nameKey(entry.name) === wanted) return true;
    return false;
  }

  /** Renames a user on every one of their sockets. */
  rename(id: string, name: string): void {
    const entry = this.#users.get(id);
    if (!entry) return;
    entry.name = name;
    for (const ws of entry.sockets) {
      const state = this.state(ws);
      state.user = { id, name };
      this.save(ws);
    }
  }

  /** The newest bucket any socket of the user saved (what the user had before a hibernation). */
  savedBucket(id: string): Bucket | undefined {
    let newest: Bucket | undefined;
    for (const ws of this.socketsOf(id)) {
      const bucket = this.#states.get(ws)?.bucket;
      if (bucket && (!newest || bucket.at > newest.at)) newest = bucket;
    }
    return newest;
  }

  #join(ws: WebSocket, user: User): boolean {
    const entry = this.#users.get(user.id);
    if (entry) {
      entry.sockets.add(ws);
      return false;
    }
    this.#users.set(user.id, { name: user.name, sockets: new Set([ws]) });
    return true;
  }
}

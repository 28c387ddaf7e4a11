/**
 * The sockets an object (the Room, or one of its shards) holds itself with the Hibernation API,
 * each with its state in its attachment (so a hibernation loses nothing): its connection key, when
 * it opened and was last heard, the Cloudflare Access assertion its upgrade carried, and once
 * welcomed its user, name, owner flag, serial, welcome seq, signed token's expiry and role claim,
 * and bucket. Audiences of the room's frames are resolved to these sockets here, by the same
 * rules in every object; frames go through the outbox.
 */
import { AnswerBudgets } from "./answer-budget.ts";
import { admit, type Admission } from "./edge.ts";
import type { Audience, CloseTarget } from "../core/group-commit.ts";
import { connKey } from "../shards/addressing.ts";
import { CLOSE } from "@edge-chat/protocol";
import { Outbox } from "./outbox.ts";
import type { Conn, SignedConn } from "../core/presence.ts";
import type { Bucket } from "../core/rate-limit.ts";

/** What a socket's attachment holds. */
export interface SocketState {
  key: string;
  /** When the socket was accepted (ms); the hello deadline counts from here. */
  openedAt: number;
  /** When a frame last arrived (ms), as last saved; pings are read from the runtime. */
  lastSeen: number;
  /**
   * The upgrade's `Cf-Access-Jwt-Assertion` (PROTOCOL.md v3): the socket's signed token, verified
   * at its hello (cut past the protocol's limit, which refuses it then).
   */
  access?: string;
  /** Set once a hello was accepted; `seq` is the welcome's (the socket gets only later events). */
  conn?: { user: string; name: string; owner: boolean; serial: number; seq: number; signed?: SignedConn };
  /** The user's bucket as this socket last charged it. */
  bucket?: Bucket;
  /** A hello went to the room (on a shard: its answer may still be on the way). */
  helloSent?: boolean;
}

/** Save `lastSeen` to the attachment only when it moved this much: the sweep needs no more. */
const LAST_SEEN_SLACK_MS = 10_000;

/** The sockets one object holds, by connection key. */
export class LocalSockets {
  readonly #object: number;
  readonly #byKey = new Map<string, WebSocket>();
  readonly #states = new Map<WebSocket, SocketState>();
  /** Welcomed sockets by user id. */
  readonly #byUser = new Map<string, Set<WebSocket>>();
  /** Sockets already dropped (closed by us; their close event comes later and changes nothing). */
  readonly #dropped = new WeakSet<WebSocket>();
  readonly outbox = new Outbox<WebSocket>();
  readonly #budgets = new AnswerBudgets<WebSocket>();
  /** Sockets that passed their answer budget, to be closed at the end of the turn. */
  readonly #overBudget = new Set<WebSocket>();

  /** `index` is this object's among the room's (addressing.ts): it makes keys unique across them. */
  constructor(index: number, sockets: readonly WebSocket[]) {
    this.#object = index;
    for (const ws of sockets) {
      const state = ws.deserializeAttachment() as SocketState | null;
      if (state) this.#track(ws, state);
    }
  }

  /** How many sockets are held. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Starts tracking a freshly accepted socket (with its upgrade's Access assertion, if any); returns its key. */
  open(ws: WebSocket, now: number, access?: string): string {
    const key = connKey(this.#object, randomKey());
    const state: SocketState = { key, openedAt: now, lastSeen: now };
    if (access !== undefined) state.access = access;
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
      if (!state.conn) continue;
      const { user, owner, serial, name, signed } = state.conn;
      const conn: Conn = { key: state.key, user, owner, serial };
      if (signed) conn.signed = { ...signed };
      yield { conn, name, bucket: state.bucket };
    }
  }

  /** The keys of every socket held, welcomed or not. */
  keys(): string[] {
    return [...this.#byKey.keys()];
  }

  /** Every socket with its state (for the sweep). */
  entries(): IterableIterator<[WebSocket, SocketState]> {
    return this.#states.entries();
  }

  /**
   * A frame arrived on one of our sockets: whose it is and what it is (the shared checks of
   * `edge.ts`), or undefined when the socket is no longer open. A frame over 64 KiB has closed
   * the socket already; the caller treats it as gone.
   */
  receive(ws: WebSocket, data: string | ArrayBuffer, now: number): { state: SocketState; admission: Admission } | undefined {
    const state = this.state(ws);
    if (!state || ws.readyState !== WebSocket.OPEN) return undefined;
    this.heard(ws, now);
    const admission = admit(data, { access: state.access !== undefined });
    if (admission.kind === "close") this.closeSocket(ws, admission.code, admission.reason);
    return { state, admission };
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

  /** The room welcomed a connection of ours, at `seq`. */
  admitted(conn: Conn, name: string, seq: number): void {
    const ws = this.#byKey.get(conn.key);
    const state = ws && this.#states.get(ws);
    if (!ws || !state) return;
    state.conn = { user: conn.user, name, owner: conn.owner, serial: conn.serial, seq };
    if (conn.signed) state.conn.signed = { ...conn.signed };
    // Verified now: the assertion itself is no longer needed (the flag stays, for the decoder).
    if (state.access !== undefined) state.access = "";
    this.#index(ws, conn.user);
    this.#save(ws, state);
  }

  /** A signed connection refreshed its token: its socket now expires at `exp` (seconds). */
  expires(key: string, exp: number): void {
    const ws = this.#byKey.get(key);
    const state = ws && this.#states.get(ws);
    if (!ws || !state?.conn?.signed) return;
    state.conn.signed.exp = exp;
    this.#save(ws, state);
  }

  /** True while the connection's socket is held and open. */
  isOpen(key: string): boolean {
    const ws = this.#byKey.get(key);
    return ws !== undefined && ws.readyState === WebSocket.OPEN;
  }

  /** A hello of this connection went to the room. */
  helloSentBy(key: string): void {
    const ws = this.#byKey.get(key);
    const state = ws && this.#states.get(ws);
    if (!ws) return;
    if (!state || state.helloSent) return;
    state.helloSent = true;
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

  /**
   * Queues an encoded frame for the sockets of `audience` that are ours. A stored event (`seq`)
   * goes only to sockets welcomed before it: a welcome already listed everything up to its seq.
   */
  deliver(audience: Audience, text: string, seq?: number): void {
    if (audience.to === "conn") {
      const ws = this.#byKey.get(audience.conn);
      if (!ws || !this.#wants(ws, seq) || this.#overBudget.has(ws)) return;
      if (audience.metered && !this.#budgets.spend(ws, Date.now())) this.#overBudget.add(ws);
      else this.outbox.push(ws, text);
      return;
    }
    if (audience.to === "users") {
      const sockets: WebSocket[] = [];
      for (const id of new Set(audience.ids)) for (const ws of this.#byUser.get(id) ?? []) if (this.#wants(ws, seq)) sockets.push(ws);
      this.outbox.pushAll(sockets, text);
      return;
    }
    this.outbox.pushAll(this.#everyone(audience.except, audience.upTo, seq), text);
  }

  /**
   * Closes with 1008 the sockets that passed their answer budget since the last call, after what
   * was queued for them; returns them (the caller treats them as gone).
   */
  closeOverBudget(): WebSocket[] {
    if (this.#overBudget.size === 0) return [];
    const over = [...this.#overBudget];
    this.#overBudget.clear();
    for (const ws of over) this.closeSocket(ws, CLOSE.policy, "too many refused frames");
    return over;
  }

  /** Closes one socket, or every socket of a user, after sending what was queued for it; returns them. */
  close(target: CloseTarget, code: number, reason: string): WebSocket[] {
    const found = "conn" in target ? [this.#byKey.get(target.conn)] : [...(this.#byUser.get(target.user) ?? [])];
    const sockets = found.filter((ws): ws is WebSocket => ws !== undefined);
    for (const ws of sockets) this.closeSocket(ws, code, reason);
    return sockets;
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
    if (state?.conn) {
      const mine = this.#byUser.get(state.conn.user);
      mine?.delete(ws);
      if (mine?.size === 0) this.#byUser.delete(state.conn.user);
    }
    return state;
  }

  *#everyone(except?: string, upTo?: number, seq?: number): Generator<WebSocket> {
    for (const [ws, state] of this.#states) {
      const conn = state.conn;
      if (!conn || conn.user === except || (upTo !== undefined && conn.serial > upTo)) continue;
      if (seq === undefined || seq > (conn.seq ?? 0)) yield ws;
    }
  }

  /** A stored event goes to a socket only if it is after the socket's welcome. */
  #wants(ws: WebSocket, seq: number | undefined): boolean {
    if (seq === undefined) return true;
    const conn = this.#states.get(ws)?.conn;
    return conn === undefined || seq > (conn.seq ?? 0);
  }

  #track(ws: WebSocket, state: SocketState): void {
    this.#states.set(ws, state);
    this.#byKey.set(state.key, ws);
    if (state.conn) this.#index(ws, state.conn.user);
  }

  #index(ws: WebSocket, user: string): void {
    let mine = this.#byUser.get(user);
    if (!mine) this.#byUser.set(user, (mine = new Set()));
    mine.add(ws);
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

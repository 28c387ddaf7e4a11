/**
 * A WHATWG-shaped WebSocket the tests control: every socket a room opens is kept, and the test
 * plays the room (opens it, answers frames, drops it), with helpers to build a room's frames.
 */
import type { MessageFrame, User, WelcomeFrame } from "@edge-chat/protocol";
import { vi } from "vitest";
import type { WebSocketLike } from "../../src/socket.ts";

type Listener = (event: never) => void;

/** The sockets opened since the last `reset()`, oldest first. */
export const sockets: FakeWebSocket[] = [];

/** One socket; the test is the room at its other end. */
export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  closedWith: { code?: number; reason?: string } | undefined;
  readonly #listeners = new Map<string, Listener[]>();

  readonly url: string;

  constructor(url: string) {
    this.url = url;
    sockets.push(this);
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.sent.push(data);
    // The runtime answers the heartbeat itself, as a room's does.
    if (data === "ping") this.receive("pong");
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  // ---- the test's side ----

  open(): void {
    this.readyState = 1;
    this.#emit("open", {});
  }

  receive(frame: object | string): void {
    this.#emit("message", { data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.#emit("close", { code, reason });
  }

  /** The JSON frames sent, pings left out. */
  frames(): Record<string, unknown>[] {
    return this.sent.filter((t) => t !== "ping").map((t) => JSON.parse(t) as Record<string, unknown>);
  }

  /** The last JSON frame sent. */
  last(): Record<string, unknown> {
    return this.frames().at(-1)!;
  }

  #emit(type: string, event: object): void {
    for (const listener of this.#listeners.get(type) ?? []) (listener as (e: object) => void)(event);
  }
}

/** The newest socket. */
export function current(): FakeWebSocket {
  const socket = sockets.at(-1);
  if (!socket) throw new Error("no socket was opened");
  return socket;
}

/** Forgets the sockets of the previous test. */
export function resetSockets(): void {
  sockets.length = 0;
}

/** Lets promises and zero-delay timers run (storage reads, awaited provider calls). */
export async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

export const ALICE: User = { id: "alice-id", name: "alice" };
export const BOB: User = { id: "bob-id", name: "bob" };

/** A welcome for alice in an empty room, with `overrides`. */
export function welcome(overrides: Partial<WelcomeFrame> = {}): WelcomeFrame {
  return {
    type: "welcome",
    self: { ...ALICE, role: "member" },
    users: [ALICE, BOB],
    online: 2,
    settings: { slowMs: 0, locked: false },
    messages: [],
    seq: 0,
    epoch: "epoch-1",
    resumed: false,
    limits: { text: 2000, name: 32, burst: 20, perSecond: 5, reactions: 20, usersListed: 100 },
    ...overrides,
  };
}

/** A stored message. */
export function message(seq: number, from: User, id: string, text = `m${seq}`): MessageFrame {
  return { type: "message", seq, id, from, text, ts: 1_700_000_000_000 + seq };
}

/** The message the room stores for the `say` frame `frame` (as sent by `from`), at `seq`. */
export function echo(frame: Record<string, unknown>, from: User, seq: number): MessageFrame {
  return message(seq, from, String(frame.id), String(frame.text));
}

/**
 * A protocol client for tests inside workerd: it opens a room socket through the real Worker,
 * unpacks batches, and lets a test await the next frame of a kind (with a timeout, never a sleep).
 */
import { exports } from "cloudflare:workers";
import { isDeepStrictEqual } from "node:util";
import type { MessageFrame, SingleServerFrame, WelcomeFrame } from "@edge-chat/protocol";
import { decodeServerText } from "@edge-chat/protocol/server-frames";

type FrameOf<T extends SingleServerFrame["type"]> = Extract<SingleServerFrame, { type: T }>;

/** A fresh random token (what a real client keeps in localStorage). */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** Sends a request to the Worker under test. */
export function workerFetch(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`https://chat.test${path}`, init));
}

/** One test connection to a room. */
export class TestSocket {
  readonly ws: WebSocket;
  /** Frames received and not yet taken by `next`, in arrival order. */
  readonly pending: SingleServerFrame[] = [];
  /** Frames from the room that its protocol does not allow (must stay empty). */
  readonly violations: string[] = [];
  /** Every text received, raw (pongs included). */
  readonly texts: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Set once the socket has closed, so a test can check synchronously that it is still open. */
  closeEvent: { code: number; reason: string } | undefined;
  #waiters: (() => void)[] = [];

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (event) => {
      const text = typeof event.data === "string" ? event.data : "<binary>";
      this.texts.push(text);
      // Every frame the room sends in any test is validated by the clients' own decoder: a frame
      // that breaks the protocol fails the test that received it.
      const decoded = decodeServerText(text);
      if (decoded.kind === "invalid") this.violations.push(`${decoded.reason}: ${text.slice(0, 200)}`);
      if (decoded.kind === "frames") {
        for (const reason of decoded.skipped) this.violations.push(`in a batch, ${reason}`);
        this.#checkNothingExtra(text, decoded.frames);
        this.pending.push(...(decoded.frames as SingleServerFrame[]));
      }
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      ws.addEventListener("close", (event) => {
        this.closeEvent = { code: event.code, reason: event.reason };
        resolve(this.closeEvent);
        this.#wake();
      });
    });
    ws.accept();
  }

  /** Sends a frame (objects are JSON-encoded, strings and buffers go as they are). */
  send(frame: object | string | ArrayBuffer): void {
    this.ws.send(typeof frame === "string" || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame));
  }

  /** Takes the first pending frame of `type` that matches `where`, waiting for it if need be. */
  async next<T extends SingleServerFrame["type"]>(
    type: T,
    where: (frame: FrameOf<T>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<FrameOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#assertValid();
      const index = this.pending.findIndex((f) => f.type === type && where(f as FrameOf<T>));
      if (index >= 0) return this.pending.splice(index, 1)[0] as FrameOf<T>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} frame within ${timeoutMs} ms; pending: ${JSON.stringify(this.pending)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * Takes every pending frame up to and including the first of `type` that matches `where`, waiting
   * for it if need be. A barrier: the room answers one socket in order, so whatever it sent before
   * the awaited frame is in the returned list, and nothing it sends later is.
   */
  async through<T extends SingleServerFrame["type"]>(
    type: T,
    where: (frame: FrameOf<T>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<{ before: SingleServerFrame[]; match: FrameOf<T> }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#assertValid();
      const index = this.pending.findIndex((f) => f.type === type && where(f as FrameOf<T>));
      if (index >= 0) {
        const taken = this.pending.splice(0, index + 1);
        return { before: taken.slice(0, index), match: taken[index] as FrameOf<T> };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} frame within ${timeoutMs} ms; ${this.pending.length} pending`);
      await this.#wait(left);
    }
  }

  /** Takes the first pending frame of any of `types`, waiting for one if need be. */
  async nextOf<T extends SingleServerFrame["type"]>(types: readonly T[], timeoutMs = 5_000): Promise<FrameOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#assertValid();
      const index = this.pending.findIndex((f) => (types as readonly string[]).includes(f.type));
      if (index >= 0) return this.pending.splice(index, 1)[0] as FrameOf<T>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${types.join(" or ")} frame within ${timeoutMs} ms`);
      await this.#wait(left);
    }
  }

  /** Waits for the literal `pong` heartbeat answer. */
  async pong(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.texts.includes("pong")) {
      if (Date.now() > deadline) throw new Error("no pong");
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Sends hello and returns the welcome. */
  async hello(fields: { token?: string; name?: string; since?: number; epoch?: string; key?: string } = {}): Promise<WelcomeFrame> {
    this.send({ type: "hello", token: fields.token ?? newToken(), ...fields });
    return this.next("welcome");
  }

  /** Sends a say and waits for its echo (the room's ack). */
  async say(text: string, extra: { id?: string; to?: string } = {}) {
    const id = extra.id ?? crypto.randomUUID();
    this.send({ type: "say", id, text, ...extra });
    return this.next("message", (m) => m.id === id);
  }

  /** Closes the socket and waits for the close to complete. */
  async close(): Promise<void> {
    this.ws.close(1000, "done");
    await this.closed;
  }

  /** Waits for the socket to be closed (by the room or by the test), failing after `timeoutMs`. */
  async closedWithin(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closeEvent) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`socket still open after ${timeoutMs} ms`);
      await this.#wait(left);
    }
    return this.closeEvent;
  }

  /** Waits until a frame is pending or the socket has closed, failing after `timeoutMs`. */
  async nextFrameOrClose(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.length === 0 && !this.closeEvent) {
      this.#assertValid();
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame and no close within ${timeoutMs} ms`);
      await this.#wait(left);
    }
  }

  /** Resolves on the next frame or close, or after `ms`. */
  #wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * The decoder keeps only the fields the protocol knows; a frame that carried more (a stack
   * trace, an internal field) must fail the test, so each frame is compared with what was sent.
   */
  #checkNothingExtra(text: string, frames: readonly unknown[]): void {
    const raw = JSON.parse(text) as { type?: unknown; frames?: unknown[] };
    const sent = raw.type === "batch" && Array.isArray(raw.frames) ? raw.frames : [raw];
    if (sent.length !== frames.length) return; // already a violation: an item was skipped
    sent.forEach((item, i) => {
      if (!isDeepStrictEqual(item, frames[i])) this.violations.push(`fields beyond the protocol: ${JSON.stringify(item).slice(0, 300)}`);
    });
  }

  /** Fails the waiting test when the room sent anything its protocol does not allow. */
  #assertValid(): void {
    if (this.violations.length > 0) throw new Error(`the room broke the protocol: ${this.violations.join("; ")}`);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Opens a socket into `room` through the Worker; fails the test on anything but 101. */
export async function connect(room: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  const response = await workerFetch(`/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket", ...headers } });
  if (response.status !== 101 || !response.webSocket) {
    throw new Error(`upgrade failed: ${response.status} ${await response.text()}`);
  }
  return new TestSocket(response.webSocket);
}

/** Opens a socket and says hello in one step. */
export async function join(room: string, fields: Parameters<TestSocket["hello"]>[0] = {}) {
  const socket = await connect(room);
  const welcome = await socket.hello(fields);
  return { socket, welcome };
}

/** A room name unique to one test, so tests never share state. */
export function roomName(label: string): string {
  return `${label.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").slice(0, 40)}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The `message` frames of a welcome (a resume lists change events too). */
export function messagesOf(welcome: { messages: readonly SingleServerFrame[] }): MessageFrame[] {
  return welcome.messages.filter((m): m is MessageFrame => m.type === "message");
}

/** The user a welcome is for, as messages and events name them (without the role). */
export function userOf(welcome: WelcomeFrame): { id: string; name: string } {
  return { id: welcome.self.id, name: welcome.self.name };
}

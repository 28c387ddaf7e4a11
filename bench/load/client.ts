/**
 * One bench connection, on the `ws` library (faster than Node's built-in WebSocket with hundreds
 * of sockets). In the protocol dialect it says hello, waits for its welcome, follows presence and
 * unpacks batches; in the raw dialect (the baseline) every frame it gets is a `say` echoed back.
 */
import WebSocket from "ws";
import type { Dialect } from "../types.ts";

/** What a client reports to the trial that owns it. */
export interface ClientEvents {
  /** A chat message arrived: its text, the room's seq (undefined in the raw dialect), and when. */
  message(client: number, text: string, seq: number | undefined, now: number): void;
  /** The room refused one of this client's `say`s (its `ref` is the say's id). */
  refused(ref: string): void;
  /** A frame the bench did not expect. */
  unexpected(client: number, frame: string): void;
  /** Any text frame arrived (to count how many messages a frame carries: batching). */
  frame(): void;
}

/** Shape of the few server frames the bench reads; anything else is counted as unexpected. */
interface Incoming {
  type?: unknown;
  seq?: unknown;
  text?: unknown;
  users?: unknown;
  limits?: { burst?: unknown; perSecond?: unknown };
  frames?: unknown;
  code?: unknown;
  ref?: unknown;
}

/** A random token of 22 base64url characters (the protocol wants 16–128). */
export function randomToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
}

/** One bench WebSocket client. */
export class BenchClient {
  readonly index: number;
  /** Users this client believes are online (protocol dialect): welcome's list, plus joins, minus leaves. */
  usersOnline = 0;
  /** The rate limit the room announced in its welcome. */
  limits: { burst: number; perSecond: number } | undefined;
  #ws: WebSocket | undefined;
  readonly #dialect: Dialect;
  readonly #events: ClientEvents;
  /** Called when the welcome arrives (alone or inside a batch). */
  #welcomed: (() => void) | undefined;

  constructor(index: number, dialect: Dialect, events: ClientEvents) {
    this.index = index;
    this.#dialect = dialect;
    this.#events = events;
  }

  /** Opens the socket; resolves at `welcome` (protocol) or at open (raw), rejects if it closes first. */
  connect(url: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      this.#ws = ws;
      let ready = false;
      const timer = setTimeout(() => fail(new Error(`client ${this.index}: not ready within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        if (!ready) reject(err);
      };
      const ok = () => {
        clearTimeout(timer);
        ready = true;
        resolve();
      };
      ws.on("error", (err) => fail(err));
      ws.on("close", (code) => fail(new Error(`client ${this.index}: closed with ${code} before it was ready`)));
      this.#welcomed = ok;
      ws.on("open", () => {
        if (this.#dialect === "raw") return ok();
        ws.send(JSON.stringify({ type: "hello", token: randomToken(), name: `bench-${this.index}` }));
      });
      ws.on("message", (data: Buffer) => this.#onFrame(data.toString()));
    });
  }

  /** Sends a chat message: a `say` (the baseline echoes the same frame as it is). */
  say(id: string, text: string): void {
    this.#ws?.send(JSON.stringify({ type: "say", id, text }));
  }

  /** Bytes queued in the socket and not yet written (backpressure on the generator's side). */
  get buffered(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  /** Closes politely, then cuts the connection if the close does not complete at once. */
  close(graceMs = 300): Promise<void> {
    return this.#ws ? closeSocket(this.#ws, graceMs) : Promise.resolve();
  }

  /** Handles one text frame. */
  #onFrame(text: string): void {
    const now = performance.now();
    this.#events.frame();
    let frame: Incoming;
    try {
      frame = JSON.parse(text) as Incoming;
    } catch {
      return this.#events.unexpected(this.index, text);
    }
    if (this.#dialect === "raw") {
      if (frame.type === "say" && typeof frame.text === "string") this.#events.message(this.index, frame.text, undefined, now);
      else this.#events.unexpected(this.index, text);
    } else if (frame.type === "batch" && Array.isArray(frame.frames)) {
      for (const inner of frame.frames as Incoming[]) this.#onProtocolFrame(inner, text, now);
    } else {
      this.#onProtocolFrame(frame, text, now);
    }
  }

  #onProtocolFrame(frame: Incoming, raw: string, now: number): void {
    switch (frame.type) {
      case "message":
        if (typeof frame.text === "string" && typeof frame.seq === "number") {
          return this.#events.message(this.index, frame.text, frame.seq, now);
        }
        break;
      case "welcome":
        if (Array.isArray(frame.users)) {
          this.usersOnline = frame.users.length;
          const { burst, perSecond } = frame.limits ?? {};
          if (typeof burst === "number" && typeof perSecond === "number") this.limits = { burst, perSecond };
          return this.#welcomed?.();
        }
        break;
      case "join":
        return void this.usersOnline++;
      case "leave":
        return void this.usersOnline--;
      case "error":
        if (frame.code === "rate_limited" && typeof frame.ref === "string") return this.#events.refused(frame.ref);
        break;
    }
    this.#events.unexpected(this.index, raw);
  }
}

/**
 * Sends a close frame and resolves when the socket closes, or after `graceMs`, cutting it then.
 * Under `wrangler dev` the server's close frame comes at once but its TCP side may linger ~10 s,
 * and `ws` only reports the close when TCP ends: waiting for that would stall every trial.
 */
export function closeSocket(ws: WebSocket, graceMs = 300): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, graceMs);
    ws.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, "bench done");
  });
}

/**
 * The light protocol client of the bench, the soak and the flood: one connection into a room (or
 * into the bare baseline), on the `ws` library, which keeps thousands of sockets in one Node
 * process cheaply. In the protocol dialect it says hello, reads every frame with
 * `decodeServerText` (`batch` unpacked), follows how many users are online, and pings; frame
 * types the decoder does not know (a newer room's) are counted apart, never fatal. In the raw
 * dialect the baseline echoes frames as they are: the client is ready once open, and every frame
 * it gets is a `say` it or another client sent. Reconnecting is the caller's business
 * (bench/soak/resuming-client.ts).
 */
import WebSocket from "ws";
import { HEARTBEAT, TIMINGS, encode } from "@edge-chat/protocol";
import type { ClientFrameV3, HelloFrame, MessageFrame, WelcomeFrame } from "@edge-chat/protocol";
import type { RoomError, RoomFrame } from "@edge-chat/protocol/server-frames";
import { newToken } from "@edge-chat/client";
import { readRoomText } from "./room-text.ts";

/** How a client talks: the chat protocol, or raw frames echoed by the baseline. */
export type Dialect = "protocol" | "raw";

/** What a client reports; `at` is performance.now() on receipt. */
export interface LightClientEvents {
  welcome?(welcome: WelcomeFrame, at: number): void;
  message?(message: MessageFrame, at: number): void;
  /** Raw dialect: the text of a `say` the baseline echoed. */
  echo?(text: string, at: number): void;
  error?(error: RoomError, at: number): void;
  /** Every other frame the decoder accepted (join, leave, rename, typing, history; v2's occupancy once it knows it). */
  other?(frame: RoomFrame, at: number): void;
  /** A frame that breaks the protocol: not JSON, or malformed for its own type. */
  malformed?(text: string): void;
  /** A frame of a type the decoder does not know (a newer room's): counted, not a fault. */
  unknown?(type: string): void;
  /** Any text frame but `pong`, before what it holds (to count messages per frame). */
  frame?(): void;
  /** The socket closed, or was cut: once per client. */
  closed?(code: number): void;
}

/** One connection's settings. */
export interface LightClientOptions {
  url: string;
  dialect?: Dialect;
  /** The user's secret; a fresh one when left out. */
  token?: string;
  name?: string;
  /** Resume after this seq of this epoch (both or neither). */
  since?: number;
  epoch?: string;
  /** Heartbeat period; 0 for none. Protocol dialect only (the baseline would broadcast a `ping`). */
  pingEveryMs?: number;
  events?: LightClientEvents;
}

/** One light connection; make a new one to reconnect. */
export class LightClient {
  readonly token: string;
  /** The accepted hello's answer, its size in UTF-8 bytes, and when it came. */
  welcome: WelcomeFrame | undefined;
  welcomeBytes = 0;
  welcomedAt: number | undefined;
  /** When the socket opened (performance.now()). */
  openedAt: number | undefined;
  /** Frames of types the decoder does not know, by type. */
  readonly unknownTypes = new Map<string, number>();
  malformedFrames = 0;
  readonly #options: LightClientOptions;
  readonly #events: LightClientEvents;
  #ws: WebSocket | undefined;
  #online = 0;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: LightClientOptions) {
    this.#options = options;
    this.#events = options.events ?? {};
    this.token = options.token ?? newToken();
  }

  /**
   * Users online as this client was told: `online` of the latest welcome, join, leave or
   * occupancy (protocol v2), else the welcome's list plus joins minus leaves (v1).
   */
  get online(): number {
    return this.#online;
  }

  /** Bytes queued in the socket and not yet written. */
  get buffered(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  /** Opens the socket; resolves at `welcome` (raw: at open), rejects and cuts if it closes or times out first. */
  connect(timeoutMs: number): Promise<void> {
    const raw = this.#options.dialect === "raw";
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.#options.url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      this.#ws = ws;
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        settle(new Error(`not ready within ${Math.round(timeoutMs)} ms`));
        this.cut();
      }, timeoutMs);
      ws.on("error", (err) => settle(err));
      ws.on("close", (code) => {
        settle(new Error(`closed with ${code} before it was ready`));
        this.#ended(code);
      });
      ws.on("open", () => {
        this.openedAt = performance.now();
        if (raw) return settle();
        this.#hello();
      });
      ws.on("message", (data: Buffer, isBinary: boolean) => {
        // A room never sends binary; neither does the baseline, which echoes text only.
        if (isBinary) return;
        if (raw) this.#onEcho(data.toString("utf8"));
        else if (this.#onRoomText(data.toString("utf8"))) settle();
      });
    });
  }

  /** Sends a frame if the socket is open (the baseline echoes a `say` as it is); false otherwise. */
  send(frame: ClientFrameV3): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(encode(frame));
    return true;
  }

  /**
   * Closes politely, and cuts the connection if the close does not complete within `graceMs`.
   * Under `wrangler dev` the server's close frame comes at once but its TCP side may linger
   * ~10 s, and `ws` reports the close only when TCP ends: waiting for that would stall a run.
   */
  close(reason = "done", graceMs = 300): Promise<void> {
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, graceMs);
      ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, reason);
    });
  }

  /** Cuts the connection without a closing handshake, as a lost network would. */
  cut(): void {
    this.#ws?.terminate();
  }

  #hello(): void {
    const { name, since, epoch } = this.#options;
    const hello: HelloFrame = { type: "hello", token: this.token };
    if (name !== undefined) hello.name = name;
    if (since !== undefined && epoch !== undefined) {
      hello.since = since;
      hello.epoch = epoch;
    }
    this.send(hello);
    const every = this.#options.pingEveryMs ?? TIMINGS.pingIntervalMs;
    if (every > 0) this.#pingTimer = setInterval(() => this.#ws?.readyState === WebSocket.OPEN && this.#ws.send(HEARTBEAT.ping), every);
  }

  /** Handles one text frame from a room; true once it held the welcome. */
  #onRoomText(text: string): boolean {
    // The receipt time comes first: decoding a large frame must not count as latency.
    const at = performance.now();
    const read = readRoomText(text);
    if (read.pong) return false;
    this.#events.frame?.();
    for (let i = 0; i < read.malformed; i++) {
      this.malformedFrames++;
      this.#events.malformed?.(text);
    }
    for (const { type, raw } of read.unknown) {
      this.unknownTypes.set(type, (this.unknownTypes.get(type) ?? 0) + 1);
      if (type === "occupancy") this.#takeOnline(raw, this.#online);
      this.#events.unknown?.(type);
    }
    let welcomed = false;
    for (const { frame, raw } of read.frames) {
      switch (frame.type) {
        case "welcome":
          this.welcome = frame;
          // The room encodes each frame once with JSON.stringify, so this is its size in a batch too.
          this.welcomeBytes = Buffer.byteLength(read.single ? text : JSON.stringify(raw));
          this.welcomedAt = at;
          this.#takeOnline(raw, frame.users.length);
          welcomed = true;
          this.#events.welcome?.(frame, at);
          break;
        case "message":
          this.#events.message?.(frame, at);
          break;
        case "error":
          this.#events.error?.(frame, at);
          break;
        default:
          if (frame.type === "join") this.#takeOnline(raw, this.#online + 1);
          else if (frame.type === "leave") this.#takeOnline(raw, this.#online - 1);
          // Read off the raw frame: a v1 decoder does not know this type, a v2 one does.
          else if (raw.type === "occupancy") this.#takeOnline(raw, this.#online);
          this.#events.other?.(frame, at);
      }
    }
    return welcomed;
  }

  #onEcho(text: string): void {
    const at = performance.now();
    this.#events.frame?.();
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = undefined;
    }
    const say = frame as { type?: unknown; text?: unknown } | undefined;
    if (say?.type === "say" && typeof say.text === "string") this.#events.echo?.(say.text, at);
    else {
      this.malformedFrames++;
      this.#events.malformed?.(text);
    }
  }

  /** v2 frames carry `online`; v1 ones leave the count to be worked out (`fallback`). */
  #takeOnline(raw: Record<string, unknown>, fallback: number): void {
    this.#online = typeof raw.online === "number" ? raw.online : fallback;
  }

  #ended(code: number): void {
    clearInterval(this.#pingTimer);
    if (this.#closed) return;
    this.#closed = true;
    this.#events.closed?.(code);
  }
}

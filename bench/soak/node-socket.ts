/**
 * The transport's socket interface (@edge-chat/client's socket.ts) over the `ws` library, so that the page's
 * real transport runs in Node. It also lets the soak cut the connection the way a network failure
 * does, and lets a client watch every frame that goes out.
 */
import WebSocket from "ws";
import type { OpenSocket, SocketEvents, SocketHandle } from "@edge-chat/client";

/** Watches a client's frames, both ways. */
export interface SocketTap {
  sent?(text: string): void;
  received?(text: string): void;
}

/** Opens sockets for one client and keeps a hold on the newest, to cut it on demand. */
export class NodeSockets {
  #current: WebSocket | undefined;
  /** The newest socket drops what it receives. */
  #deaf = false;
  readonly #tap: SocketTap;

  /** `tap` sees every text going out and coming in. */
  constructor(tap: SocketTap = {}) {
    this.#tap = tap;
  }

  /** The opener to hand to a transport. */
  readonly open: OpenSocket = (url: string, events: SocketEvents): SocketHandle => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    this.#current = ws;
    this.#deaf = false;
    ws.on("open", () => events.open());
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      // A room never sends binary; the page ignores it, and so does this socket.
      if (isBinary || (this.#deaf && ws === this.#current)) return;
      const text = data.toString("utf8");
      this.#tap.received?.(text);
      events.text(text);
    });
    // An `error` is always followed by `close`, which alone drives reconnection (as in the browser).
    ws.on("error", () => {});
    ws.on("close", (code: number, reason: Buffer) => events.closed(code, reason.toString("utf8")));
    return {
      send: (text) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        this.#tap.sent?.(text);
        ws.send(text);
      },
      close: (code, reason) => ws.close(code, reason),
    };
  };

  /** True while the newest socket is deaf. */
  get deaf(): boolean {
    return this.#deaf;
  }

  /** Makes the newest socket lose everything it receives from now on, as a connection dying downstream first. */
  deafen(): void {
    this.#deaf = true;
  }

  /** Cuts the newest socket without a closing handshake, as a lost network would. */
  cut(): void {
    this.#current?.terminate();
  }
}

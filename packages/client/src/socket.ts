/**
 * The socket as the transport sees it: three events in, two calls out, and the one opener every
 * runtime shares: a WHATWG `WebSocket` constructor (the global one of browsers, Node 22, Deno,
 * Bun and Workers, or one passed in). The tests hand the transport a fake.
 */

/** A socket as the transport uses it (a WebSocket wrapped, or a fake in tests). */
export interface SocketHandle {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

/** What a socket reports back to the transport. */
export interface SocketEvents {
  open(): void;
  text(data: string): void;
  closed(code: number, reason: string): void;
}

/** Opens a socket to `url` that reports to `events`. */
export type OpenSocket = (url: string, events: SocketEvents) => SocketHandle;

/** The part of a WHATWG WebSocket the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: "error", listener: () => void): void;
}

/** A WebSocket constructor: `globalThis.WebSocket`, or one passed in (`ws` in older Node, a test's). */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The OPEN readyState of every WHATWG WebSocket. */
const OPEN = 1;

/** The runtime's own WebSocket constructor, if it has one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}

/** An opener over a WebSocket constructor; binary frames are never expected from a room and are ignored. */
export function webSocketOpener(Constructor: WebSocketConstructor): OpenSocket {
  return (url, events) => {
    const ws = new Constructor(url);
    ws.addEventListener("open", () => events.open());
    ws.addEventListener("message", (event) => {
      if (typeof event.data === "string") events.text(event.data);
    });
    // An `error` is always followed by `close`, so `close` alone drives reconnection.
    ws.addEventListener("error", () => {});
    ws.addEventListener("close", (event) => events.closed(event.code, event.reason));
    return {
      send: (text) => {
        if (ws.readyState === OPEN) ws.send(text);
      },
      close: (code, reason) => ws.close(code, reason),
    };
  };
}

/** The WebSocket URL of `room` on the server at `base` (http(s) or ws(s); a path prefix is kept). */
export function roomSocketUrl(base: string, room: string): string {
  const url = new URL(base);
  url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
  const prefix = url.pathname.replace(/\/+$/, "");
  url.pathname = `${prefix}/api/rooms/${encodeURIComponent(room)}/ws`;
  url.search = "";
  url.hash = "";
  return url.toString();
}

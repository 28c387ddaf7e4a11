/**
 * The socket as the transport sees it: three events in, two calls out. The page wraps the
 * browser's WebSocket in it (browser-socket.ts); the tests hand the transport a fake.
 */

/** A socket as the transport uses it (the browser's WebSocket wrapped, or a fake in tests). */
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

/** The browser's WebSocket behind the transport's small socket interface. */
import type { OpenSocket } from "./socket.ts";

/** Opens a real WebSocket; binary frames are never expected from a room and are ignored. */
export const openBrowserSocket: OpenSocket = (url, events) => {
  const ws = new WebSocket(url);
  ws.addEventListener("open", () => events.open());
  ws.addEventListener("message", (event: MessageEvent) => {
    if (typeof event.data === "string") events.text(event.data);
  });
  // An `error` is always followed by `close`, so `close` alone drives reconnection.
  ws.addEventListener("close", (event) => events.closed(event.code, event.reason));
  return {
    send: (text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    close: (code, reason) => ws.close(code, reason),
  };
};

/** The WebSocket URL of a room, on the page's own host. */
export function roomSocketUrl(room: string, location: Location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/rooms/${room}/ws`;
}

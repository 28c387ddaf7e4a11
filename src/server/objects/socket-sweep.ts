/**
 * The sweep every socket-holding object runs from its alarm (never a timer, so it can hibernate):
 * a socket with no accepted hello after 10 s, or from which nothing arrived for 60 s (not a frame,
 * not even a ping the runtime answered), is closed with 4408.
 */
import { CLOSE, TIMINGS } from "@edge-chat/protocol";
import type { LocalSockets } from "./local-sockets.ts";

/** The time now, and when the runtime last answered a socket's ping. */
export interface SweepClock {
  now: number;
  pinged(ws: WebSocket): number;
}

/**
 * Closes what is overdue; returns every socket that is gone (closed now, or closing already). The
 * runtime is asked for a socket's last ping only when its last frame is 60 s old: with thousands
 * of sockets, one call each per sweep would stall the room.
 */
export function sweepSockets(sockets: LocalSockets, clock: SweepClock): WebSocket[] {
  const gone: WebSocket[] = [];
  for (const [ws, state] of [...sockets.entries()]) {
    if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) {
      gone.push(ws);
    } else if (!state.conn && clock.now >= state.openedAt + TIMINGS.helloTimeoutMs) {
      sockets.closeSocket(ws, CLOSE.timeout, "no hello within 10 s");
      gone.push(ws);
    } else if (state.conn && clock.now >= state.lastSeen + TIMINGS.idleTimeoutMs) {
      // Its pings count too: the socket is heard as of its last one (kept in memory only).
      state.lastSeen = Math.max(state.lastSeen, clock.pinged(ws));
      if (clock.now < state.lastSeen + TIMINGS.idleTimeoutMs) continue;
      sockets.closeSocket(ws, CLOSE.timeout, "nothing received for 60 s");
      gone.push(ws);
    }
  }
  return gone;
}

/**
 * The earliest hello or idle deadline of any socket, or undefined when none is left. Pings are not
 * asked for: a deadline may come early, and that sweep then finds the ping and moves on.
 */
export function nextDeadline(sockets: LocalSockets): number | undefined {
  let next = Infinity;
  for (const [, state] of sockets.entries()) {
    const deadline = state.conn ? state.lastSeen + TIMINGS.idleTimeoutMs : state.openedAt + TIMINGS.helloTimeoutMs;
    next = Math.min(next, deadline);
  }
  return next === Infinity ? undefined : next;
}

/** The code to answer a peer's close with: its own, unless it is one that may never be sent. */
export function echoableCloseCode(code: number): number {
  const sendable = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  return sendable ? code : 1000;
}

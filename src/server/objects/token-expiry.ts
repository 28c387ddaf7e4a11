/**
 * Signed sockets past their token's expiry (PROTOCOL.md v3): a socket admitted with a signed token
 * is closed with 4401 `token expired` once its `exp` (as last refreshed by an `auth` frame) is past
 * by the 60 s leeway a token gets everywhere, so a socket lives exactly as long as its token would
 * still be accepted at a hello, and at most 90 s after `exp` as the protocol asks. A duty of the
 * object's one alarm (alarm-duties.ts) does it, never a timer that keeps the object awake.
 */
import { CLOSE } from "@edge-chat/protocol";
import { LEEWAY_SECONDS } from "../identity/claims.ts";
import type { LocalSockets } from "./local-sockets.ts";

/** When a socket whose token expires at `exp` (seconds) is closed (ms). */
export function expiryDeadline(exp: number): number {
  return (exp + LEEWAY_SECONDS) * 1000;
}

/** The earliest expiry deadline of any signed socket, or undefined when none is held. */
export function nextExpiry(sockets: LocalSockets): number | undefined {
  let next = Infinity;
  for (const [, state] of sockets.entries()) {
    const exp = state.conn?.signed?.exp;
    if (exp !== undefined) next = Math.min(next, expiryDeadline(exp));
  }
  return next === Infinity ? undefined : next;
}

/** Closes every signed socket past its deadline with 4401; returns them. */
export function expireSockets(sockets: LocalSockets, now: number): WebSocket[] {
  const expired: WebSocket[] = [];
  for (const [ws, state] of [...sockets.entries()]) {
    const exp = state.conn?.signed?.exp;
    if (exp === undefined || now < expiryDeadline(exp)) continue;
    sockets.closeSocket(ws, CLOSE.tokenExpired, "token expired");
    expired.push(ws);
  }
  return expired;
}

/**
 * What the transport (transport.ts) and the room object (room.ts) say to each other: the
 * connection's state, the events it reports and the options it is made with.
 */
import type { ClientFrameV3, EventFrame, HelloFrame, SignedHelloFrame, StoredClientFrame, WelcomeFrame } from "@edge-chat/protocol";
import type { RoomError, RoomFrame } from "@edge-chat/protocol/server-frames";
import type { AuthSource } from "./auth-refresh.ts";
import type { PendingAction } from "./pending.ts";
import type { ReconnectPolicy } from "./reconnect-policy.ts";
import type { OpenSocket } from "./socket.ts";

/** Why a room connection closed for good (until it is started again). */
export type CloseReason =
  /** `close()` was called. */
  | "closed"
  /** A moderator closed this user's sockets (code 4403: kicked or banned). */
  | "removed"
  /** The signed token was refused or ran out, and no provider could give a better one. */
  | "unauthorized"
  /** The signed token is good but its `rooms` claim leaves this room out. */
  | "forbidden";

/** Where the connection stands (the `state` event). */
export type ConnectionStatus =
  | { state: "connecting"; attempt: number }
  | { state: "open" }
  /** Lost: the next try starts in `delayMs` (at `retryAt`, ms since the epoch). */
  | { state: "reconnecting"; delayMs: number; retryAt: number; attempt: number }
  /** Told the network is gone: no tries until it is back (`reconnectNow`). */
  | { state: "offline" }
  /** The room refused the hello as banned; one more try when `until` comes. */
  | { state: "banned"; until: number }
  | { state: "closed"; reason: CloseReason };

/** Frames that are only worth sending now, never queued: every client frame but hello and the stored ones. */
export type EphemeralFrame = Exclude<ClientFrameV3, HelloFrame | SignedHelloFrame | StoredClientFrame>;

/** What the transport tells its owner. Every callback is optional. */
export interface TransportEvents {
  status(status: ConnectionStatus): void;
  /**
   * An accepted hello; on `resumed: false` the owner clears and redraws from `welcome.messages`,
   * on a resume it applies them (messages and change events) in order.
   */
  welcome(welcome: WelcomeFrame): void;
  /** Every later frame, `batch`es unpacked, the room's answers to resent duplicates left out. */
  frame(frame: RoomFrame): void;
  /** The outbox changed (an action queued, answered or refused, or the rate-limit hold moved). */
  outbox(pending: readonly PendingAction[]): void;
  /** The room stored an action of ours: its event (live, in a resume, or the answer to a resend). */
  stored(action: PendingAction, event: EventFrame): void;
  /** The room refused an action; it has left the outbox. */
  refused(action: PendingAction, error: RoomError): void;
  /** The room refused the owner key in hello (`forbidden`): we join without it. */
  keyRefused(error: RoomError): void;
}

/** Everything a transport needs. */
export interface TransportOptions {
  /** The room's WebSocket URL. */
  url: string;
  /** The anonymous identity sent as `hello.token` (unused when `auth` is given). */
  token: string;
  /** A signed token for `hello.auth`, or its provider (asked again before the token expires). */
  auth?: AuthSource;
  /** The upgrade carries the identity (Cloudflare Access): the hello has neither `token` nor `auth`. */
  access?: boolean;
  /** The name to ask for in `hello` (read at each connect, so a rename made offline is used). */
  name?: () => string | undefined;
  /** The room's owner key, when one is held (read at each connect). */
  key?: () => string | undefined;
  openSocket: OpenSocket;
  events?: Partial<TransportEvents>;
  policy?: Partial<ReconnectPolicy>;
  /** Source of jitter, [0, 1). */
  random?: () => number;
  /** Actions left unanswered by an earlier run (kept in storage); sent after the first welcome. */
  outbox?: readonly PendingAction[];
}

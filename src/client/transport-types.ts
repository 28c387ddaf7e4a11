/**
 * What the transport (transport.ts) and the page say to each other: the connection's status, the
 * events it reports and the options it is made with.
 */
import type { ClientFrame, HelloFrame, StoredClientFrame, WelcomeFrame } from "@edge-chat/protocol";
import type { RoomError, RoomFrame } from "@edge-chat/protocol/server-frames";
import type { PendingAction } from "./pending.ts";
import type { ReconnectPolicy } from "./reconnect-policy.ts";
import type { OpenSocket } from "./socket.ts";

/** Where the connection stands, for the banner. */
export type ConnectionStatus =
  | { state: "connecting"; attempt: number }
  | { state: "open" }
  | { state: "waiting"; retryAt: number; attempt: number }
  | { state: "offline" }
  | { state: "stopped" }
  /** A moderator closed this user's sockets (code 4403): no reconnect until `start()`. */
  | { state: "removed" }
  /** The room refused the hello as banned; one more try when `until` comes. */
  | { state: "banned"; until: number };

/** Frames that are only worth sending now, never queued: every client frame but hello and the stored ones. */
export type EphemeralFrame = Exclude<ClientFrame, HelloFrame | StoredClientFrame>;

/** What the transport tells the page. Every callback is optional. */
export interface TransportEvents {
  status(status: ConnectionStatus): void;
  /**
   * An accepted hello; on `resumed: false` the page clears and redraws from `welcome.messages`,
   * on a resume it applies them (messages and change events) in order.
   */
  welcome(welcome: WelcomeFrame): void;
  /** Every later frame, `batch`es unpacked, the room's answers to resent duplicates left out. */
  frame(frame: RoomFrame): void;
  /** The outbox changed (an action queued, answered or refused, or the rate-limit hold moved). */
  outbox(pending: readonly PendingAction[]): void;
  /** The room refused an action; it has left the outbox. */
  refused(action: PendingAction, error: RoomError): void;
  /** The room refused the owner key in hello (`forbidden`): the page forgets it; we join without it. */
  keyRefused(): void;
}

/** Everything a transport needs. */
export interface TransportOptions {
  /** The room's WebSocket URL. */
  url: string;
  token: string;
  /** The name to ask for in `hello` (read at each connect, so a rename made offline is used). */
  name(): string | undefined;
  /** The room's owner key, when this page holds one (read at each connect). */
  key?: () => string | undefined;
  openSocket: OpenSocket;
  events?: Partial<TransportEvents>;
  policy?: Partial<ReconnectPolicy>;
  /** Source of jitter, [0, 1). */
  random?: () => number;
  /** Actions left unanswered by an earlier page (kept across reloads); sent after the first welcome. */
  outbox?: readonly PendingAction[];
}

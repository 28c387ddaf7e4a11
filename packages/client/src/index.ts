/**
 * @edge-chat/client: a room of edge-chat from any runtime with a WebSocket (browsers, Node 22,
 * Deno, Bun, Workers). `connect()` gives a `Room`: its state, events, and every action of the
 * protocol as a promise, with reconnect, gap-free resume and an exactly-once outbox built in.
 */
export { connect, openRoom, DEFAULT_MAX_MESSAGES } from "./open.ts";
export { Room, type SayOptions, type UserRef } from "./room.ts";
export type { ConnectOptions, NetworkSignal, NetworkSignals, AbortSignalLike } from "./options.ts";
export type { RoomEvent, RoomEventName, RoomEvents, PresenceChange } from "./events.ts";
export { memoryStorage, STORAGE_KEYS, type OutboxStorage } from "./storage.ts";
export { tokenExpiry, AUTH_CLOSE, type AuthSource } from "./auth-refresh.ts";
export { roomSocketUrl, webSocketOpener, type WebSocketConstructor, type WebSocketLike } from "./socket.ts";
// The parts the room object is built from, for clients with needs of their own (the page, the soak).
export { Transport, RECONNECT_DEFAULTS } from "./transport.ts";
export type {
  CloseReason,
  ConnectionStatus,
  EphemeralFrame,
  NewChange,
  OpenSocket,
  PendingAction,
  PendingChange,
  PendingSay,
  ReconnectPolicy,
  SocketEvents,
  SocketHandle,
  TransportEvents,
  TransportOptions,
} from "./transport.ts";
export { backoffDelay } from "./reconnect-policy.ts";
export { actionFrame, isPendingAction, isSay, ownEventId } from "./pending.ts";
export { foldDelete, foldEdit, foldQuote, foldReact, overlay, privatePartner, quoteOf, type ShownMessage } from "./message-fold.ts";
export { Roster, LISTED_MAX } from "./roster.ts";
export { MessageStore } from "./message-store.ts";
export { newMessageId, newToken, randomBase64url } from "./ids.ts";
export { localError } from "./requests.ts";
export { RoomHttpError } from "./http-error.ts";
export { uploadFile, uploadUrl, UploadError, type UploadBody, type UploadOptions } from "./upload.ts";
export { Integrations, IntegrationError, postToHook, type FetchLike } from "./integrations.ts";
// The frames handlers receive, so that an app needs only this package's import.
export type {
  AuthAcceptedFrame,
  DeleteEventFrame,
  EditEventFrame,
  EventFrame,
  FileRef,
  FileType,
  HistoryFrame,
  JoinFrame,
  LeaveFrame,
  ListedUser,
  MembersFrame,
  MessageFrame,
  ModerationFrame,
  OccupancyFrame,
  ReactEventFrame,
  ReactionCount,
  ReadNoticeFrame,
  RenamedFrame,
  ReplyQuote,
  Role,
  RoomSettings,
  SearchFrame,
  SelfUser,
  SettingsFrame,
  TypingNoticeFrame,
  User,
  WelcomeFrame,
} from "@edge-chat/protocol";
export type { RoomError } from "@edge-chat/protocol/server-frames";

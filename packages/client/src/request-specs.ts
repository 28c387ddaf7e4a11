/**
 * Each request of the room object as the request queue (requests.ts) takes it: the frame, and
 * how its answer is told apart from the broadcasts around it (our own `moderation`, `settings`
 * or `rename` frame, by who made it and about whom).
 */
import type { HistoryFrame, MembersFrame, ModerationFrame, SearchFrame, SettingsFrame, User } from "@edge-chat/protocol";
import type { RoomFrame } from "@edge-chat/protocol/server-frames";
import type { RequestSpec } from "./requests.ts";
import type { EphemeralFrame } from "./transport-types.ts";

/** A rename that ends on the name held changes nothing, and the room then answers nothing: wait this long. */
export const RENAME_QUIET_MS = 2_000;

/** The moderation frames, each answered by the `moderation` frame about it. */
export type ModerationRequest = Extract<EphemeralFrame, { type: "kick" | "mute" | "ban" | "grant" }>;

/** `history`, answered by a `history` frame. */
export function historySpec(options: { before?: number; limit?: number }): RequestSpec<HistoryFrame> {
  return { frame: { type: "history", ...options }, read: true, answer: (f) => (f.type === "history" ? f : undefined) };
}

/** `members`, answered by a `members` frame. */
export function membersSpec(options: { after?: string; limit?: number }): RequestSpec<MembersFrame> {
  return { frame: { type: "members", ...options }, read: true, answer: (f) => (f.type === "members" ? f : undefined) };
}

/** `search`, answered by the `search` frame that echoes its `q`. */
export function searchSpec(q: string, options: { before?: number; limit?: number }): RequestSpec<SearchFrame> {
  return { frame: { type: "search", q, ...options }, read: true, answer: (f) => (f.type === "search" && f.q === q ? f : undefined) };
}

/** `kick`, `mute`, `ban`, `grant` by `selfId`. */
export function moderationSpec(frame: ModerationRequest, selfId: string): RequestSpec<ModerationFrame> {
  const mine = (f: RoomFrame) => f.type === "moderation" && f.action === frame.type && f.user.id === frame.user && f.by.id === selfId;
  return { frame, read: false, answer: (f) => (mine(f) ? (f as ModerationFrame) : undefined) };
}

/** `settings` by `selfId`. */
export function settingsSpec(change: { slowMs?: number; locked?: boolean }, selfId: string): RequestSpec<SettingsFrame> {
  return { frame: { type: "settings", ...change }, read: false, answer: (f) => (f.type === "settings" && f.by.id === selfId ? f : undefined) };
}

/** `rename` of `self()`: answered by our `rename` frame, or by nothing when the name stays. */
export function renameSpec(name: string, self: () => User): RequestSpec<User> {
  return {
    frame: { type: "rename", name },
    read: false,
    answer: (f) => (f.type === "rename" && f.user.id === self().id ? f.user : undefined),
    quietAfterMs: RENAME_QUIET_MS,
    quietValue: () => ({ id: self().id, name: self().name }),
  };
}

/** A request sent without waiting for its answer (which comes as an event): still queued, so errors without `ref` match. */
export function rawSpec(frame: Exclude<EphemeralFrame, { type: "typing" | "read" | "auth" }>): RequestSpec<RoomFrame | null> {
  const kind = frame.type;
  const read = kind === "history" || kind === "members" || kind === "search";
  const answer = (f: RoomFrame) => (f.type === kind || (f.type === "moderation" && f.action === kind) ? f : undefined);
  return { frame, read, answer, ...(kind === "rename" ? { quietAfterMs: RENAME_QUIET_MS, quietValue: () => null } : {}) };
}

/**
 * A hook's post (PROTOCOL.md v3, "Incoming hooks"), judged like a `say` from the hook's own user
 * `hook:<id>` (a bot, never online): in this order, a stored duplicate `Idempotency-Key` (answered
 * with its seq, nothing spent), a ban, a mute, the lock, then the hook's own bucket. Slow mode does
 * not apply. What passes is queued for the group commit as a public message, exactly as a socket's
 * `say` is, so it takes the next seq, goes to every socket and shard, and is answered once stored.
 * The Worker has already found the hook, checked its secret and read the body.
 */
import type { HookPost } from "@edge-chat/protocol/integrations";
import type { NewEvent } from "../storage/event-log.ts";
import { liveFrame } from "./folding.ts";
import type { MessageState } from "./message-states.ts";
import type { RoomState } from "./room-state.ts";

/** What judging a hook's post needs of the room. */
export type HookPostContext = Pick<RoomState, "queue" | "log" | "users" | "settings" | "buckets" | "states" | "userObject" | "now">;

/** The outcome: a seq to answer once it is stored (queued now, or a duplicate), or a refusal. */
export type HookPostOutcome =
  | { ok: true; seq: number }
  | { ok: false; status: 403 | 429; code: "banned" | "muted" | "locked" | "rate_limited"; message: string; retryAfterMs?: number };

/** The user id of a hook. */
export function hookUserId(hookId: string): string {
  return `hook:${hookId}`;
}

/**
 * Judges and queues a hook's post. `key` is the `Idempotency-Key` (the message's client id); without
 * one a fresh id is made, so two posts of the same text are two messages.
 */
export function postFromHook(room: HookPostContext, hook: { id: string; name: string }, post: HookPost, key: string | undefined): HookPostOutcome {
  const userId = hookUserId(hook.id);
  if (key !== undefined) {
    const seq = room.queue.waitingSeq(userId, key) ?? room.log.findByClientId(userId, key)?.seq;
    if (seq !== undefined) return { ok: true, seq };
  }
  const now = room.now();
  const bannedUntil = room.users.bannedUntil(userId);
  if (bannedUntil > now) return { ok: false, status: 403, code: "banned", message: "this hook is banned from the room", retryAfterMs: bannedUntil - now };
  const mutedUntil = room.users.mutedUntil(userId);
  if (mutedUntil > now) return { ok: false, status: 403, code: "muted", message: "this hook is muted", retryAfterMs: mutedUntil - now };
  if (room.settings.current.locked) return { ok: false, status: 403, code: "locked", message: "the room is locked: only moderators and owners may post" };
  const take = room.buckets.take(userId, now);
  if (!take.ok) return { ok: false, status: 429, code: "rate_limited", message: "this hook posts too fast", retryAfterMs: take.retryAfterMs };
  // A hook's bucket lives in memory only: it refills in burst / perSecond (4 s by default), long
  // before an idle room is evicted, so a wake never hands out a fresh burst early.
  room.buckets.commit(userId, take.bucket);

  const user = room.userObject(userId, post.username ?? hook.name);
  const clientId = key ?? `hook-${crypto.randomUUID()}`;
  const event: NewEvent = { seq: room.queue.nextSeq, kind: "say", clientId, user, ts: now, authorId: userId, text: post.text };
  const state: MessageState = { seq: event.seq, from: user, deleted: false, text: post.text, reactions: new Map(), reacted: new Map() };
  room.states.added(state);
  // The commit tells a failure to the connection that sent it: a hook has none (a key on the
  // Room's own object that no socket holds); the Room learns of it by the seq not being stored.
  room.queue.store(event, `0:${userId}`, clientId);
  room.queue.eventFrame({ to: "all" }, liveFrame(event), event.seq);
  return { ok: true, seq: event.seq };
}

/**
 * The rules of the four frames that store an event (`say`, `edit`, `delete`, `react`), in the
 * protocol's order of checks: the fields (already checked by the decoder), a duplicate client id
 * (answered with the stored event, nothing spent), the target and the recipient (any user the
 * room has seen, online or not: v3), mute, lock and
 * slow mode, then the bucket. Only what passes them all is queued for the group commit.
 */
import { LIMITS, replyQuote } from "@edge-chat/protocol";
import type { DeleteFrame, EditFrame, ReactFrame, ReplyQuote, SayFrame, SingleServerFrame, StoredClientFrame, User } from "@edge-chat/protocol";
import { KIND, type NewEvent } from "../storage/event-log.ts";
import { liveFrame } from "./folding.ts";
import type { Audience } from "./group-commit.ts";
import { canSee, type MessageState } from "./message-states.ts";
import type { Conn } from "./presence.ts";
import type { RuleContext } from "./rule-context.ts";

/** The ids of incoming hooks' users (v3): seen by the room, never a private message's recipient. */
const HOOK_ID_PREFIX = "hook:";

/** Handles a frame that would store an event. */
export function handleMessageFrame(core: RuleContext, conn: Conn, frame: StoredClientFrame): void {
  if (answerDuplicate(core, conn, frame.id)) return;
  switch (frame.type) {
    case "say":
      return say(core, conn, frame);
    case "edit":
      return edit(core, conn, frame);
    case "delete":
      return remove(core, conn, frame);
    case "react":
      return react(core, conn, frame);
  }
}

function say(core: RuleContext, conn: Conn, frame: SayFrame): void {
  const reply: Audience = { to: "conn", conn: conn.key };
  let to: User | undefined;
  if (frame.to !== undefined) {
    const recipient = recipientOf(core, frame.to);
    if (!recipient) return core.error(reply, "unknown_user", "the room has never seen a user with that id", frame.id);
    to = recipient;
  }
  let quote: ReplyQuote | undefined;
  if (frame.replyTo !== undefined) {
    const target = core.states.get(frame.replyTo);
    if (!target || target.deleted || !canSee(target, conn.user)) {
      return core.error(reply, "not_found", "no such message to reply to", frame.id);
    }
    if (target.to && !samePair(target, conn.user, to?.id)) {
      return core.error(reply, "forbidden", "a reply to a private message must be private to the same two people", frame.id);
    }
    quote = replyQuote(target);
  }
  // v3: files the sender uploaded to this room, stored and not attached (nor named by a say that waits).
  const files = frame.files === undefined ? undefined : core.log.files.attachable(conn.user, frame.files);
  if (frame.files !== undefined && !files) {
    return core.error(reply, "not_found", "no such file of yours to attach: upload it to this room first, once per message", frame.id);
  }
  if (!mayPost(core, conn, frame.id, "say")) return;
  if (!core.charge(conn, frame.id)) return;

  const user = currentUser(core, conn);
  const event: NewEvent = { seq: core.queue.nextSeq, kind: "say", clientId: frame.id, user, ts: core.now(), authorId: user.id, text: frame.text };
  if (to) event.to = to;
  if (quote) event.replyTo = quote.seq;
  if (files) {
    event.files = files;
    core.log.files.claim(files.map((f) => f.id));
  }
  const state: MessageState = { seq: event.seq, from: user, deleted: false, text: frame.text, reactions: new Map(), reacted: new Map() };
  if (to) state.to = to;
  core.states.added(state);
  core.lastSay.set(user.id, event.ts);
  store(core, conn, event, state, liveFrame(event, quote, core.room));
}

function edit(core: RuleContext, conn: Conn, frame: EditFrame): void {
  const reply: Audience = { to: "conn", conn: conn.key };
  const target = core.states.get(frame.target);
  if (!target || !canSee(target, conn.user)) return core.error(reply, "not_found", "no such message", frame.id);
  if (target.from.id !== conn.user) return core.error(reply, "forbidden", "you can only edit your own messages", frame.id);
  if (target.deleted) return core.error(reply, "gone", "that message was deleted", frame.id);
  if (!mayPost(core, conn, frame.id, "edit")) return;
  if (!core.charge(conn, frame.id)) return;

  const event = change(core, conn, frame, target, "edit");
  event.text = frame.text;
  target.text = frame.text;
  core.states.changed(target.seq);
  store(core, conn, event, target, liveFrame(event));
}

function remove(core: RuleContext, conn: Conn, frame: DeleteFrame): void {
  const reply: Audience = { to: "conn", conn: conn.key };
  const target = core.states.get(frame.target);
  if (!target || !canSee(target, conn.user)) return core.error(reply, "not_found", "no such message", frame.id);
  const own = target.from.id === conn.user;
  if (!own && core.roleOf(conn) === "member") return core.error(reply, "forbidden", "you can only delete your own messages", frame.id);
  if (target.deleted) return core.error(reply, "gone", "that message was deleted already", frame.id);
  if (!mayPost(core, conn, frame.id, "delete")) return;
  if (!core.charge(conn, frame.id)) return;

  const event = change(core, conn, frame, target, "delete");
  target.deleted = true;
  target.text = "";
  target.reactions.clear();
  target.reacted.clear();
  core.states.changed(target.seq);
  store(core, conn, event, target, liveFrame(event));
}

function react(core: RuleContext, conn: Conn, frame: ReactFrame): void {
  const reply: Audience = { to: "conn", conn: conn.key };
  const target = core.states.get(frame.target);
  if (!target || !canSee(target, conn.user)) return core.error(reply, "not_found", "no such message", frame.id);
  if (target.deleted) return core.error(reply, "gone", "that message was deleted", frame.id);
  const count = target.reactions.get(frame.emoji) ?? 0;
  if (frame.on && count === 0 && target.reactions.size >= LIMITS.reactions) {
    return core.error(reply, "too_many", `a message holds at most ${LIMITS.reactions} different reactions`, frame.id);
  }
  if (!mayPost(core, conn, frame.id, "react")) return;
  if (!core.charge(conn, frame.id)) return;

  // A change that changes nothing is still stored and sent; an emoji whose count falls to 0
  // leaves the list, and comes back at its end.
  const had = core.states.hasReacted(target, frame.emoji, conn.user);
  const next = count + (frame.on && !had ? 1 : 0) - (!frame.on && had ? 1 : 0);
  target.reacted.set(`${frame.emoji}\n${conn.user}`, frame.on);
  if (next === 0) target.reactions.delete(frame.emoji);
  else target.reactions.set(frame.emoji, next);
  core.states.changed(target.seq);
  const event = change(core, conn, frame, target, "react");
  event.emoji = frame.emoji;
  event.on = frame.on;
  event.count = next;
  store(core, conn, event, target, liveFrame(event));
}

/** A stored duplicate (or one waiting for the commit) is answered with the stored event, to this socket only. */
function answerDuplicate(core: RuleContext, conn: Conn, clientId: string): boolean {
  const waiting = core.queue.waitingSeq(conn.user, clientId);
  const seq = waiting ?? core.log.findByClientId(conn.user, clientId)?.seq;
  if (seq === undefined) return false;
  core.queue.later({ to: "conn", conn: conn.key, metered: true }, () => storedFrame(core, conn, seq, clientId));
  return true;
}

/** The stored event `seq` as the user sees it now. */
function storedFrame(core: RuleContext, conn: Conn, seq: number, ref: string): SingleServerFrame {
  const row = core.log.row(seq);
  if (!row) return { type: "error", code: "internal", message: "the room could not store that", ref };
  return row.kind === KIND.say ? core.folder.messages([row], conn.user)[0]! : core.folder.events([row], conn.user)[0]!;
}

/**
 * Mute, then for a member the lock (v3: it holds back `say`, `edit` and `react`, never a delete
 * of one's own) and, for a `say`, slow mode.
 */
function mayPost(core: RuleContext, conn: Conn, ref: string, kind: StoredClientFrame["type"]): boolean {
  const reply: Audience = { to: "conn", conn: conn.key };
  const now = core.now();
  const mutedUntil = core.users.mutedUntil(conn.user);
  if (mutedUntil > now) {
    core.error(reply, "muted", "you are muted", ref, mutedUntil - now);
    return false;
  }
  if (kind === "delete" || core.roleOf(conn) !== "member") return true;
  const settings = core.settings.current;
  if (settings.locked) {
    core.error(reply, "locked", "the room is locked: only moderators and owners may post, edit or react", ref);
    return false;
  }
  if (kind === "say" && settings.slowMs > 0) {
    const last = lastSayOf(core, conn.user);
    if (last !== undefined && now < last + settings.slowMs) {
      core.error(reply, "slow_mode", "slow mode is on", ref, last + settings.slowMs - now);
      return false;
    }
  }
  return true;
}

/** A change event about `target`, private exactly when the target is. */
function change(core: RuleContext, conn: Conn, frame: StoredClientFrame, target: MessageState, kind: NewEvent["kind"]): NewEvent {
  const event: NewEvent = {
    seq: core.queue.nextSeq,
    kind,
    clientId: frame.id,
    user: currentUser(core, conn),
    ts: core.now(),
    authorId: target.from.id,
    target: target.seq,
  };
  if (target.to) event.to = target.to;
  return event;
}

/** Queues the event and its frame: to everyone, or to the two people of a private message. */
function store(core: RuleContext, conn: Conn, event: NewEvent, message: MessageState, frame: SingleServerFrame): void {
  core.queue.store(event, conn.key, event.clientId);
  const audience: Audience = message.to ? { to: "users", ids: pairOf(message) } : { to: "all" };
  core.queue.eventFrame(audience, frame, event.seq);
}

/**
 * True when a reply from `sender` to `recipient` is between the same people as `message`: the
 * same two, or the same one for a note to oneself (a note to oneself never answers a pair).
 */
function samePair(message: MessageState, sender: string, recipient: string | undefined): boolean {
  if (recipient === undefined) return false;
  const pair = new Set(pairOf(message));
  const reply = new Set([sender, recipient]);
  return reply.size === pair.size && [...reply].every((id) => pair.has(id));
}

function pairOf(message: MessageState): string[] {
  const ids = [message.from.id];
  if (message.to && message.to.id !== message.from.id) ids.push(message.to.id);
  return ids;
}

/**
 * The recipient of a private message (v3): any user the room has seen, online or not, but never a
 * hook (hooks are never online and read nothing); online, under their current name, else under the
 * last name the room knew. An offline recipient finds it when they return (welcome, history).
 */
function recipientOf(core: RuleContext, id: string): User | undefined {
  const online = core.presence.user(id);
  if (online) return core.userObject(online.id, online.name);
  if (id.startsWith(HOOK_ID_PREFIX)) return undefined;
  const seen = core.users.get(id);
  return seen && core.userObject(seen.id, seen.name);
}

function currentUser(core: RuleContext, conn: Conn): User {
  return core.userObject(conn.user, core.presence.user(conn.user)!.name);
}

/** When the user last stored a say, for slow mode: read from the log the first time it is asked. */
function lastSayOf(core: RuleContext, userId: string): number | undefined {
  if (!core.lastSay.has(userId)) {
    const ts = core.log.lastSayTs(userId);
    if (ts !== undefined) core.lastSay.set(userId, ts);
  }
  return core.lastSay.get(userId);
}

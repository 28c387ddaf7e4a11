/**
 * Owners and moderators: `grant`, `kick`, `mute`, `ban` and `settings`, in the protocol's order
 * of checks: the fields (already checked), the sender's role, the named user (`not_found` for a
 * user the room never saw), the named user's role. A kicked or banned user's connections leave
 * presence at once, so nothing they sent after is handled; bans, mutes and roles are in SQLite.
 */
import { CLOSE } from "@edge-chat/protocol";
import type { BanFrame, GrantFrame, KickFrame, ModerationFrame, MuteFrame, SettingsRequestFrame, User } from "@edge-chat/protocol";
import type { Audience } from "./group-commit.ts";
import type { Conn } from "./presence.ts";
import type { RuleContext } from "./rule-context.ts";

/** How a banned user's sockets are closed (by the ban, or when a restart finds them still open). */
export const BANNED_CLOSE = { code: CLOSE.removed, reason: "banned by a moderator" } as const;

/** Handles a moderation frame. */
export function handleModeration(core: RuleContext, conn: Conn, frame: GrantFrame | KickFrame | MuteFrame | BanFrame | SettingsRequestFrame): void {
  const reply: Audience = { to: "conn", conn: conn.key };
  const role = core.roleOf(conn);
  const needed = frame.type === "grant" ? role === "owner" : role !== "member";
  if (!needed) {
    const who = frame.type === "grant" ? "owners" : "moderators and owners";
    return core.error(reply, "forbidden", `only ${who} may do that`);
  }
  if (frame.type === "settings") return settings(core, conn, frame);

  const target = core.users.get(frame.user);
  if (!target) return core.error(reply, "not_found", "the room has never seen that user");
  // Nobody acts on an owner; a moderator never on another moderator (granted, or by a role claim).
  if (target.owner || (frame.type !== "grant" && role !== "owner" && core.actsAsModerator(target.id))) {
    return core.error(reply, "forbidden", "you may not do that to this user");
  }
  const user: User = core.userObject(target.id, core.nameOf(target.id));
  const by: User = core.userObject(conn.user, core.nameOf(conn.user));
  const now = core.now();
  // v3: the reason given (already trimmed, and left out when it was empty) goes with the announcement.
  const reason = frame.type !== "grant" && frame.reason !== undefined ? { reason: frame.reason } : {};
  switch (frame.type) {
    case "grant":
      core.users.setModerator(target.id, frame.role === "moderator");
      return announce(core, { type: "moderation", action: "grant", user, by, role: frame.role });
    case "kick":
      announce(core, { type: "moderation", action: "kick", user, by, ...reason });
      return core.removeUser(target.id, CLOSE.removed, "kicked by a moderator");
    case "mute": {
      const until = frame.ms === 0 ? 0 : now + frame.ms;
      core.users.mute(target.id, until);
      return announce(core, { type: "moderation", action: "mute", user, by, ...(until ? { until } : {}), ...reason });
    }
    case "ban": {
      const until = frame.ms === 0 ? 0 : now + frame.ms;
      core.users.ban(target.id, until);
      announce(core, { type: "moderation", action: "ban", user, by, ...(until ? { until } : {}), ...reason });
      if (until) core.removeUser(target.id, BANNED_CLOSE.code, BANNED_CLOSE.reason);
      return;
    }
  }
}

function settings(core: RuleContext, conn: Conn, frame: SettingsRequestFrame): void {
  const change: { slowMs?: number; locked?: boolean } = {};
  if (frame.slowMs !== undefined) change.slowMs = frame.slowMs;
  if (frame.locked !== undefined) change.locked = frame.locked;
  const now = core.settings.update(change);
  const by: User = core.userObject(conn.user, core.nameOf(conn.user));
  core.queue.frame({ to: "all" }, { type: "settings", ...now, by });
}

/** Tells everyone online, the user acted on included. */
function announce(core: RuleContext, frame: ModerationFrame): void {
  core.queue.frame({ to: "all" }, frame);
}

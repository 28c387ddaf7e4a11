/** The quiet system lines for `moderation` and `settings` frames ("bob was muted for 5 min by alice"). */
import type { ModerationFrame, RoomSettings, SettingsFrame } from "@edge-chat/protocol";
import { isolate } from "./dom.ts";
import { duration } from "./errors.ts";

/** The line for a moderation frame, names `isolate()`d; `now` turns `until` into a duration. */
export function moderationLine(frame: ModerationFrame, now = Date.now()): (Node | string)[] {
  const who = isolate(frame.user.name);
  const by = isolate(frame.by.name);
  const left = frame.until === undefined ? undefined : duration(frame.until - now);
  const why = frame.reason === undefined ? [] : [": ", isolate(frame.reason)];
  switch (frame.action) {
    case "grant":
      return frame.role === "moderator" ? [by, " made ", who, " a moderator"] : [by, " took the moderator role from ", who];
    case "kick":
      return [who, " was removed by ", by, ...why];
    case "mute":
      return left ? [who, ` was muted for ${left} by `, by, ...why] : [who, " was unmuted by ", by, ...why];
    case "ban":
      return left ? [who, ` was banned for ${left} by `, by, ...why] : [who, "’s ban was lifted by ", by, ...why];
  }
}

/** The line for a settings frame: what changed from `before`. */
export function settingsLine(frame: SettingsFrame, before: RoomSettings): (Node | string)[] {
  const by = isolate(frame.by.name);
  const parts: string[] = [];
  if (frame.slowMs !== before.slowMs) parts.push(frame.slowMs > 0 ? `turned on slow mode (one message every ${duration(frame.slowMs)})` : "turned off slow mode");
  if (frame.locked !== before.locked) parts.push(frame.locked ? "locked the room" : "unlocked the room");
  if (parts.length === 0) parts.push("kept the room's settings");
  return [by, ` ${parts.join(" and ")}`];
}

/** Slow mode as a choice in the settings panel: "Off", "10 s", "1 min". */
export function slowModeLabel(ms: number): string {
  return ms === 0 ? "Off" : duration(ms);
}

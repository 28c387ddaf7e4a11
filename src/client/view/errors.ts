/** What each error a room can send means for the person using the page. */
import type { RoomError } from "@edge-chat/protocol/server-frames";
import { isolate } from "./dom.ts";

/**
 * A sentence for people about a refused action, as text and an `isolate()`d name; `to` names the
 * recipient of a private message.
 */
export function describeError(error: RoomError, to?: string): (Node | string)[] {
  if (error.code === "unknown_user") {
    return [to ? isolate(to) : "That person", " is not online any more, so the private message was not sent."];
  }
  return [errorText(error)];
}

function errorText(error: RoomError): string {
  switch (error.code) {
    case "rate_limited": {
      const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000));
      return `You're sending messages too fast. Wait ${seconds} s and try again.`;
    }
    case "too_long":
      return "That message is too long: the limit is 2000 characters.";
    case "name_invalid":
      return `That name can't be used (${error.message}).`;
    case "bad_message":
    case "bad_json":
      return `The room could not accept that (${error.message}).`;
    case "not_ready":
      return "Still joining the room: try again in a moment.";
    case "internal":
      return "The room ran into a problem. Please try again.";
    case "not_found":
      return "That message or person is not in the room any more.";
    case "forbidden":
      return `You may not do that here (${error.message}).`;
    case "gone":
      return "That message was deleted.";
    case "too_many":
      return "That message already has as many different reactions as it can hold.";
    case "muted":
      return `You are muted: you can post again in ${duration(error.retryAfterMs)}.`;
    case "slow_mode":
      return `Slow mode is on: you can send again in ${duration(error.retryAfterMs)}.`;
    case "locked":
      return "The room is locked: only moderators and owners can post, edit or react now.";
    case "banned":
      return `You are banned from this room for ${duration(error.retryAfterMs)}.`;
    default:
      return `The room refused that: ${error.message}`;
  }
}

/** A short reason shown on an undelivered message. */
export function shortReason(error: RoomError): string {
  switch (error.code) {
    case "rate_limited":
      return "Not sent: too fast";
    case "unknown_user":
      return "Not sent: they left";
    case "too_long":
      return "Not sent: too long";
    case "muted":
      return "Not sent: you are muted";
    case "slow_mode":
      return "Not sent: slow mode";
    case "locked":
      return "Not sent: room locked";
    case "not_found":
    case "gone":
      return "Not sent: message gone";
    default:
      return "Not sent";
  }
}

/** A wait in words for people: "40 s", "5 min", "2 h 5 min", "3 days". */
export function duration(ms: number | undefined): string {
  const seconds = Math.max(1, Math.ceil((ms ?? 1000) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.round(hours / 24);
  return days === 1 ? "1 day" : `${days} days`;
}

/** What each error a room can send means for the person using the page. */
import type { RoomError } from "../../shared/server-frames.ts";
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
    default:
      return "Not sent";
  }
}

/** How the terminal client writes what happens in the room, one line each. */
import type { ConnectionStatus, MessageFrame, User } from "@edge-chat/client";

/** `HH:MM` in the local time zone. */
export function clock(ts: number): string {
  const time = new Date(ts);
  return `${String(time.getHours()).padStart(2, "0")}:${String(time.getMinutes()).padStart(2, "0")}`;
}

/** A message as a line: time, who, and to whom when private; edits and deletes shown. */
export function messageLine(message: MessageFrame, self: User): string {
  const from = message.from.id === self.id ? `${message.from.name} (you)` : message.from.name;
  const to = message.to ? ` → ${message.to.id === self.id ? "you" : message.to.name} (private)` : "";
  const text = message.deleted ? "(message deleted)" : `${message.text}${message.edited ? " (edited)" : ""}`;
  const reply = message.replyTo && !message.deleted ? ` ↪ ${message.replyTo.from.name}: ${message.replyTo.text.slice(0, 40)} ·` : "";
  return `[${clock(message.ts)}] ${from}${to}:${reply} ${text}`;
}

/** The status line for a connection state. */
export function statusLine(state: ConnectionStatus, room: string): string | undefined {
  switch (state.state) {
    case "connecting":
      return state.attempt > 0 ? `* reconnecting to ${room}…` : `* connecting to ${room}…`;
    case "reconnecting":
      return `* connection lost: retrying in ${(state.delayMs / 1000).toFixed(1)} s`;
    case "offline":
      return "* offline";
    case "banned":
      return `* banned from ${room} until ${new Date(state.until).toISOString()}`;
    case "closed":
      return state.reason === "closed" ? undefined : `* closed: ${state.reason}`;
    case "open":
      return undefined;
  }
}

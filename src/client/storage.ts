/**
 * What the page remembers in localStorage: the user's secret token (so a reload is the same
 * person), the name they chose, the rooms they visited, each room's actions not yet answered
 * (the outbox) and the owner keys of rooms this browser created. When storage is unavailable (some
 * private modes) it falls back to memory for this page's life.
 */
import { TOKEN } from "@edge-chat/protocol";
import { isRoomName, normalizeName } from "@edge-chat/protocol/validate";
import { newToken } from "./ids.ts";
import { isPendingAction, type PendingAction } from "./pending.ts";

const KEYS = { token: "edge-chat:token", name: "edge-chat:name", rooms: "edge-chat:rooms" } as const;
const outboxKey = (room: string) => `edge-chat:outbox:${room}`;
const ownerKeyKey = (room: string) => `edge-chat:owner-key:${room}`;
const RECENT_MAX = 6;
const memory = new Map<string, string>();

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return memory.get(key) ?? null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    memory.set(key, value);
  }
}

/** The user's token, made once and then kept. */
export function loadToken(): string {
  const stored = read(KEYS.token);
  if (stored !== null && TOKEN.test(stored)) return stored;
  const token = newToken();
  write(KEYS.token, token);
  return token;
}

/** The name the user chose (or was given as a guest), if it is still a valid name. */
export function loadName(): string | undefined {
  return normalizeName(read(KEYS.name)) ?? undefined;
}

/** Remembers the user's name for every room and every reload. */
export function saveName(name: string): void {
  write(KEYS.name, name);
}

/** Rooms visited, most recent first. */
export function loadRecentRooms(): string[] {
  try {
    const parsed: unknown = JSON.parse(read(KEYS.rooms) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((r): r is string => typeof r === "string" && isRoomName(r)) : [];
  } catch {
    return [];
  }
}

/** Puts a room first in the recent list. */
export function rememberRoom(room: string): void {
  const rooms = [room, ...loadRecentRooms().filter((r) => r !== room)].slice(0, RECENT_MAX);
  write(KEYS.rooms, JSON.stringify(rooms));
}

/** Actions in this room not yet answered when the page last ran (typed offline, then the tab closed). */
export function loadOutbox(room: string): PendingAction[] {
  try {
    const parsed: unknown = JSON.parse(read(outboxKey(room)) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isPendingAction) : [];
  } catch {
    return [];
  }
}

/** Keeps the room's unanswered actions, so a closed tab or a reload does not lose them. */
export function saveOutbox(room: string, pending: readonly PendingAction[]): void {
  if (pending.length > 0) write(outboxKey(room), JSON.stringify(pending));
  else remove(outboxKey(room));
}

/** The owner key `POST /api/rooms` gave this browser for `room`, if any. */
export function loadOwnerKey(room: string): string | undefined {
  return read(ownerKeyKey(room)) ?? undefined;
}

/** Keeps a room's owner key (it is shown only once, when the room is created). */
export function saveOwnerKey(room: string, key: string): void {
  write(ownerKeyKey(room), key);
}

/** Forgets a room's owner key (the room refused it). */
export function forgetOwnerKey(room: string): void {
  remove(ownerKeyKey(room));
}

function remove(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    memory.delete(key);
  }
}

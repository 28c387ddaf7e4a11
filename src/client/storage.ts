/**
 * What the page remembers in localStorage: the user's secret token (so a reload is the same
 * person), the name they chose, and the rooms they visited. When storage is unavailable (some
 * private modes) it falls back to memory for this page's life.
 */
import { TOKEN } from "../shared/protocol.ts";
import { isRoomName, normalizeName } from "../shared/validate.ts";
import { newToken } from "./ids.ts";
import type { PendingSay } from "./transport.ts";

const KEYS = { token: "edge-chat:token", name: "edge-chat:name", rooms: "edge-chat:rooms" } as const;
const outboxKey = (room: string) => `edge-chat:outbox:${room}`;
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

/** Says of this room not yet echoed when the page last ran (typed offline, then the tab closed). */
export function loadOutbox(room: string): PendingSay[] {
  try {
    const parsed: unknown = JSON.parse(read(outboxKey(room)) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isPendingSay) : [];
  } catch {
    return [];
  }
}

/** Keeps the room's unechoed says, so a closed tab or a reload does not lose them. */
export function saveOutbox(room: string, pending: readonly PendingSay[]): void {
  if (pending.length > 0) write(outboxKey(room), JSON.stringify(pending));
  else remove(outboxKey(room));
}

function remove(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    memory.delete(key);
  }
}

function isPendingSay(value: unknown): value is PendingSay {
  if (typeof value !== "object" || value === null) return false;
  const say = value as { id?: unknown; text?: unknown; to?: { id?: unknown; name?: unknown } };
  const toOk = say.to === undefined || (typeof say.to?.id === "string" && typeof say.to?.name === "string");
  return typeof say.id === "string" && typeof say.text === "string" && toOk;
}

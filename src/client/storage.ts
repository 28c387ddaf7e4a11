/**
 * What the page remembers in localStorage: the name the user chose, the rooms they visited and the
 * owner keys of rooms this browser created, and, through the client package, the user's secret
 * token and each room's outbox (`pageStorage`). When storage is unavailable (some private modes)
 * it falls back to memory for this page's life.
 */
import type { OutboxStorage } from "@edge-chat/client";
import { isRoomName, normalizeName } from "@edge-chat/protocol/validate";

const KEYS = { name: "edge-chat:name", rooms: "edge-chat:rooms" } as const;
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

function remove(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    memory.delete(key);
  }
}

/** localStorage (or memory) as the client package's storage: the token and the outboxes live there. */
export const pageStorage: OutboxStorage = { getItem: read, setItem: write, removeItem: remove };

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

/** A small JSON value kept per room (conversations, read marks, settings); `fallback` when absent or unreadable. */
export function loadRoomJson<T>(room: string, what: string, fallback: T, check: (value: unknown) => value is T): T {
  try {
    const parsed: unknown = JSON.parse(read(`edge-chat:${what}:${room}`) ?? "null");
    return check(parsed) ? parsed : fallback;
  } catch {
    return fallback;
  }
}

/** Keeps a small JSON value per room. */
export function saveRoomJson(room: string, what: string, value: unknown): void {
  write(`edge-chat:${what}:${room}`, JSON.stringify(value));
}

/** Recent reactions of this browser (most recent first), for the one-click row. */
export function loadRecentEmoji(): string[] {
  try {
    const parsed: unknown = JSON.parse(read("edge-chat:recent-emoji") ?? "null");
    return Array.isArray(parsed) ? parsed.filter((e): e is string => typeof e === "string").slice(0, 3) : [];
  } catch {
    return [];
  }
}

/** Puts an emoji first among the recent reactions. */
export function rememberEmoji(emoji: string): void {
  write("edge-chat:recent-emoji", JSON.stringify([emoji, ...loadRecentEmoji().filter((e) => e !== emoji)].slice(0, 3)));
}

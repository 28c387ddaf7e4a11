/**
 * The room's side of an upload (PROTOCOL.md v3, "Files"; docs/FILES.md). The Worker streams the
 * bytes to R2 itself; the room only decides and keeps the record, in two short calls: `reserve`
 * (the uploader is not banned or muted, a token from their bucket, a fresh id) before the bytes
 * move, and `stored` once R2 holds them. Attaching is `say`'s business (messaging.ts), erasing the
 * log's (event-log.ts) and the alarm's (the Room's `files` duty).
 */
import type { FileRef, FileType } from "@edge-chat/protocol";
import type { Buckets } from "../storage/buckets.ts";
import { attached, type FileRow } from "../storage/files.ts";
import { fileRefs } from "./folding.ts";
import type { RuleContext } from "./rule-context.ts";

/** Who uploads: the credential's user id, and whether a signed `role: "owner"` claim came with it. */
export interface Uploader {
  id: string;
  owner: boolean;
}

/** What an upload asks to reserve: the type read from its bytes, and its optional name. */
export interface UploadRequest {
  type: FileType;
  name?: string;
}

/** The room's answer to a reservation: the id to store the bytes under, or the HTTP refusal. */
export type Reservation =
  | { ok: true; id: string }
  | { ok: false; status: 403 | 429; code: "banned" | "muted" | "rate_limited"; message: string; retryAfterMs?: number };

/** A file the Worker may serve: its type as the room recorded it (read from its bytes), size and name. */
export interface ServedFile {
  type: string;
  size: number;
  name?: string;
}

/** The parts of the room an upload touches. */
export type FileRoom = Pick<RuleContext, "users" | "log" | "presence" | "now" | "room"> & { buckets: Buckets };

/**
 * Judges an upload before its bytes move: ban, then mute (a key holder or an owner claim is
 * neither), then a token from the user's bucket; then reserves a fresh id.
 */
export function reserveFile(room: FileRoom, uploader: Uploader, upload: UploadRequest): Reservation {
  const now = room.now();
  const holder = uploader.owner || room.users.isOwner(uploader.id);
  const bannedUntil = room.users.bannedUntil(uploader.id);
  if (!holder && bannedUntil > now) return { ok: false, status: 403, code: "banned", message: "you are banned from this room", retryAfterMs: bannedUntil - now };
  const mutedUntil = room.users.mutedUntil(uploader.id);
  if (!holder && mutedUntil > now) return { ok: false, status: 403, code: "muted", message: "you are muted", retryAfterMs: mutedUntil - now };
  const take = room.buckets.take(uploader.id, now);
  if (!take.ok) return { ok: false, status: 429, code: "rate_limited", message: "slow down", retryAfterMs: take.retryAfterMs };
  room.buckets.commit(uploader.id, take.bucket);
  // A user with no socket here keeps a drained bucket in SQLite, as one who left does.
  if (!room.presence.user(uploader.id)) room.buckets.left(uploader.id, now);
  const id = newFileId();
  room.log.files.reserve(id, uploader.id, upload.type, upload.name, now);
  return { ok: true, id };
}

/** R2 holds a reserved file's bytes: it becomes attachable. Undefined when the reservation is gone (expired). */
export function fileStored(room: FileRoom, id: string, size: number, width: number, height: number): FileRef | undefined {
  const row = room.log.files.stored(id, size, width, height);
  return row ? fileRefs(room.room, [attached(row)])[0] : undefined;
}

/** A file the room serves now (stored or attached, never erasing), as recorded. */
export function servedFile(room: FileRoom, id: string): ServedFile | undefined {
  const row: FileRow | undefined = room.log.files.servable(id);
  if (!row) return undefined;
  const served: ServedFile = { type: row.type, size: row.size };
  if (row.name !== null) served.name = row.name;
  return served;
}

/** The R2 key of a room's file. */
export function fileKey(room: string, id: string): string {
  return `${room}/${id}`;
}

/** 128 random bits as 22 base64url characters. */
function newFileId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
